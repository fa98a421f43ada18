import { apiKeyProcedure } from '../../trpc.js';
import { accessFor } from '../../wire.js';
import { idempotent } from '../../idempotent.js';
import { RedeliverWebhooksInputSchema, RedeliverWebhooksResponseSchema } from './redeliver-webhooks.types.js';

export const redeliverWebhooks = apiKeyProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/jobs/{job_id}/webhooks/redeliver',
      tags: ['jobs'],
      summary: "Queue a job's exhausted webhook deliveries again",
      description:
        "Every `exhausted` delivery of the job becomes `pending` again, due at once, with the whole retry schedule ahead (attempts start again from 0), and a URL that answered 410 Gone for this job is tried again: the owner asked for it. Delivered and pending ones are left as they are, so calling again answers `redelivered: 0`. Each event keeps its id, so a receiver that did get it can drop the duplicate. Needs the owner's API key; another key's job or an unknown one: 404.",
      protect: true,
      successDescription: 'How many deliveries were queued again',
    },
  })
  .input(RedeliverWebhooksInputSchema)
  .output(RedeliverWebhooksResponseSchema)
  .mutation(idempotent(({ ctx, input }) => ctx.services.jobs.redeliverWebhooks(input.job_id, accessFor(ctx, null))));
