import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
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
 */
export async function resolveApiKeys(opts: {
  apiKeys: string[];
  adminKeys: string[];
  dataDir: string;
  logger: Logger;
  print: (text: string) => void;
  /** Whether `print` reaches a person at a terminal (stdout is a TTY). */
  terminal: boolean;
}): Promise<ApiKeys> {
  if (opts.apiKeys.length > 0 || opts.adminKeys.length > 0) return { apiKeys: opts.apiKeys, adminKeys: opts.adminKeys };
  const path = join(opts.dataDir, GENERATED_KEY_FILE);
  const stored = await readStoredSecret(path);
  if (stored.length > 0) {
    opts.logger.info({ file: path }, `No API_KEYS configured: using the key stored in ${path}`);
    return { apiKeys: [], adminKeys: [stored] };
  }
  const key = `i2m_${randomBytes(24).toString('base64url')}`;
  if (!(await storeGeneratedSecret(path, key))) throw new Error(`${path} appeared while a key was being generated; start again`);
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
  return { apiKeys: [], adminKeys: [key] };
}
