import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, ToChild } from './ipc.js';
import type { Scope } from './scope.js';

export interface NodeChild {
  pid: number;
  info: Record<string, unknown>;
  /** Runs a command in the child and returns its answer; rejects with the child's error. */
  call<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface StartChildOptions {
  /** The child's whole environment (nothing of the runner's leaks in but PATH). */
  env?: Record<string, string>;
  execArgv?: string[];
  readyTimeoutMs?: number;
}

/** A compiled bench script under bench/dist, by its path relative to bench/dist (e.g. `servers/bare-sse.js`). */
export function benchScript(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/** Forks a bench script with an IPC channel, waits for its `ready`, and stops it with the scope. */
export function startChild(script: string, scope: Scope, opts: StartChildOptions = {}): Promise<NodeChild> {
  const child = fork(script, [], {
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    execArgv: opts.execArgv ?? [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  scope.defer(stop);

  let nextId = 1;
  const replies = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const died = (code: number | null) => new Error(`${script} exited (${code}):\n${stderr.join('').slice(-4000)}`);
  void exited.then((code) => {
    for (const pending of replies.values()) pending.reject(died(code));
    replies.clear();
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${script} did not start:\n${stderr.join('')}`));
    }, opts.readyTimeoutMs ?? 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(died(code));
    });
    child.on('message', (raw: unknown) => {
      const message = raw as FromChild;
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve({
          pid: child.pid as number,
          info: message.info,
          call<T>(command: string, args: Record<string, unknown> = {}, timeoutMs = 120_000) {
            const id = nextId++;
            const call: ToChild = { type: 'call', id, command, args };
            return new Promise<T>((resolveCall, rejectCall) => {
              const callTimer = setTimeout(() => {
                replies.delete(id);
                rejectCall(new Error(`${script}: ${command} took over ${timeoutMs} ms`));
              }, timeoutMs);
              replies.set(id, {
                resolve: (value) => {
                  clearTimeout(callTimer);
                  resolveCall(value as T);
                },
                reject: (error) => {
                  clearTimeout(callTimer);
                  rejectCall(error);
                },
              });
              child.send(call);
            });
          },
          stop,
        });
      } else if (message.type === 'reply') {
        const pending = replies.get(message.id);
        replies.delete(message.id);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(new Error(message.error));
      }
    });
  });
}
