import { readFile, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';

/** A secret kept in a file under DATA_DIR (trimmed); '' when there is none. */
export async function readStoredSecret(path: string): Promise<string> {
  return readFile(path, 'utf8').then((text) => text.trim(), () => '');
}

/** Keeps a generated secret readable by this user only; never replaces one already there (false then). */
export async function storeGeneratedSecret(path: string, secret: string): Promise<boolean> {
  try {
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Tells the operator about a secret generated at first start, once: in full only to a terminal,
 * since stdout that goes to a file or a log collector (a container, CI) would keep the secret
 * where others read it; otherwise the log names the file it is kept in.
 */
export function announceGeneratedSecret(opts: {
  secret: string;
  file: string;
  /** What it is, for the log line ("an admin API key"). */
  what: string;
  /** Why it was generated ("No API_KEYS configured"). */
  because: string;
  /** The lines shown at a terminal; `{secret}` marks where the secret goes. */
  lines: string[];
  print: (text: string) => void;
  terminal: boolean;
  logger: Logger;
}): void {
  if (!opts.terminal) {
    opts.logger.warn({ file: opts.file }, `${opts.because}: generated ${opts.what} and stored it in ${opts.file} (not printed: stdout is not a terminal)`);
    return;
  }
  opts.print(['', ...opts.lines.map((line) => (line === '' ? '' : `  ${line.replace('{secret}', opts.secret)}`)), ''].join('\n'));
}
