import type { JobEvent } from '@image2model/core';
import { describe, expect, it } from 'vitest';
import { toWireEvent } from './wire.js';

const JOB = 'batch_20240315_123456_wire01';
const SESSION = 'sess_0123456789abcdef0123456789abcdef';
const ORIGIN = 'https://models.example';

describe('toWireEvent', () => {
  const expected = `{"type":"completed","job_id":"${JOB}","file_id":"file_002","model_url":"${ORIGIN}/api/v1/download/${JOB}/file_002/model?session_id=${SESSION}"}`;

  it("gives a completed event, stored with ids only, its absolute model URL carrying the job's session", () => {
    const stored: JobEvent = { id: '7', type: 'completed', job_id: JOB, file_id: 'file_002' };
    expect(JSON.stringify(toWireEvent(stored, SESSION, ORIGIN))).toBe(expected);
  });

  it('sends the same bytes for a completed event an earlier version stored with its model path', () => {
    const legacy = JSON.parse(`{"type":"completed","job_id":"${JOB}","file_id":"file_002","model_url":"/api/v1/download/${JOB}/file_002/model","id":"7"}`) as JobEvent;
    expect(JSON.stringify(toWireEvent(legacy, SESSION, ORIGIN))).toBe(expected);
  });

  it('passes other events through without their id', () => {
    const stored: JobEvent = { id: '8', type: 'done', job_id: JOB, status: 'partial' };
    expect(toWireEvent(stored, SESSION, ORIGIN)).toEqual({ type: 'done', job_id: JOB, status: 'partial' });
  });
});
