import { isImage2ModelError } from '@image2model/client';

const KEY_SOURCE = 'The server prints its API key at first start and keeps it in DATA_DIR/api-key.txt (data/api-key.txt by default).';

/** One sentence a person can act on, for any failure the client reports. */
export function describeError(error: unknown): string {
  if (!isImage2ModelError(error)) return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
  switch (error.code) {
    case 'AUTHENTICATION_REQUIRED':
      return /missing/i.test(error.message)
        ? `Enter your API key first (section 1). ${KEY_SOURCE}`
        : `The server did not accept this API key (wrong or revoked). Check it and save it again. ${KEY_SOURCE}`;
    case 'INVALID_API_KEY':
      return `This API key is not allowed to do that. ${KEY_SOURCE}`;
    case 'RATE_LIMIT_EXCEEDED': {
      // Too many files in progress on this key: the server's message gives the counts and what to do.
      if (error.details.reason === 'active_files') return error.message;
      const wait = Number(error.details.retry_after);
      return `Too many requests: the server's rate limit was reached. ${Number.isFinite(wait) && wait > 0 ? `Try again in ${Math.ceil(wait)} s.` : 'Wait a minute and try again.'}`;
    }
    case 'NETWORK_ERROR':
      return `Cannot reach the server (${error.message}). Is it still running?`;
    case 'NOT_FOUND':
      return 'This batch does not exist on this server, or it belongs to another API key.';
    case 'CONFLICT':
      return error.details.reason === 'nothing_to_retry'
        ? 'Nothing to retry: none of these files is failed or cancelled any more (another page may have retried them).'
        : error.message;
    default:
      return error.message;
  }
}

/** Seconds to wait before the server takes requests again, when the error says so. */
export function retryAfterSeconds(error: unknown): number | null {
  if (!isImage2ModelError(error) || error.code !== 'RATE_LIMIT_EXCEEDED') return null;
  const wait = Number(error.details.retry_after);
  return Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : 60;
}

/** The server refused the upload's webhook URL (not an https://, public address, say). */
export function isWebhookUrlError(error: unknown): boolean {
  return isImage2ModelError(error) && error.code === 'VALIDATION_ERROR' && error.details.field === 'webhook_url';
}
