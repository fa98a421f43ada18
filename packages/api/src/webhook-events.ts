/**
 * What a webhook receiver gets: the event types, the body of each and the signature headers, as
 * the OpenAPI document's top-level `webhooks` describes them and the typed client types what
 * `verifyWebhook` answers. Core builds the bodies (`webhooks/webhook-message.ts`); these describe them.
 */
import { z } from 'zod';
import { FileErrorSchema, FileViewsSchema, FileWarningsSchema, FinalJobStateSchema, JobTimesSchema, ModelShapeSchema } from './schemas.js';

export const WEBHOOK_EVENT_TYPES = ['file.completed', 'file.failed', 'file.cancelled', 'job.finished'] as const;
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES).meta({ id: 'WebhookEventType', description: 'What happened: a file became final, or the job did' });

const eventFields = {
  id: z.string().meta({ description: 'The event id, also the `webhook-id` header: the same on every attempt, so a receiver drops duplicates by it', example: 'evt_4f1c2a9be07d35c81a6f0e2d9b7c4a13' }),
  created_at: z.string().meta({ description: 'When the event happened (ISO 8601, UTC)' }),
};

const fileData = <S extends 'completed' | 'failed' | 'cancelled'>(status: S, description: string) =>
  z.object({
    job_id: z.string(),
    file_id: z.string(),
    status: z.literal(status),
    model_url: (status === 'completed' ? z.string() : z.null()).meta({
      description: 'Where the model downloads with your API key (`PUBLIC_URL` + `/api/v1/download/{job_id}/{file_id}/model`, no session_id); null unless completed',
    }) as S extends 'completed' ? z.ZodString : z.ZodNull,
    model_task_id: z.string().nullable().meta({ description: "The provider's task id of the generation that ended" }),
    error: (status === 'failed' ? FileErrorSchema : z.null()).meta({ description }) as S extends 'failed' ? typeof FileErrorSchema : z.ZodNull,
  });

const completedData = fileData('completed', 'Always null').extend({
  warnings: FileWarningsSchema,
  shape: ModelShapeSchema,
  views: FileViewsSchema.optional(),
});

export const FileCompletedEventSchema = z
  .object({ ...eventFields, type: z.literal('file.completed'), data: completedData })
  .meta({ id: 'FileCompletedEvent', description: 'A file was generated: its model is ready to download' });

export const FileFailedEventSchema = z
  .object({ ...eventFields, type: z.literal('file.failed'), data: fileData('failed', 'Why it failed') })
  .meta({ id: 'FileFailedEvent', description: 'A file failed; `POST /jobs/{job_id}/retry` generates it again' });

export const FileCancelledEventSchema = z
  .object({ ...eventFields, type: z.literal('file.cancelled'), data: fileData('cancelled', 'Always null') })
  .meta({ id: 'FileCancelledEvent', description: 'A file was cancelled' });

export const JobFinishedEventSchema = z
  .object({
    ...eventFields,
    type: z.literal('job.finished'),
    data: z
      .object({
        job_id: z.string(),
        status: FinalJobStateSchema,
        ...JobTimesSchema.shape,
        total_files: z.int(),
        processed_files: z.int().meta({ description: 'Completed files' }),
        failed_files: z.int(),
        cancelled_files: z.int(),
        progress: z.number(),
      })
      .meta({ description: "The job's summary, as `GET /jobs` lists it" }),
  })
  .meta({ id: 'JobFinishedEvent', description: 'Every file of the job is final; sent again each time the job becomes final (after a retry, say)' });

export const WebhookEventSchema = z
  .discriminatedUnion('type', [FileCompletedEventSchema, FileFailedEventSchema, FileCancelledEventSchema, JobFinishedEventSchema])
  .meta({ id: 'WebhookEvent' });

export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** Each event type's body schema, in the order the document lists them. */
export const WEBHOOK_EVENT_SCHEMAS = {
  'file.completed': FileCompletedEventSchema,
  'file.failed': FileFailedEventSchema,
  'file.cancelled': FileCancelledEventSchema,
  'job.finished': JobFinishedEventSchema,
} as const satisfies Record<(typeof WEBHOOK_EVENT_TYPES)[number], z.ZodType>;

/** The Standard Webhooks headers every delivery carries. */
export const WEBHOOK_SIGNATURE_HEADERS = {
  'webhook-id': 'The event id (`evt_…`): the same on every attempt of one event',
  'webhook-timestamp': 'When this attempt was signed, in seconds since the epoch: reject old ones (the `standardwebhooks` package allows 5 minutes)',
  'webhook-signature':
    '`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the server\'s `WEBHOOK_SECRET` (the part after `whsec_`, base64-decoded), per the Standard Webhooks specification',
} as const;
