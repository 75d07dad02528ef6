/**
 * Errors that cross a boundary (worker → caller, main → renderer, core → CLI) carry a
 * stable `code`. Callers branch on the code and show the message as written.
 */
export const ERROR_CODES = [
  'USAGE', // a wrong flag, parameter or combination of them
  'INVALID_INPUT', // a value that fails validation (a date, an ID, a path)
  'NOT_FOUND', // a snapshot, file or posture that does not exist
  'DATA', // malformed or truncated input data
  'SCHEMA_NEWER', // the database was written by a newer version of the app
  'AUTH', // rejected credentials or an expired token that could not be renewed
  'NETWORK', // connection, TLS, proxy or timeout failures, and exhausted retries
  'RATE_LIMIT', // the API's rate limit outlasted the retry budget
  'API', // an error response from the API that retrying cannot fix
  'CANCELLED', // the user cancelled the operation
  'LOCKED', // a sign-off protects the snapshot or report
  'CONFLICT', // the target exists (an output file without --force, a running pull)
  'IO', // a file system failure
  'VERIFY_FAILED', // a report, package or snapshot no longer matches its hashes
  'INTERNAL', // a bug: anything not classified above
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }

  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** Converts anything thrown into the `{code, message}` shape that crosses boundaries. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof AppError) return error.toJSON();
  if (isErrorInfo(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    const errno = (error as Error & { code?: unknown }).code;
    if (errno === 'SQLITE_BUSY' || errno === 'SQLITE_BUSY_SNAPSHOT' || errno === 'SQLITE_LOCKED') {
      return {
        code: 'CONFLICT',
        message:
          'The database is busy: another import, pull or export is writing to it and did not finish within 30 seconds. ' +
          'Wait for it to finish, then run this again.',
      };
    }
    if (errno === 'ENOENT') return { code: 'NOT_FOUND', message: error.message };
    if (errno === 'EACCES' || errno === 'EPERM' || errno === 'ENOSPC' || errno === 'EISDIR') {
      return { code: 'IO', message: error.message };
    }
    return { code: 'INTERNAL', message: error.message };
  }
  return { code: 'INTERNAL', message: String(error) };
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.message === 'string' &&
    typeof candidate.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(candidate.code)
  );
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
