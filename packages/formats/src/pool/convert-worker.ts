import { parentPort, type MessagePort } from 'node:worker_threads';

import type { WorkerReply } from '@image2model/core/worker-pool';

import type { PrintReport } from '@image2model/core/print-report';

import { convertModel } from '../convert-model.js';
import { reportModel } from '../report/print-report.js';
import type { ConvertRequest } from './converter-messages.js';

/** The worker-thread side of the converter pool: one conversion or report at a time. */
const port = requireParentPort();

type Reply = WorkerReply<never, Uint8Array | PrintReport>;

port.on('message', (message: { id: number; request: ConvertRequest }) => {
  const { request } = message;
  void (request.kind === 'report' ? reportModel(request.glb, request.options) : convertModel(request.glb, request.options)).then(
    (result) => {
      if (!(result instanceof Uint8Array)) {
        port.postMessage({ id: message.id, type: 'done', result } satisfies Reply);
        return;
      }
      const owned = result.byteOffset === 0 && result.byteLength === result.buffer.byteLength ? result : new Uint8Array(result);
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
