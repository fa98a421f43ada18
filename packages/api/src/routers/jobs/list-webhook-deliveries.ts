import { apiKeyProcedure } from '../../trpc.js';
import { accessFor } from '../../wire.js';
import { ListWebhookDeliveriesInputSchema, ListWebhookDeliveriesResponseSchema } from './list-webhook-deliveries.types.js';

export const listWebhookDeliveries = apiKeyProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/jobs/{job_id}/webhooks',
      tags: ['jobs'],
      summary: "A job's webhook deliveries",
      description:
        "Every webhook event of the job (one per file that became completed, failed or cancelled, and one `job.finished` each time the job became final), in the order queued: its event id (`webhook-id`), type, file, URL, state (`pending`, `delivered`, `exhausted`), attempts, the last attempt's status code or error and duration, and when the next attempt is due. Bodies and the signing secret are never shown. Needs the owner's API key (a session_id is not enough); another key's job or an unknown one: 404.",
      protect: true,
      successDescription: "The job's deliveries",
    },
  })
  .input(ListWebhookDeliveriesInputSchema)
  .output(ListWebhookDeliveriesResponseSchema)
  .query(({ ctx, input }) => ctx.services.jobs.listWebhookDeliveries(input.job_id, accessFor(ctx, null)));
