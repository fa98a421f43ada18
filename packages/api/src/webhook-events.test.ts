import { describe, expect, it } from 'vitest';
import { buildWebhookMessage, type WebhookMessageInput } from '@image2model/core';
import { createOpenApiDocument } from './openapi.js';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_SIGNATURE_HEADERS, WebhookEventSchema } from './webhook-events.js';

const JOB = 'batch_20240315_123456_abcdef';
const AT = '2024-03-15T12:35:00.000Z';
const modelUrl = (jobId: string, fileId: string) => `https://i2m.example.com/api/v1/download/${jobId}/${fileId}/model`;

/** One body of each type, as core builds them for sending. */
const BODIES: Record<(typeof WEBHOOK_EVENT_TYPES)[number], WebhookMessageInput> = {
  'file.completed': {
    event: { id: '1', type: 'completed', job_id: JOB, file_id: 'file_001', warnings: [{ code: 'VIEWS_DISAGREE', message: 'the views disagree' }], shape: 'hull', views: { front: 'a.jpg', right: 'b.jpg' } },
    model_task_id: 'task_1',
    modelUrl,
    created_at: AT,
  },
  'file.failed': { event: { id: '2', type: 'failed', job_id: JOB, file_id: 'file_002', error: { code: 'PROCESSING_ERROR', message: 'no object' } }, model_task_id: null, modelUrl, created_at: AT },
  'file.cancelled': { event: { id: '3', type: 'cancelled', job_id: JOB, file_id: 'file_003' }, model_task_id: 'task_3', modelUrl, created_at: AT },
  'job.finished': {
    event: { id: '4', type: 'done', job_id: JOB, status: 'partial' },
    summary: { job_id: JOB, status: 'partial', created_at: AT, updated_at: AT, expires_at: null, total_files: 3, processed_files: 1, failed_files: 1, cancelled_files: 1, progress: 100 },
    created_at: AT,
  },
};

describe('the webhook event schemas', () => {
  it('accept every body core sends, each as its own type, and refuse one of a type with the wrong data', () => {
    for (const [type, input] of Object.entries(BODIES)) {
      const body = JSON.parse(buildWebhookMessage(input).body) as { type: string; data: object };
      expect(WebhookEventSchema.parse(body), type).toEqual(body);
      expect(body.type).toBe(type);
    }
    const completed = JSON.parse(buildWebhookMessage(BODIES['file.completed']).body) as { data: object };
    expect(WebhookEventSchema.safeParse({ ...completed, data: { ...completed.data, model_url: null } }).success).toBe(false);
    expect(WebhookEventSchema.safeParse({ ...completed, type: 'job.finished' }).success).toBe(false);
    expect(WebhookEventSchema.safeParse({ ...completed, data: { ...completed.data, shape: 'cube' } }).success).toBe(false);
  });

  it("are the document's top-level webhooks: one POST per type, its body schema and the three signature headers", () => {
    const doc = createOpenApiDocument({ baseUrl: 'https://i2m.example.com/api/v1', maxFiles: 20, maxFileSizeMb: 10, maxImagePixels: 40_000_000, version: '1.0.0' });
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.webhooks ?? {})).toEqual([...WEBHOOK_EVENT_TYPES]);
    const schemas = doc.components?.schemas ?? {};
    for (const type of WEBHOOK_EVENT_TYPES) {
      const post = doc.webhooks?.[type]?.post as { requestBody: { content: Record<string, { schema: { $ref: string } }> }; parameters: { name: string; in: string; required: boolean }[] };
      const ref = post.requestBody.content['application/json']?.schema.$ref ?? '';
      const component = schemas[ref.replace('#/components/schemas/', '')] as { properties: { type: { const?: string } } } | undefined;
      expect(component?.properties.type.const, type).toBe(type);
      expect(post.parameters.map((p) => [p.name, p.in, p.required])).toEqual(Object.keys(WEBHOOK_SIGNATURE_HEADERS).map((name) => [name, 'header', true]));
    }
  });
});
