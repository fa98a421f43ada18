/** The message protocol between the runner and the servers it forks (Node's IPC channel). */
export type ToChild = { type: 'call'; id: number; command: string; args: Record<string, unknown> };

export type FromChild =
  | { type: 'ready'; info: Record<string, unknown> }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

export type CommandHandlers = Record<string, (args: Record<string, unknown>) => unknown>;

function send(message: FromChild): void {
  process.send?.(message);
}

/** Child side: answers the runner's commands and tells it that this process is ready. */
export function serveCommands(handlers: CommandHandlers, info: Record<string, unknown>): void {
  if (!process.send) throw new Error('this script is forked by bench/run.js, with an IPC channel');
  // A runner that died or gave up must not leave servers behind.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw: unknown) => {
    const message = raw as ToChild;
    if (message.type !== 'call') return;
    const handler = handlers[message.command];
    void (async () => {
      try {
        if (!handler) throw new Error(`unknown command ${message.command}`);
        send({ type: 'reply', id: message.id, ok: true, value: (await handler(message.args)) ?? null });
      } catch (error) {
        send({ type: 'reply', id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  send({ type: 'ready', info });
}
