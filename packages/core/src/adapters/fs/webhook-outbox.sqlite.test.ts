import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWebhookOutboxContract } from '../../webhooks/webhook-outbox.contract.js';
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
