import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../jobs/job-summary.js';
import { buildWebhookMessage, isFinalJobEvent, webhookEventId } from './webhook-message.js';

const JOB = 'batch_20240315_123456_abcdef';
const AT = '2024-03-15T12:35:00.000Z';
const modelUrl = (jobId: string, fileId: string) => `https://models.example.com/api/v1/jobs/${jobId}/files/${fileId}/model`;

describe('buildWebhookMessage', () => {
  it('turns a completed file into file.completed with its model URL and task id', () => {
    const message = buildWebhookMessage({ event: { id: '7', type: 'completed', job_id: JOB, file_id: 'file_001' }, model_task_id: 'task_1', modelUrl, created_at: AT });
    expect(message).toMatchObject({ id: webhookEventId(JOB, '7'), type: 'file.completed', job_id: JOB });
    expect(JSON.parse(message.body)).toEqual({
      id: message.id,
      type: 'file.completed',
      created_at: AT,
      data: { job_id: JOB, file_id: 'file_001', status: 'completed', model_url: modelUrl(JOB, 'file_001'), model_task_id: 'task_1', error: null, warnings: [], shape: null },
    });
  });

  it("carries a completed file's warnings, shape and views, as its status entry shows them", () => {
    const warnings = [{ code: 'SYMMETRY_ASSUMED' as const, message: 'made round' }];
    const views = { front: 'front.jpg', left: 'left.jpg' };
    const message = buildWebhookMessage({ event: { id: '11', type: 'completed', job_id: JOB, file_id: 'file_001', warnings, shape: 'hull', views }, model_task_id: 'task_1', modelUrl, created_at: AT });
    expect(JSON.parse(message.body)).toMatchObject({ type: 'file.completed', data: { warnings, shape: 'hull', views } });
    const single = buildWebhookMessage({ event: { id: '12', type: 'completed', job_id: JOB, file_id: 'file_002', warnings: [], shape: 'revolved' }, model_task_id: null, modelUrl, created_at: AT });
    expect(JSON.parse(single.body).data).not.toHaveProperty('views');
  });

  it('turns a failed file into file.failed with its error and no model URL', () => {
    const error = { code: 'FAL_API_ERROR', message: 'the provider failed' };
    const message = buildWebhookMessage({ event: { id: '8', type: 'failed', job_id: JOB, file_id: 'file_002', error }, model_task_id: null, modelUrl, created_at: AT });
    expect(JSON.parse(message.body)).toMatchObject({
      type: 'file.failed',
      data: { file_id: 'file_002', status: 'failed', model_url: null, model_task_id: null, error },
    });
  });

  it('turns a cancelled file into file.cancelled without calling for a model URL', () => {
    const message = buildWebhookMessage({
      event: { id: '9', type: 'cancelled', job_id: JOB, file_id: 'file_003' },
      model_task_id: 'task_3',
      modelUrl: () => {
        throw new Error('not for a cancelled file');
      },
      created_at: AT,
    });
    expect(JSON.parse(message.body)).toMatchObject({ type: 'file.cancelled', data: { status: 'cancelled', model_url: null, error: null, model_task_id: 'task_3' } });
  });

  it('turns the job becoming terminal into job.finished carrying the job summary as data', () => {
    const summary: JobSummary = {
      job_id: JOB,
      status: 'partial',
      created_at: AT,
      updated_at: AT,
      expires_at: null,
      total_files: 3,
      processed_files: 1,
      failed_files: 1,
      cancelled_files: 1,
      progress: 100,
    };
    const message = buildWebhookMessage({ event: { id: '10', type: 'done', job_id: JOB, status: 'partial' }, summary, created_at: AT });
    expect(JSON.parse(message.body)).toEqual({ id: message.id, type: 'job.finished', created_at: AT, data: summary });
  });
});

describe('webhookEventId', () => {
  it('is evt_ and 32 hex, the same for the same job and log event, different otherwise', () => {
    expect(webhookEventId(JOB, '7')).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(webhookEventId(JOB, '7')).toBe(webhookEventId(JOB, '7'));
    expect(webhookEventId(JOB, '8')).not.toBe(webhookEventId(JOB, '7'));
    expect(webhookEventId('batch_20240315_123456_zzzzzz', '7')).not.toBe(webhookEventId(JOB, '7'));
  });
});

describe('isFinalJobEvent', () => {
  it('selects the four final log events and nothing else', () => {
    expect(isFinalJobEvent({ id: '1', type: 'completed', job_id: JOB, file_id: 'f' })).toBe(true);
    expect(isFinalJobEvent({ id: '1', type: 'done', job_id: JOB, status: 'completed' })).toBe(true);
    expect(isFinalJobEvent({ id: '1', type: 'progress', job_id: JOB, file_id: 'f', progress: 5 })).toBe(false);
    expect(isFinalJobEvent({ id: '1', type: 'log', job_id: JOB, file_id: 'f', message: 'm' })).toBe(false);
  });
});
