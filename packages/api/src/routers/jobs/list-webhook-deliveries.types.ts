import { z } from 'zod';
import { JobIdSchema } from '../../schemas.js';
import { WebhookEventTypeSchema } from '../../webhook-events.js';

export const ListWebhookDeliveriesInputSchema = z.object({ job_id: JobIdSchema });

export const WebhookDeliverySchema = z
  .object({
    id: z.string().meta({ description: 'The event id, sent as the `webhook-id` header: the same on every attempt', example: 'evt_4f1c2a9be07d35c81a6f0e2d9b7c4a13' }),
    type: WebhookEventTypeSchema,
    file_id: z.string().nullable().meta({ description: 'The file a `file.*` event is about; null for `job.finished`' }),
    url: z.string().meta({ description: 'Where it is sent' }),
    state: z
      .enum(['pending', 'delivered', 'exhausted'])
      .meta({ description: '`pending` (an attempt is due or under way), `delivered` (a 2xx came back), `exhausted` (every retry failed, or the receiver answered 410)' }),
    attempts: z.int().min(0).meta({ description: 'Attempts made (0 again after a redeliver)' }),
    last_status: z.int().nullable().meta({ description: "The receiver's HTTP status at the last attempt; null when it gave none" }),
    last_error: z.string().nullable().meta({ description: 'Why the last attempt failed without a status (timeout, connection refused, …), or why delivery stopped' }),
    last_duration_ms: z.int().nullable().meta({ description: 'How long the last attempt took, in milliseconds' }),
    next_attempt_at: z.string().nullable().meta({ description: 'When the next attempt is due (ISO 8601, UTC); null unless pending' }),
    created_at: z.string().meta({ description: 'When the event was queued (ISO 8601, UTC)' }),
    updated_at: z.string().meta({ description: 'Its last change (ISO 8601, UTC)' }),
  })
  .meta({ id: 'WebhookDelivery' });

export const ListWebhookDeliveriesResponseSchema = z
  .object({
    job_id: z.string(),
    deliveries: z.array(WebhookDeliverySchema).meta({ description: 'Every delivery of the job, in the order queued; no bodies' }),
  })
  .meta({ id: 'WebhookDeliveries' });
