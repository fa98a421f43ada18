import { createImage2ModelClient, Image2ModelError, isImage2ModelError, type Image2ModelClient } from '../index.js';
import { createBarsView, createLinesView, createSilentView, type ProgressView } from './progress.js';

/** The options every command accepts (flags win over IMAGE2MODEL_URL and IMAGE2MODEL_API_KEY). */
export interface GlobalOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
  progress?: boolean;
}

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where answers to questions come from (Ctrl+C's "cancel the job too?"); none: nothing is asked. */
  stdin?: NodeJS.ReadableStream;
}

/** Exit codes: 0 success; 1 the request or a file failed; 2 the command line was wrong (bad flag, missing file). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class CommandContext {
  readonly client: Image2ModelClient;

  constructor(
    readonly options: GlobalOptions,
    readonly io: Io,
  ) {
    this.client = createImage2ModelClient({ baseUrl: options.url, apiKey: options.apiKey });
  }

  get json(): boolean {
    return this.options.json === true;
  }

  /** Prints the command's result: `json` with --json, else the human text. */
  result(human: string, json: unknown): void {
    this.io.stdout.write(this.json ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);
  }

  /** Side notes for people (never with --json, never on stdout). */
  note(message: string): void {
    if (!this.json) this.io.stderr.write(`${message}\n`);
  }

  progressView(): ProgressView {
    if (this.json) return createSilentView();
    if (this.options.progress !== false && this.io.stderr.isTTY === true) return createBarsView(this.io.stderr);
    return createLinesView(this.io.stderr);
  }

  requireApiKey(): void {
    if (!this.options.apiKey) {
      throw new Image2ModelError({
        code: 'AUTHENTICATION_REQUIRED',
        status: 0,
        message: 'No API key: pass --api-key or set IMAGE2MODEL_API_KEY',
      });
    }
  }
}

/** What to do about an error, in a sentence, for the codes people can fix themselves. */
function hintFor(error: Image2ModelError, options: Pick<GlobalOptions, 'apiKey'>): string | null {
  switch (error.code) {
    case 'NETWORK_ERROR':
      return 'Is the server running? Check --url or IMAGE2MODEL_URL.';
    case 'UNEXPECTED_RESPONSE':
    case 'INVALID_CONFIGURATION':
      return "Check --url or IMAGE2MODEL_URL: it is the server's origin, like http://localhost:8000.";
    case 'AUTHENTICATION_REQUIRED':
      return options.apiKey ? 'The server does not accept this API key: check --api-key or IMAGE2MODEL_API_KEY.' : 'Pass --api-key or set IMAGE2MODEL_API_KEY.';
    case 'INVALID_API_KEY':
      return 'This needs an admin API key (ADMIN_API_KEYS on the server).';
    case 'RATE_LIMIT_EXCEEDED':
      // Too many files in progress on this key: waiting helps, and so does cancelling some.
      if (error.details.reason === 'active_files') return 'See them with: image2model jobs --status processing; cancel with: image2model cancel <job_id>';
      return typeof error.details.retry_after === 'number' ? `Try again in ${error.details.retry_after} s.` : 'Try again later.';
    default:
      return null;
  }
}

export function exitCodeFor(error: unknown): number {
  if (!isImage2ModelError(error)) return EXIT.failed;
  // Nothing was sent: the command line (or its environment) was incomplete.
  if (error.code === 'FILE_NOT_FOUND' || error.code === 'INVALID_CONFIGURATION') return EXIT.usage;
  if (error.code === 'AUTHENTICATION_REQUIRED' && error.status === 0) return EXIT.usage;
  return EXIT.failed;
}

/** Prints a failure: one JSON document on stdout with --json, else `image2model: message` and a hint on stderr. */
export function reportError(error: unknown, options: GlobalOptions, io: Io): void {
  const known = isImage2ModelError(error)
    ? error
    : new Image2ModelError({ code: 'PROCESSING_ERROR', status: 0, message: error instanceof Error ? error.message : String(error), cause: error });
  const hint = hintFor(known, options);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ error: { ...known.toJSON(), hint } }, null, 2)}\n`);
    return;
  }
  const lines = [`image2model: ${known.message}${known.status > 0 ? ` [${known.code}, HTTP ${known.status}]` : ` [${known.code}]`}`];
  if (hint) lines.push(`  ${hint}`);
  if (known.requestId) lines.push(`  request id: ${known.requestId}`);
  io.stderr.write(`${lines.join('\n')}\n`);
}
