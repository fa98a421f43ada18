import { EventEmitter } from 'node:events';
import type { TaskIdentity } from '../../jobs/job-queue.js';
import type { TaskCancellation } from '../../jobs/task-cancellation.js';

/** TaskCancellation inside one process (embedded mode): the API and the worker share it. */
export class MemoryTaskCancellation implements TaskCancellation {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async announce(task: TaskIdentity): Promise<void> {
    this.emitter.emit('cancel', task);
  }

  listen(onCancel: (task: TaskIdentity) => void): () => void {
    this.emitter.on('cancel', onCancel);
    return () => this.emitter.off('cancel', onCancel);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
