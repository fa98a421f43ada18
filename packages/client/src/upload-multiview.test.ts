import { describe, expect, it } from 'vitest';
import { createImage2ModelClient, type MultiviewSources } from './index.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 4, 5, 6]);

const ANSWER = {
  job_id: 'batch_20261207_030000_abcdef',
  session_id: 'sess_x',
  files: [{ file_id: 'file_001', filename: 'mug-front.png', status: 'pending', views: { front: 'mug-front.png', left: 'mug-left.jpg' } }],
  total_files: 1,
  status: 'processing',
};

interface SentRequest {
  url: string;
  method: string;
  headers: Headers;
  /** Each form field as [name, filename or value], in the order sent. */
  fields: [string, string][];
}

/** A client whose fetch records what it would send and answers with `answers`, in turn (the last one again). */
function recordingClient(answers: (() => Response)[] = [() => Response.json(ANSWER)]) {
  const sent: SentRequest[] = [];
  const client = createImage2ModelClient({
    baseUrl: 'http://image2model.test',
    apiKey: 'key-1',
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 1 },
    fetch: async (input, init) => {
      const form = init?.body as FormData;
      const fields = [...form.entries()].map(([name, value]): [string, string] => [name, typeof value === 'string' ? value : value.name]);
      sent.push({ url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers), fields });
      const answer = answers[Math.min(sent.length - 1, answers.length - 1)];
      if (!answer) throw new Error('no answer scripted');
      return answer();
    },
  });
  return { client, sent };
}

describe('uploadMultiview', () => {
  it('sends each view in the form field named after it, with the upload options, to POST /api/v1/upload/multiview', async () => {
    const { client, sent } = recordingClient();
    const front = new File([PNG], 'mug-front.png', { type: 'image/png' });
    const answer = await client.uploadMultiview(
      { right: { name: 'mug-right.jpg', data: JPEG }, front, left: new Blob([JPEG]) },
      { faceLimit: 5000, webhookUrl: 'https://hooks.example.com/i2m', idempotencyKey: 'my-key' },
    );
    expect(answer).toEqual(ANSWER);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.url).toBe('http://image2model.test/api/v1/upload/multiview');
    expect(request?.method).toBe('POST');
    expect(request?.headers.get('authorization')).toBe('Bearer key-1');
    expect(request?.headers.get('idempotency-key')).toBe('my-key');
    // Field order front, left, back, right whatever the object's; unnamed bytes are named after their view.
    expect(request?.fields).toEqual([
      ['front', 'mug-front.png'],
      ['left', 'left.jpg'],
      ['right', 'mug-right.jpg'],
      ['face_limit', '5000'],
      ['webhook_url', 'https://hooks.example.com/i2m'],
    ]);
  });

  it('sends the four views, and no options it was not given', async () => {
    const { client, sent } = recordingClient();
    await client.uploadMultiview({ front: PNG, left: PNG, back: PNG.buffer, right: JPEG });
    expect(sent[0]?.fields).toEqual([
      ['front', 'front.png'],
      ['left', 'left.png'],
      ['back', 'back.png'],
      ['right', 'right.jpg'],
    ]);
    expect(sent[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries a 5xx with the same Idempotency-Key and the same views', async () => {
    const unavailable = () => Response.json({ detail: { code: 'SERVICE_UNAVAILABLE', message: 'restarting', details: {} } }, { status: 503 });
    const { client, sent } = recordingClient([unavailable, () => Response.json(ANSWER)]);
    await client.uploadMultiview({ front: PNG, right: JPEG });
    expect(sent).toHaveLength(2);
    expect(sent[1]?.headers.get('idempotency-key')).toBe(sent[0]?.headers.get('idempotency-key'));
    expect(sent[1]?.fields).toEqual(sent[0]?.fields);
  });

  it('refuses, sending nothing, a call without a front, without a side view, or with a view it does not know', async () => {
    const { client, sent } = recordingClient();
    // What JavaScript callers can pass, and the type refuses.
    const calls: [unknown, string, string][] = [
      [{ left: PNG, right: PNG }, 'front', 'needs a front view'],
      [{ front: PNG }, 'left', 'needs a left or right view'],
      [{ front: PNG, back: PNG }, 'left', 'a side view is what gives the model its depth'],
      [{ front: PNG, left: PNG, top: PNG }, 'top', 'Unknown view "top"'],
    ];
    for (const [views, field, message] of calls) {
      await expect(client.uploadMultiview(views as MultiviewSources)).rejects.toMatchObject({ code: 'VALIDATION_ERROR', status: 0, details: { field }, message: expect.stringContaining(message) });
    }
    expect(sent).toEqual([]);
  });

  it('fails a missing file path with FILE_NOT_FOUND before sending anything', async () => {
    const { client, sent } = recordingClient();
    await expect(client.uploadMultiview({ front: '/nowhere/front.jpg', left: PNG })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', details: { path: '/nowhere/front.jpg' } });
    expect(sent).toEqual([]);
  });
});
