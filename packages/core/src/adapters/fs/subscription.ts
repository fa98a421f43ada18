import type { EventEmitter } from 'node:events';

/**
 * Follows an emitter's `event`s from the moment of the call (events are buffered until read) until
 * `signal` aborts, the emitter emits `end`, or the consumer stops iterating; then every listener
 * is removed and `onDetach` runs, so nothing leaks.
 */
export function subscribeToEmitter<T>(emitter: EventEmitter, signal: AbortSignal, onDetach: () => void): AsyncIterable<T> {
  const buffer: T[] = [];
  let waiting: ((result: IteratorResult<T, undefined>) => void) | null = null;
  let ended = false;

  const onEvent = (value: T): void => {
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value, done: false });
    } else {
      buffer.push(value);
    }
  };
  const finish = (): void => {
    if (ended) return;
    ended = true;
    emitter.off('event', onEvent);
    emitter.off('end', finish);
    signal.removeEventListener('abort', finish);
    onDetach();
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value: undefined, done: true });
    }
  };

  if (signal.aborted) {
    ended = true;
    onDetach();
  } else {
    emitter.on('event', onEvent);
    emitter.on('end', finish);
    signal.addEventListener('abort', finish, { once: true });
  }

  const iterator: AsyncIterator<T, undefined> = {
    next() {
      if (buffer.length > 0) return Promise.resolve({ value: buffer.shift() as T, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      finish();
      buffer.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
