import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { generateWebhookSecret } from '@image2model/core';
import { announceGeneratedSecret, readStoredSecret, storeGeneratedSecret } from './generated-secret.js';

export const WEBHOOK_SECRET_FILE = 'webhook-secret.txt';

/**
 * The secret webhooks are signed with: WEBHOOK_SECRET when set; else the one kept in DATA_DIR
 * (mode 0600), generated at first start and announced like the generated API key (in full only at
 * a terminal). In distributed mode the deployment's secret lives in Redis too, set by whichever
 * process came first (SET NX), so every worker signs alike even if one started before the file
 * existed on the shared volume.
 */
export async function resolveWebhookSecret(opts: {
  configured: string | undefined;
  dataDir: string;
  logger: Logger;
  print: (text: string) => void;
  terminal: boolean;
  /** Distributed mode: the Redis client and the key the deployment's secret is shared under. */
  shared?: { redis: Redis; key: string };
}): Promise<string> {
  if (opts.configured !== undefined) return opts.configured;
  const file = join(opts.dataDir, WEBHOOK_SECRET_FILE);
  const stored = await readStoredSecret(file);
  const candidate = stored || generateWebhookSecret();
  let secret = candidate;
  if (opts.shared) {
    const { redis, key } = opts.shared;
    // Plain commands, not core/distributed's wrappers: embedded mode must not load the Redis adapters (cold start).
    await redis.set(key, candidate, 'NX');
    secret = (await redis.get(key)) ?? candidate;
  }
  if (secret === stored) {
    opts.logger.info({ file }, `No WEBHOOK_SECRET configured: signing webhooks with the secret stored in ${file}`);
    return secret;
  }
  // Generated here, or by another process first: kept in the file unless one is already there.
  const kept = await storeGeneratedSecret(file, secret);
  if (kept && secret === candidate) {
    announceGeneratedSecret({
      secret,
      file,
      what: 'a webhook signing secret',
      because: 'No WEBHOOK_SECRET configured',
      lines: [
        'No WEBHOOK_SECRET configured, so Image2Model generated the secret webhooks are signed with (shown only this once):',
        '',
        '  {secret}',
        '',
        `It is stored in ${file}. Receivers verify the webhook-signature header with it.`,
      ],
      print: opts.print,
      terminal: opts.terminal,
      logger: opts.logger,
    });
  } else {
    opts.logger.info({ file }, 'No WEBHOOK_SECRET configured: signing webhooks with the secret this deployment shares through Redis');
  }
  return secret;
}
