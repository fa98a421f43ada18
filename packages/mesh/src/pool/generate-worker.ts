import { readFile } from 'node:fs/promises';
import { parentPort, type MessagePort } from 'node:worker_threads';

import { generateModel } from '../generate-model.js';
import { loadOpenCv } from '../mask/opencv-runtime.js';
import { generateMultiviewModel, type MultiviewImages } from '../multiview/generate-multiview-model.js';
import { VIEW_NAMES } from '../multiview/view-cameras.js';
import { ownBuffer, type GeneratorOutput, type GeneratorProgress, type GeneratorRequest } from './generator-messages.js';
import { drawWarmUpPhoto } from './warm-up-photo.js';
import type { WorkerReply } from '@image2model/core/worker-pool';

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
  const output = await generate(request, onProgress);
  const glb = ownBuffer(output.glb);
  const preview = output.preview ? ownBuffer(output.preview) : undefined;
  const result: GeneratorOutput = { ...output, glb, ...(preview ? { preview } : {}) };
  return { reply: { id, type: 'done', result }, transfer: preview ? [glb.buffer, preview.buffer] : [glb.buffer] };
}

async function generate(request: GeneratorRequest, onProgress: (progress: number, stage: string) => void): Promise<GeneratorOutput> {
  if (request.kind === 'multiview') {
    const views = await Promise.all(
      VIEW_NAMES.map(async (name) => {
        const source = request.images[name];
        return [name, source === undefined ? undefined : await photoOf(source)] as const;
      }),
    );
    // The worker hands over what it was given; generateMultiviewModel says what is missing.
    const images = Object.fromEntries(views.filter(([, photo]) => photo)) as unknown as MultiviewImages;
    const { glb, preview, warnings, segmentation, stats } = await generateMultiviewModel(images, { ...request.options, onProgress });
    return { kind: 'multiview', glb, ...(preview ? { preview } : {}), warnings, segmentation, stats };
  }
  const { glb, preview, warnings, segmentation, stats } = request.kind === 'warm-up' ? await warmUp() : await generateModel(await photoOf(request.image), { ...request.options, onProgress });
  return { kind: 'single', glb, ...(preview ? { preview } : {}), warnings, segmentation, stats };
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
