import { parentPort, type MessagePort } from 'node:worker_threads';

import type { WorkerReply } from '@image2model/core/worker-pool';

import { convertModel } from '../convert-model.js';
import type { ConvertRequest } from './converter-messages.js';

/** The worker-thread side of the converter pool: one conversion at a time. */
const port = requireParentPort();

type Reply = WorkerReply<never, Uint8Array>;

port.on('message', (message: { id: number; request: ConvertRequest }) => {
  void convertModel(message.request.glb, message.request.options).then(
    (bytes) => {
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
      port.postMessage({ id: message.id, type: 'done', result: owned } satisfies Reply, [owned.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const { name, message: text } = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ id: message.id, type: 'failed', error: { name, message: text } } satisfies Reply);
    },
  );
});

function requireParentPort(): MessagePort {
  if (!parentPort) throw new Error('convert-worker.js must run in a worker thread (see createConverterPool)');
  return parentPort;
}
