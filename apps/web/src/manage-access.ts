import { isImage2ModelError, type Image2ModelClient } from '@image2model/client';
import { describeError } from './messages.js';

/** Whether this page may cancel and retry the batch's files, and if not, what to tell its reader. */
export type ManageAccess = { allowed: true } | { allowed: false; reason: string };

const WATCH_ONLY = 'A batch link alone lets you watch and download it.';

/**
 * Cancel and retry need the key that uploaded the batch; its `session_id` (the page's address)
 * only reads. The server answers a status read without the session id only for the owner's key
 * (anyone else gets the 404 of an unknown job), so that read tells them apart before any click.
 */
export async function checkManageAccess(client: Pick<Image2ModelClient, 'status'>, jobId: string, hasKey: boolean): Promise<ManageAccess> {
  if (!hasKey) return { allowed: false, reason: `Cancel and retry need the API key that uploaded this batch: enter it in section 1. ${WATCH_ONLY}` };
  try {
    await client.status.get.query({ job_id: jobId });
    return { allowed: true };
  } catch (error) {
    if (isImage2ModelError(error) && error.code === 'NOT_FOUND') {
      return { allowed: false, reason: `The API key in section 1 did not upload this batch: only the key that did can cancel or retry it. ${WATCH_ONLY}` };
    }
    return { allowed: false, reason: `Cancel and retry are off: ${describeError(error)}` };
  }
}
