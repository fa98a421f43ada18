import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { announceGeneratedSecret, readStoredSecret, storeGeneratedSecret } from './generated-secret.js';

export interface ApiKeys {
  apiKeys: string[];
  adminKeys: string[];
}

export const GENERATED_KEY_FILE = 'api-key.txt';

/**
 * With no keys configured the API is still never open: a key is generated on first start, kept
 * in DATA_DIR (mode 0600) and printed once, in full only to a terminal: stdout that goes to a file
 * or a log collector (a container, CI) would keep an admin key where others read it, so the log
 * names the file instead. It is an admin key, so one person's quick start can use every endpoint;
 * configure API_KEYS / ADMIN_API_KEYS for anything shared.
 *
 * In distributed mode the API processes may have no folder in common (a deployment on a bucket),
 * so the deployment's key lives in Redis too, set by whichever process came first (SET NX, as the
 * webhook secret), and every API process accepts that one; each keeps it in its own DATA_DIR.
 */
export async function resolveApiKeys(opts: {
  apiKeys: string[];
  adminKeys: string[];
  dataDir: string;
  logger: Logger;
  print: (text: string) => void;
  /** Whether `print` reaches a person at a terminal (stdout is a TTY). */
  terminal: boolean;
  /** Distributed mode: the Redis client and the key the deployment's generated key is shared under. */
  shared?: { redis: Redis; key: string } | undefined;
}): Promise<ApiKeys> {
  if (opts.apiKeys.length > 0 || opts.adminKeys.length > 0) return { apiKeys: opts.apiKeys, adminKeys: opts.adminKeys };
  const path = join(opts.dataDir, GENERATED_KEY_FILE);
  const stored = await readStoredSecret(path);
  const candidate = stored || `i2m_${randomBytes(24).toString('base64url')}`;
  let key = candidate;
  if (opts.shared) {
    const { redis, key: redisKey } = opts.shared;
    // Plain commands, not core/distributed's wrappers: embedded mode must not load the Redis adapters (cold start).
    await redis.set(redisKey, candidate, 'NX');
    key = (await redis.get(redisKey)) ?? candidate;
  }
  if (key === stored) {
    opts.logger.info({ file: path }, `No API_KEYS configured: using the key stored in ${path}`);
    return { apiKeys: [], adminKeys: [key] };
  }
  // Generated here, or by another process first: kept in the file unless one is already there.
  const kept = await storeGeneratedSecret(path, key);
  if (!kept && !opts.shared) throw new Error(`${path} appeared while a key was being generated; start again`);
  if (kept && key === candidate) {
    announceGeneratedSecret({
      secret: key,
      file: path,
      what: 'an admin API key',
      because: 'No API_KEYS configured',
      lines: [
        'No API_KEYS configured, so Image2Model generated an API key for you (shown only this once):',
        '',
        '  {secret}',
        '',
        `It is stored in ${path}. Send it as:  Authorization: Bearer <key>`,
      ],
      print: opts.print,
      terminal: opts.terminal,
      logger: opts.logger,
    });
  } else if (stored) {
    opts.logger.warn({ file: path }, `No API_KEYS configured: ${path} holds another key than the one this deployment shares through Redis (${opts.shared?.key ?? ''}); only the shared one is accepted`);
  } else {
    opts.logger.info({ file: path }, 'No API_KEYS configured: using the generated admin key this deployment shares through Redis');
  }
  return { apiKeys: [], adminKeys: [key] };
}
