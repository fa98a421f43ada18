import { EXIT, type CommandContext } from '../context.js';

/** Liveness and readiness; exits 1 when the server answers but is not ready. */
export async function runHealth(ctx: CommandContext): Promise<number> {
  const { client } = ctx;
  const health = await client.health.get.query();
  const ready = await client.health.ready.query();
  const checks = Object.entries(ready.checks).map(([name, value]) => `${name}: ${value}`).join(', ');
  const human = `${client.baseUrl} is ${health.status} and ${ready.status === 'ready' ? 'ready' : 'NOT ready'} (${checks})`;
  ctx.result(human, { url: client.baseUrl, status: health.status, ready });
  return ready.status === 'ready' ? EXIT.ok : EXIT.failed;
}
