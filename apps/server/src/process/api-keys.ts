import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

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
  const stored = await readFile(path, 'utf8').then((text) => text.trim(), () => '');
  if (stored.length > 0) {
    opts.logger.info({ file: path }, `No API_KEYS configured: using the key stored in ${path}`);
    return { apiKeys: [], adminKeys: [stored] };
  }
  const key = `i2m_${randomBytes(24).toString('base64url')}`;
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  if (!opts.terminal) {
    opts.logger.warn({ file: path }, `No API_KEYS configured: generated an admin API key and stored it in ${path} (not printed: stdout is not a terminal)`);
    return { apiKeys: [], adminKeys: [key] };
  }
  opts.print(
    [
      '',
      '  No API_KEYS configured, so Image2Model generated an API key for you (shown only this once):',
      '',
      `    ${key}`,
      '',
      `  It is stored in ${path}. Send it as:  Authorization: Bearer <key>`,
      '',
    ].join('\n'),
  );
  return { apiKeys: [], adminKeys: [key] };
}
