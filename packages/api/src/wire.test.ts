import type { JobEvent } from '@image2model/core';
import { describe, expect, it } from 'vitest';
import { toWireEvent } from './wire.js';

const JOB = 'batch_20240315_123456_wire01';
const SESSION = 'sess_0123456789abcdef0123456789abcdef';
const ORIGIN = 'https://models.example';

describe('toWireEvent', () => {
  const modelUrl = `${ORIGIN}/api/v1/download/${JOB}/file_002/model?session_id=${SESSION}`;
  const expected = `{"type":"completed","job_id":"${JOB}","file_id":"file_002","model_url":"${modelUrl}","warnings":[],"shape":null}`;

  it("gives a completed event, stored with ids, warnings and shape, its absolute model URL carrying the job's session", () => {
    const warnings = [{ code: 'BACKGROUND_NOT_SEPARATED', message: 'made a flat card of the whole photo' }];
    const stored: JobEvent = { id: '7', type: 'completed', job_id: JOB, file_id: 'file_002', warnings, shape: 'card' };
    expect(toWireEvent(stored, SESSION, ORIGIN)).toEqual({ type: 'completed', job_id: JOB, file_id: 'file_002', model_url: modelUrl, warnings, shape: 'card' });
  });

  it('sends a completed event an earlier version stored (ids only, or with its model path) with no warnings and no shape', () => {
    const idsOnly: JobEvent = { id: '7', type: 'completed', job_id: JOB, file_id: 'file_002' };
    expect(JSON.stringify(toWireEvent(idsOnly, SESSION, ORIGIN))).toBe(expected);
    const legacy = JSON.parse(`{"type":"completed","job_id":"${JOB}","file_id":"file_002","model_url":"/api/v1/download/${JOB}/file_002/model","id":"7"}`) as JobEvent;
    expect(JSON.stringify(toWireEvent(legacy, SESSION, ORIGIN))).toBe(expected);
  });

  it('passes other events through without their id', () => {
    const stored: JobEvent = { id: '8', type: 'done', job_id: JOB, status: 'partial' };
    expect(toWireEvent(stored, SESSION, ORIGIN)).toEqual({ type: 'done', job_id: JOB, status: 'partial' });
  });
});
