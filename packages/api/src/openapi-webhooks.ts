import type { OpenAPIObject } from 'trpc-to-openapi';
import { WEBHOOK_EVENT_SCHEMAS, WEBHOOK_SIGNATURE_HEADERS } from './webhook-events.js';

type PathItem = NonNullable<OpenAPIObject['paths']>[string];

/** The component name of each event's body schema (their Zod `meta.id`s). */
const COMPONENT_OF: Record<keyof typeof WEBHOOK_EVENT_SCHEMAS, string> = {
  'file.completed': 'FileCompletedEvent',
  'file.failed': 'FileFailedEvent',
  'file.cancelled': 'FileCancelledEvent',
  'job.finished': 'JobFinishedEvent',
};

/** The body schemas, for the document's `defs`: the webhooks below refer to them by name. */
export const WEBHOOK_EVENT_DEFS = Object.fromEntries(Object.entries(WEBHOOK_EVENT_SCHEMAS).map(([type, schema]) => [COMPONENT_OF[type as keyof typeof COMPONENT_OF], schema]));

const signatureParameters = Object.entries(WEBHOOK_SIGNATURE_HEADERS).map(([name, description]) => ({
  name,
  in: 'header' as const,
  required: true,
  description,
  schema: { type: 'string' as const },
}));

const DELIVERY =
  "Sent as a POST with a JSON body to the job's `webhook_url` (or the server's `WEBHOOK_URL`), signed per Standard Webhooks: verify the three `webhook-*` headers against the raw body with the `standardwebhooks` or `svix` packages, or the typed client's `verifyWebhook(body, headers, secret)`. A 2xx answer within `WEBHOOK_TIMEOUT_MS` (10 s by default) is delivered; anything else is retried on `WEBHOOK_RETRY_SCHEDULE` (about 15 h in all) with the same `webhook-id`, then marked exhausted (`GET /jobs/{job_id}/webhooks` shows each delivery; `POST /jobs/{job_id}/webhooks/redeliver` sends the exhausted ones again). 410 Gone stops every later delivery of the job to that URL.";

/** OpenAPI 3.1's top-level `webhooks`: one POST per event type the server sends. */
export function webhooksOf(): Record<string, PathItem> {
  return Object.fromEntries(
    Object.entries(COMPONENT_OF).map(([type, component]) => {
      const schema = WEBHOOK_EVENT_SCHEMAS[type as keyof typeof COMPONENT_OF];
      const summary = schema.meta()?.description ?? type;
      const item: PathItem = {
        post: {
          operationId: `webhook-${type.replace('.', '-')}`,
          tags: ['webhooks'],
          // The receiver takes no key from us: the signature headers below are what it checks.
          security: [],
          summary: `${type}: ${summary}`,
          description: DELIVERY,
          parameters: signatureParameters,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${component}` } } } },
          responses: {
            200: { description: 'Any 2xx: delivered' },
            410: { description: 'Gone: no more deliveries of this job to this URL' },
          },
        },
      };
      return [type, item];
    }),
  );
}
