/**
 * The text the page shows for an error. Kept apart from api.ts so unit tests can import it
 * without the page's globals.
 */
import type { ErrorInfo } from '../../../electron/contract.js';

/**
 * Summary of each error code for the user: its meaning and the next step. The message
 * from main follows as the detail, with command-line flags already replaced by the app's
 * wording (electron/ui-errors.ts).
 */
export const ERROR_SUMMARIES: Record<ErrorInfo['code'], string> = {
  USAGE: 'This action is not possible with these settings.',
  INVALID_INPUT: 'A value is invalid. Correct it and try again.',
  NOT_FOUND: 'The item was not found. It may have been deleted; reopen the screen to refresh it.',
  DATA: 'The data is malformed.',
  SCHEMA_NEWER: 'This database was written by a newer version of Posture Workbench. Install that version to open it.',
  AUTH: 'Sign-in failed. Check the API user name and password on the Connections screen.',
  NETWORK: 'The Qualys API could not be reached. Check the network, the proxy and the CA file on the Connections screen, then try again.',
  RATE_LIMIT: 'The Qualys API rate limit was reached. Wait a few minutes, then try again or resume the pull.',
  API: 'The Qualys API returned an error.',
  CANCELLED: 'Cancelled.',
  LOCKED: 'A sign-off protects this item, so it cannot be changed or deleted.',
  CONFLICT: 'This clashes with existing work.',
  IO: 'A file could not be read or written. Check the path and its permissions.',
  VERIFY_FAILED: 'Verification failed: the file does not match its recorded hashes.',
  INTERNAL: 'Something went wrong. Open the log folder (File menu) for details.',
};

/** Turns an error into the text the page shows: what it means and what to do, then the detail. */
export function describeError(error: ErrorInfo): string {
  const summary = ERROR_SUMMARIES[error.code] ?? ERROR_SUMMARIES.INTERNAL;
  const detail = error.message.trim();
  return detail ? `${summary} ${detail}` : summary;
}
