import { describe, expect, it } from 'vitest';
import { AppError } from '../../db/errors.js';
import { describeErrorBody, tokenExpiry } from '../../electron/pcrs/client.js';
import { planSlices } from '../../electron/pcrs/pull.js';
import { readRetryHint, RetryableError, RetryBudget, withRetries } from '../../electron/pcrs/retry.js';
import { isCallerMessage, isWorkerMessage } from '../../electron/workers/protocol.js';

describe('RetryBudget', () => {
  it('doubles the ceiling with full jitter', () => {
    const budget = new RetryBudget({ baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10, budgetMs: 1e9 }, () => 1);
    expect([1, 2, 3, 4, 5].map((attempt) => budget.delayFor(attempt, null))).toEqual([100, 200, 400, 800, 1000]);
  });

  it('uses the server hint as a floor', () => {
    const budget = new RetryBudget({ baseDelayMs: 100, maxDelayMs: 1000 }, () => 0);
    expect(budget.delayFor(1, 7000)).toBe(7000);
  });

  it('stops after maxAttempts', () => {
    const budget = new RetryBudget({ maxAttempts: 3 }, () => 0);
    expect(budget.delayFor(2, null)).toBe(0);
    expect(budget.delayFor(3, null)).toBeNull();
  });

  it('stops when the shared budget is spent', () => {
    const budget = new RetryBudget({ baseDelayMs: 1000, maxDelayMs: 1000, budgetMs: 2500 }, () => 1);
    expect(budget.delayFor(1, null)).toBe(1000);
    expect(budget.delayFor(1, null)).toBe(1000);
    expect(budget.delayFor(1, null)).toBeNull();
    expect(budget.spentMs).toBe(2000);
  });

  it('rejects a hint longer than maxHintMs', () => {
    const budget = new RetryBudget({ maxHintMs: 60_000 });
    expect(budget.delayFor(1, 3_600_000)).toBeNull();
  });
});

describe('withRetries', () => {
  it('retries retryable errors and then succeeds', async () => {
    const budget = new RetryBudget({ baseDelayMs: 1, maxDelayMs: 2 });
    let calls = 0;
    const value = await withRetries('test', budget, async () => {
      calls++;
      if (calls < 3) throw new RetryableError('server', 'HTTP 503');
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('stops at once on other errors', async () => {
    const budget = new RetryBudget({ baseDelayMs: 1 });
    let calls = 0;
    await expect(
      withRetries('test', budget, async () => {
        calls++;
        throw new AppError('AUTH', 'bad password');
      }),
    ).rejects.toMatchObject({ code: 'AUTH' });
    expect(calls).toBe(1);
  });

  it('reports RATE_LIMIT when the limit outlasts the retries', async () => {
    const budget = new RetryBudget({ baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 });
    await expect(
      withRetries('Get Policy List', budget, async () => {
        throw new RetryableError('rate-limit', 'HTTP 429', 1);
      }),
    ).rejects.toMatchObject({ code: 'RATE_LIMIT', message: expect.stringMatching(/Get Policy List failed: 2 attempts failed; last error: HTTP 429/) });
  });

  it('rejects with CANCELLED while waiting', async () => {
    const budget = new RetryBudget({ baseDelayMs: 10_000, maxDelayMs: 10_000 }, () => 1);
    const controller = new AbortController();
    const running = withRetries('test', budget, async () => {
      throw new RetryableError('network', 'reset');
    }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('readRetryHint', () => {
  it('prefers X-RateLimit-ToWait-Sec', () => {
    expect(readRetryHint({ 'x-ratelimit-towait-sec': '12', 'retry-after': '3' })).toBe(12_000);
  });

  it('reads Retry-After seconds and dates', () => {
    expect(readRetryHint({ 'retry-after': '3' })).toBe(3000);
    const now = Date.UTC(2025, 0, 1, 0, 0, 0);
    expect(readRetryHint({ 'retry-after': new Date(now + 5000).toUTCString() }, now)).toBe(5000);
  });

  it('returns null without hints', () => {
    expect(readRetryHint({})).toBeNull();
  });
});

describe('describeErrorBody', () => {
  it('reads the documented error shapes', () => {
    expect(describeErrorBody('{"status":401,"error":"Unauthorized","message":"JWT expired"}')).toBe('JWT expired');
    expect(describeErrorBody('[{"response":{"code":1905,"text":"policyId is not a number"}}]')).toBe('policyId is not a number (code 1905)');
    expect(describeErrorBody('{"message":"Invalid input Parameter."}')).toBe('Invalid input Parameter.');
    expect(describeErrorBody('<html><head><title>502 Bad Gateway</title></head></html>')).toBe('HTML error page "502 Bad Gateway"');
  });

  it('removes bearer tokens', () => {
    expect(describeErrorBody('{"message":"bad header Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl"}')).not.toMatch(/eyJ/);
  });
});

describe('tokenExpiry', () => {
  it('reads the exp claim', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 2_000_000_000 })).toString('base64url');
    expect(tokenExpiry(`eyJhbGciOiJIUzI1NiJ9.${payload}.sig`, 0)).toBe(2_000_000_000_000);
  });

  it('assumes 4 hours without a claim', () => {
    expect(tokenExpiry('opaque-token', 1000)).toBe(1000 + 4 * 3600 * 1000);
  });
});

describe('planSlices', () => {
  it('packs policies and splits large ones', () => {
    const slices = planSlices(
      [
        { policyId: '1', subscriptionId: '9', hostIds: ['a', 'b', 'c'] },
        { policyId: '2', subscriptionId: '9', hostIds: ['d', 'e', 'f', 'g', 'h'] },
        { policyId: '3', subscriptionId: '9', hostIds: [] },
      ],
      4,
    );
    expect(slices.map((slice) => slice.body.map((element) => `${element.policyId}:${element.hostIds.join('')}`))).toEqual([
      ['1:abc', '2:d'],
      ['2:efgh'],
    ]);
    expect(slices.map((slice) => slice.index)).toEqual([0, 1]);
  });
});

describe('worker protocol guards', () => {
  it('accepts well-formed envelopes', () => {
    expect(isWorkerMessage({ type: 'progress', seq: 1, kind: 'pull', progress: {} })).toBe(true);
    expect(isCallerMessage({ type: 'start', seq: 1, protocol: 1, job: { kind: 'import', options: {} } })).toBe(true);
    expect(isCallerMessage({ type: 'cancel', seq: 2 })).toBe(true);
  });

  it('rejects malformed envelopes', () => {
    expect(isWorkerMessage({ type: 'progress' })).toBe(false);
    expect(isWorkerMessage({ type: 'shout', seq: 1 })).toBe(false);
    expect(isCallerMessage({ type: 'start', seq: 1, protocol: 1, job: { kind: 'export' } })).toBe(false);
  });
});
