import type { WebhookDelivery } from '../../index.js';
import { EXIT, type CommandContext } from '../context.js';

export interface WebhooksOptions {
  redeliver?: boolean;
}

function lastOutcome(delivery: WebhookDelivery): string {
  if (delivery.last_status !== null) return `HTTP ${delivery.last_status}`;
  return delivery.last_error ?? '-';
}

function formatDeliveries(deliveries: WebhookDelivery[]): string {
  if (deliveries.length === 0) return 'No webhook deliveries.';
  return deliveries
    .map((d) => {
      const next = d.next_attempt_at ? `  next ${d.next_attempt_at}` : '';
      return `${d.id}  ${d.type.padEnd(14)}  ${(d.file_id ?? '-').padEnd(8)}  ${d.state.padEnd(9)}  ${String(d.attempts).padStart(2)} attempt${d.attempts === 1 ? ' ' : 's'}  ${lastOutcome(d)}${next}`;
    })
    .join('\n');
}

/** A job's webhook deliveries; with --redeliver, its exhausted ones are queued again first. */
export async function runWebhooks(ctx: CommandContext, jobId: string, options: WebhooksOptions): Promise<number> {
  ctx.requireApiKey();
  const redelivered = options.redeliver ? (await ctx.client.jobs.redeliverWebhooks.mutate({ job_id: jobId })).redelivered : null;
  const listed = await ctx.client.jobs.webhooks.query({ job_id: jobId });
  const head = redelivered === null ? [] : [`${jobId}: ${redelivered} exhausted deliver${redelivered === 1 ? 'y' : 'ies'} queued again`];
  ctx.result([...head, formatDeliveries(listed.deliveries)].join('\n'), redelivered === null ? listed : { ...listed, redelivered });
  return EXIT.ok;
}
