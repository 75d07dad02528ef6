/**
 * Retry policy of the PCRS client: exponential backoff with full jitter, server hints
 * (`X-RateLimit-ToWait-Sec`, `Retry-After`) honoured, a cap on attempts per request and a
 * total budget of waiting time shared by every request of one pull. A pull that runs out of
 * budget stops with a resumable snapshot instead of retrying forever.
 */
import { AppError } from '../../db/errors.js';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Backoff before the second attempt; doubles with each further attempt. */
  baseDelayMs: number;
  /** Ceiling of one backoff delay (a server hint may ask for longer; it is honoured up to `maxHintMs`). */
  maxDelayMs: number;
  /** Longest server-requested wait that is honoured; longer hints fail the request at once. */
  maxHintMs: number;
  /** Total time one pull may spend waiting between retries. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxHintMs: 15 * 60_000,
  budgetMs: 45 * 60_000,
};

/** Why a failed attempt may succeed when repeated. */
export type RetryReason = 'rate-limit' | 'server' | 'network' | 'stream';

/** A failure that a later attempt can fix; anything else thrown stops the retries at once. */
export class RetryableError extends Error {
  constructor(
    readonly reason: RetryReason,
    message: string,
    /** Wait the server asked for, in milliseconds. */
    readonly hintMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  reason: RetryReason;
  message: string;
}

/**
 * Reads the wait a response asks for: `X-RateLimit-ToWait-Sec` first (the Qualys header),
 * then `Retry-After` in seconds or as an HTTP date. Returns milliseconds, or null.
 */
export function readRetryHint(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | null {
  const header = (name: string): string | undefined => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const toWait = header('x-ratelimit-towait-sec');
  if (toWait !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(toWait)) return Math.round(Number(toWait) * 1000);
  const retryAfter = header('retry-after');
  if (retryAfter === undefined) return null;
  if (/^\s*\d+\s*$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with a CANCELLED error when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelledError(): AppError {
  return new AppError('CANCELLED', 'Cancelled by the user.');
}

/** Tracks the attempts and the shared waiting budget; one instance per pull. */
export class RetryBudget {
  readonly policy: RetryPolicy;
  private spent = 0;
  private retries = 0;

  constructor(
    policy: Partial<RetryPolicy> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...policy };
  }

  /** Milliseconds spent waiting so far. */
  get spentMs(): number {
    return this.spent;
  }

  /** Retries scheduled so far. */
  get retryCount(): number {
    return this.retries;
  }

  /**
   * Returns the delay before attempt `attempt + 1` after a failed attempt `attempt`
   * (counted from 1), or null when the request or the pull is out of retries. Full jitter
   * spreads clients that failed together; a server hint is a floor, plus up to 10 % jitter.
   */
  delayFor(attempt: number, hintMs: number | null): number | null {
    const policy = this.policy;
    if (attempt >= policy.maxAttempts) return null;
    if (hintMs !== null && hintMs > policy.maxHintMs) return null;
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    let delay = Math.round(this.random() * ceiling);
    if (hintMs !== null) delay = Math.max(delay, hintMs + Math.round(this.random() * hintMs * 0.1));
    if (this.spent + delay > policy.budgetMs) return null;
    this.spent += delay;
    this.retries++;
    return delay;
  }
}

/**
 * Runs `attempt` until it succeeds, throws a non-retryable error, or runs out of retries.
 * Exhaustion throws RATE_LIMIT when the last failure was the rate limit, else NETWORK, with
 * the last failure in the message.
 */
export async function withRetries<T>(
  what: string,
  budget: RetryBudget,
  attempt: (attemptNumber: number) => Promise<T>,
  options: { signal?: AbortSignal; onRetry?(event: RetryEvent): void } = {},
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      if (options.signal?.aborted) throw cancelledError();
      const delay = budget.delayFor(attemptNumber, error.hintMs);
      if (delay === null) throw exhausted(what, attemptNumber, budget, error);
      options.onRetry?.({ attempt: attemptNumber, delayMs: delay, reason: error.reason, message: error.message });
      await sleep(delay, options.signal);
    }
  }
}

function exhausted(what: string, attempts: number, budget: RetryBudget, last: RetryableError): AppError {
  const why =
    last.hintMs !== null && last.hintMs > budget.policy.maxHintMs
      ? `the server asked to wait ${Math.round(last.hintMs / 1000)} s, longer than the ${Math.round(budget.policy.maxHintMs / 1000)} s allowed`
      : attempts >= budget.policy.maxAttempts
        ? `${attempts} attempts failed`
        : `the retry budget of ${Math.round(budget.policy.budgetMs / 1000)} s is used up`;
  const code = last.reason === 'rate-limit' ? 'RATE_LIMIT' : 'NETWORK';
  return new AppError(code, `${what} failed: ${why}; last error: ${last.message}`, { cause: last });
}
