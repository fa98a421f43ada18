import { describe, expect, it } from 'vitest';
import type { TrackedJobEvent } from '@image2model/client';
import { applyEvent, batchProgress, canCancel, createBatchState, isRunning, markCancelled, markRetrying, retryCanHelp, retryPlan } from './batch-state.js';

const job = { job_id: 'batch_1', session_id: 'sess_1', files: [file('file_001', 'a.png'), file('file_002', 'b.jpg')] };

function file(file_id: string, filename: string) {
  return { file_id, filename, status: 'pending' as const, progress: 0, model_url: null, preview_url: null, model_task_id: null, face_limit: null, error: null, warnings: [], shape: null };
}

let id = 0;
const event = (data: Record<string, unknown>) => ({ job_id: 'batch_1', id: String(++id), ...data }) as TrackedJobEvent;

describe('batch state', () => {
  it('follows progress, logs, completion and failure, and the batch’s mean progress', () => {
    const state = createBatchState(job);
    applyEvent(state, event({ type: 'progress', file_id: 'file_001', progress: 40 }));
    applyEvent(state, event({ type: 'log', file_id: 'file_001', message: 'meshing' }));
    expect(batchProgress(state)).toEqual({ percent: 20, completed: 0, failed: 0, cancelled: 0, total: 2 });
    applyEvent(state, event({ type: 'completed', file_id: 'file_001', model_url: '/m', warnings: [], shape: 'inflated' }));
    applyEvent(state, event({ type: 'failed', file_id: 'file_002', error: { code: 'FAL_API_ERROR', message: 'no' } }));
    applyEvent(state, event({ type: 'done', status: 'partial' }));
    expect(batchProgress(state)).toEqual({ percent: 100, completed: 1, failed: 1, cancelled: 0, total: 2 });
    expect(state.files.get('file_001')?.logs).toEqual([{ message: 'meshing', level: 'info' }]);
    expect(state.files.get('file_002')?.error).toEqual({ code: 'FAL_API_ERROR', message: 'no' });
    expect(state.done).toBe(true);
    expect(state.lastEventId).toBe(String(id));
    expect(isRunning(state)).toBe(false);
  });

  it('treats progress 0 after a failure as a new attempt, and ignores replayed progress of a finished file', () => {
    const state = createBatchState({ ...job, files: [{ ...file('file_001', 'a.png'), status: 'completed', progress: 100 }] });
    applyEvent(state, event({ type: 'progress', file_id: 'file_001', progress: 50 }));
    expect(state.files.get('file_001')).toMatchObject({ status: 'completed', progress: 100 });
    applyEvent(state, event({ type: 'failed', file_id: 'file_001', error: { code: 'X', message: 'x' } }));
    markRetrying(state, ['file_001']);
    expect(isRunning(state)).toBe(true);
    applyEvent(state, event({ type: 'failed', file_id: 'file_001', error: { code: 'X', message: 'x' } }));
    applyEvent(state, event({ type: 'progress', file_id: 'file_001', progress: 0 }));
    expect(state.files.get('file_001')).toMatchObject({ status: 'processing', progress: 0, error: null });
  });

  it('keeps the warnings and shape of the current attempt only, and offers Retry only where it can help', () => {
    const state = createBatchState(job);
    const card = { code: 'BACKGROUND_NOT_SEPARATED', message: 'made a flat card of the whole photo' };
    applyEvent(state, event({ type: 'completed', file_id: 'file_001', model_url: '/m', warnings: [card], shape: 'card' }));
    expect(state.files.get('file_001')).toMatchObject({ warnings: [card], shape: 'card' });
    applyEvent(state, event({ type: 'progress', file_id: 'file_001', progress: 0 })); // generate-single
    expect(state.files.get('file_001')).toMatchObject({ warnings: [], shape: null });

    applyEvent(state, event({ type: 'failed', file_id: 'file_001', error: { code: 'PROCESSING_ERROR', message: 'timed out' } }));
    expect(retryCanHelp(state.files.get('file_001')!)).toBe(true);
    applyEvent(state, event({ type: 'failed', file_id: 'file_002', error: { code: 'VALIDATION_ERROR', message: 'The photo is damaged (truncated JPEG): upload a complete copy' } }));
    expect(retryCanHelp(state.files.get('file_002')!)).toBe(false);
  });

  it('keeps the newest log lines only, counting every line', () => {
    const state = createBatchState(job);
    for (let i = 0; i < 60; i++) applyEvent(state, event({ type: 'log', file_id: 'file_002', message: `line ${i}` }));
    const logs = state.files.get('file_002');
    expect(logs?.logs).toHaveLength(50);
    expect(logs?.logs[0]?.message).toBe('line 10');
    expect(logs?.logTotal).toBe(60);
  });

  it('cancels locally only what still runs; a cancelled file keeps its progress, ignores late progress, and is retried by Retry failed', () => {
    const state = createBatchState({ ...job, files: [...job.files, file('file_003', 'c.png')] });
    applyEvent(state, event({ type: 'progress', file_id: 'file_001', progress: 30 }));
    applyEvent(state, event({ type: 'completed', file_id: 'file_003', model_url: '/m', warnings: [], shape: null }));
    expect([...state.files.values()].map(canCancel)).toEqual([true, true, false]);

    markCancelled(state, ['file_001', 'file_003']);
    expect(state.files.get('file_001')).toMatchObject({ status: 'cancelled', progress: 30 });
    expect(state.files.get('file_003')?.status).toBe('completed');
    applyEvent(state, event({ type: 'progress', file_id: 'file_001', progress: 35 })); // sent before the cancel
    applyEvent(state, event({ type: 'cancelled', file_id: 'file_001' }));
    applyEvent(state, event({ type: 'cancelled', file_id: 'file_002' }));
    applyEvent(state, event({ type: 'done', status: 'partial' }));
    expect(state.files.get('file_001')).toMatchObject({ status: 'cancelled', progress: 30 });
    expect(batchProgress(state)).toEqual({ percent: 100, completed: 1, failed: 0, cancelled: 2, total: 3 });
    expect(isRunning(state)).toBe(false);
    expect(retryCanHelp(state.files.get('file_001')!)).toBe(true);
    expect(retryPlan(state).retry.map((f) => f.fileId)).toEqual(['file_001', 'file_002']);

    markRetrying(state, ['file_001', 'file_002']);
    expect(state.files.get('file_001')).toMatchObject({ status: 'pending', progress: 0 });
    expect(state.done).toBe(false);
    expect(isRunning(state)).toBe(true);
  });

  it('leaves a photo that failed by its own fault out of Retry failed, and says so', () => {
    const state = createBatchState({ ...job, files: [...job.files, file('file_003', 'c.png')] });
    applyEvent(state, event({ type: 'failed', file_id: 'file_001', error: { code: 'PROCESSING_ERROR', message: 'timed out' } }));
    applyEvent(state, event({ type: 'failed', file_id: 'file_002', error: { code: 'VALIDATION_ERROR', message: 'The photo is damaged' } }));
    applyEvent(state, event({ type: 'cancelled', file_id: 'file_003' }));
    const plan = retryPlan(state);
    expect(plan.retry.map((f) => f.fileId)).toEqual(['file_001', 'file_003']);
    expect(plan.leftOut.map((f) => f.fileId)).toEqual(['file_002']);
  });
});
