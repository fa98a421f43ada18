import { readFile } from 'node:fs/promises';
import { parentPort, type MessagePort } from 'node:worker_threads';

import { generateModel } from '../generate-model.js';
import { loadOpenCv } from '../mask/opencv-runtime.js';
import { ownBuffer, type GeneratorOutput, type GeneratorProgress, type GeneratorRequest } from './generator-messages.js';
import { drawWarmUpPhoto } from './warm-up-photo.js';
import type { WorkerReply } from './worker-pool.js';

/** The worker-thread side of the generator pool: one generation at a time, progress posted as it goes. */
const port = requireParentPort();

type Reply = WorkerReply<GeneratorProgress, GeneratorOutput>;

port.on('message', (message: { id: number; request: GeneratorRequest }) => {
  void handle(message.id, message.request).then(
    ({ reply, transfer }) => port.postMessage(reply, transfer),
    (error: unknown) => {
      const { name, message: text } = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ id: message.id, type: 'failed', error: { name, message: text } } satisfies Reply);
    },
  );
});

async function handle(id: number, request: GeneratorRequest): Promise<{ reply: Reply; transfer: ArrayBuffer[] }> {
  const onProgress = (progress: number, stage: string): void => port.postMessage({ id, type: 'progress', progress: { progress, stage } } satisfies Reply);
  const result =
    request.kind === 'warm-up'
      ? await warmUp()
      : await generateModel(await photoOf(request.image), { ...request.options, onProgress });
  const glb = ownBuffer(result.glb);
  const preview = result.preview ? ownBuffer(result.preview) : undefined;
  const output: GeneratorOutput = { glb, ...(preview ? { preview } : {}), warnings: result.warnings, notices: result.notices, segmentation: result.segmentation, stats: result.stats };
  return { reply: { id, type: 'done', result: output }, transfer: preview ? [glb.buffer, preview.buffer] : [glb.buffer] };
}

/** Compiles OpenCV (GrabCut, for busy backgrounds) beside one generation of a plain photo, so no user's photo waits for either. */
async function warmUp(): ReturnType<typeof generateModel> {
  const [result] = await Promise.all([drawWarmUpPhoto().then((photo) => generateModel(photo, { face_limit: 1_000 })), loadOpenCv()]);
  return result;
}

/** A path is read here, on this thread, so the main thread never holds the photo. */
async function photoOf(image: Uint8Array | string): Promise<Buffer> {
  return typeof image === 'string' ? readFile(image) : Buffer.from(image.buffer, image.byteOffset, image.byteLength);
}

function requireParentPort(): MessagePort {
  if (!parentPort) throw new Error('generate-worker.js must run in a worker thread (see createGeneratorPool)');
  return parentPort;
}
