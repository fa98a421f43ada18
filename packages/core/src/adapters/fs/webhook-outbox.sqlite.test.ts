import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWebhookOutboxContract, makeDelivery } from '../../webhooks/webhook-outbox.contract.js';
import type { WebhookOutbox } from '../../webhooks/webhook-outbox.js';
import { SqliteWebhookOutbox } from './webhook-outbox.sqlite.js';

describeWebhookOutboxContract('SqliteWebhookOutbox', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'i2m-webhooks-'));
  const file = join(dir, 'webhooks.sqlite');
  const open: WebhookOutbox[] = [new SqliteWebhookOutbox({ file })];
  return {
    outbox: open[0]!,
    async reopen() {
      await open[0]!.close();
      open[0] = new SqliteWebhookOutbox({ file });
      return open[0];
    },
    async another() {
      const outbox = new SqliteWebhookOutbox({ file });
      open.push(outbox);
      return outbox;
    },
    async cleanup() {
      await Promise.all(open.map((outbox) => outbox.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteWebhookOutbox at open', () => {
  it('frees the claims of a process that died mid-attempt, so they are due at once rather than at the end of the lease', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'i2m-webhooks-'));
    const file = join(dir, 'webhooks.sqlite');
    const dead = new SqliteWebhookOutbox({ file });
    const delivery = makeDelivery();
    await dead.enqueue(delivery);
    expect(await dead.claimDue({ limit: 1, leaseMs: 3_600_000 })).toHaveLength(1);
    // No close: the process was killed (its connection simply goes away).
    const next = new SqliteWebhookOutbox({ file });
    try {
      const [claim] = await next.claimDue({ limit: 1, leaseMs: 60_000 });
      expect(claim?.delivery).toMatchObject({ id: delivery.id, attempts: 0, state: 'pending' });
    } finally {
      await next.close();
      await dead.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
