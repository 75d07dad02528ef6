// Fault and limit settings, and the deterministic schedule that decides which request gets a fault.

export type ApiName = 'policyList' | 'hostids' | 'postureInfo';

/**
 * Which requests a fault hits. Requests are numbered from 1 per API since the simulator started.
 * `nth` lists request numbers, `every` hits each multiple of N, `next` hits the next N requests
 * after the fault was set. With none of the three, every request of the API is hit.
 */
export interface FaultTarget {
  api?: ApiName;
  nth?: number[];
  every?: number;
  next?: number;
}

export interface RateLimitSettings {
  /** Requests allowed per window and API. */
  limit: number;
  windowSec: number;
  /** `429` is the documented status. `409` sends the older body with code 1965, and `off` disables the limit. */
  mode: '429' | '409' | 'off';
}

export interface Faults {
  /** Lifetime of tokens issued from now on, in seconds. */
  tokenTtlSec: number;
  rateLimit: RateLimitSettings;
  /** Send 204 with no body instead of `[]` for an empty posture result. */
  emptyAs204: boolean;
  /** JSON 5xx response instead of the normal one. */
  serverError: (FaultTarget & { status?: number }) | null;
  /** Gateway-style HTML error page instead of the normal response. */
  htmlError: (FaultTarget & { status?: number }) | null;
  /** Delay before each chunk of the body (chunks of `chunkBytes`). */
  slow: (FaultTarget & { chunkDelayMs: number; chunkBytes?: number }) | null;
  /** Stop sending after `afterBytes` body bytes and keep the socket open. */
  stall: (FaultTarget & { afterBytes: number }) | null;
  /** Reset the TCP connection after `afterBytes` body bytes. */
  reset: (FaultTarget & { afterBytes: number }) | null;
  /** End the chunked response cleanly after `afterBytes` body bytes, which truncates the gzip stream. */
  gzipCut: (FaultTarget & { afterBytes: number }) | null;
  /** Send the body without length or chunking and close the connection after `afterBytes`, so the end looks normal. */
  earlyEnd: (FaultTarget & { afterBytes: number }) | null;
}

export const DEFAULT_FAULTS: Faults = {
  tokenTtlSec: 4 * 3600,
  rateLimit: { limit: 25, windowSec: 60, mode: '429' },
  emptyAs204: false,
  serverError: null,
  htmlError: null,
  slow: null,
  stall: null,
  reset: null,
  gzipCut: null,
  earlyEnd: null,
};

export type FaultName = 'serverError' | 'htmlError' | 'slow' | 'stall' | 'reset' | 'gzipCut' | 'earlyEnd';
export const FAULT_NAMES: readonly FaultName[] = ['serverError', 'htmlError', 'slow', 'stall', 'reset', 'gzipCut', 'earlyEnd'];

export type FaultSettings = Partial<Omit<Faults, 'rateLimit'>> & { rateLimit?: Partial<RateLimitSettings> };

/** Holds the current faults and the remaining counts of `next` targets. */
export class FaultSchedule {
  private faults: Faults = structuredClone(DEFAULT_FAULTS);
  private remaining = new Map<FaultName, number>();

  constructor(initial: FaultSettings = {}) {
    this.update(initial);
  }

  get current(): Readonly<Faults> {
    return this.faults;
  }

  /** Merges settings. A fault set to null is switched off, and a fault given anew restarts its `next` count. */
  update(settings: FaultSettings): void {
    const { rateLimit, ...rest } = settings;
    this.faults = { ...this.faults, ...rest, rateLimit: { ...this.faults.rateLimit, ...rateLimit } } as Faults;
    for (const name of FAULT_NAMES) {
      if (!(name in rest)) continue;
      const fault = this.faults[name];
      if (fault?.next !== undefined) this.remaining.set(name, fault.next);
      else this.remaining.delete(name);
    }
  }

  /** Tells whether a fault hits request number `n` of an API, and consumes a `next` count if so. */
  hits(name: FaultName, api: ApiName, n: number): boolean {
    const fault = this.faults[name];
    if (!fault || (fault.api ?? 'postureInfo') !== api) return false;
    if (fault.nth !== undefined) return fault.nth.includes(n);
    if (fault.every !== undefined) return fault.every > 0 && n % fault.every === 0;
    if (fault.next !== undefined) {
      const left = this.remaining.get(name) ?? 0;
      if (left <= 0) return false;
      this.remaining.set(name, left - 1);
      return true;
    }
    return true;
  }
}
