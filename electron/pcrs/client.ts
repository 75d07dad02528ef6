/**
 * HTTP client of the Qualys PCRS API: authentication with a JWT that is renewed before it
 * expires and once after a 401, the policy list, host ID resolution, and Get Posture Info
 * as a byte stream. Requests are paced to the documented rate limit and retried by the
 * policy in retry.ts. Proxies come from HTTPS_PROXY / HTTP_PROXY / NO_PROXY, and an extra
 * CA bundle is added to Node's default roots for TLS-inspecting corporate proxies.
 *
 * The password and the token live only in this object: they never enter URLs, messages
 * or logs, and every server text that reaches an error passes through `redactText`.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { AppError } from '../../db/errors.js';
import { redactText } from '../log.js';
import { postureInfoUrl, type ApiVersion, type PostureParams } from './params.js';
import { RetryableError, RetryBudget, readRetryHint, sleep, withRetries, type RetryEvent } from './retry.js';

/** The APIs the gateway rate-limits separately. */
export type PcrsApi = 'policyList' | 'hostids' | 'postureInfo';

export interface ClientTimeouts {
  /** TCP and TLS connection set-up. */
  connectMs: number;
  /** From the request to the response headers (the API can take minutes to start a big slice). */
  headersMs: number;
  /** Maximum silence between two body chunks before the stream counts as stalled. */
  bodyIdleMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = { connectMs: 30_000, headersMs: 300_000, bodyIdleMs: 120_000 };

export interface RateLimit {
  /** Requests per window and API. */
  requests: number;
  windowSec: number;
}

/** The documented default limit: 25 requests per 60 s per subscription and API. */
export const DEFAULT_RATE_LIMIT: RateLimit = { requests: 25, windowSec: 60 };

export interface ClientOptions {
  /** Gateway base URL, from `resolveGateway`. */
  gateway: URL;
  username: string;
  password: string;
  /** PEM file of extra CA certificates, added to Node's default roots. */
  caFile?: string;
  /** PEM text of extra CA certificates (same effect as `caFile`). */
  caPem?: string;
  /** Proxy settings; the environment variables apply when these are absent. */
  proxy?: { httpProxy?: string; httpsProxy?: string; noProxy?: string };
  timeouts?: Partial<ClientTimeouts>;
  /** Client-side pacing per API; null turns it off and leaves the limit to the server's 429s. */
  rateLimit?: RateLimit | null;
  retry?: RetryBudget;
  signal?: AbortSignal;
  onRetry?(event: RetryEvent & { api: PcrsApi | 'auth' }): void;
}

export interface PolicyInfo {
  id: number;
  title: string | null;
  status: string | null;
  lastEvaluatedDate: string | null;
}

export interface PolicyList {
  subscriptionId: string | null;
  policies: PolicyInfo[];
}

/** One element of the Resolve Host IDs output, as postureInfo takes it back. */
export interface HostIdsElement {
  policyId: string;
  subscriptionId: string;
  hostIds: string[];
  /** The API's text for a policy it could not resolve (unknown or not accessible). */
  error?: string;
}

export interface PostureResponse {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received, chunk by chunk; empty for 204. */
  body: AsyncIterable<Buffer>;
  /** Releases the connection when the caller stops reading early. */
  discard(): void;
}

const TOKEN_LIFETIME_MS = 4 * 3600 * 1000;
const ERROR_BODY_LIMIT = 64 * 1024;
const USER_AGENT = 'posture-workbench (PCRS client)';

/** Sliding-window pacing per API, so a pull stays under the gateway's limit instead of provoking 429s. */
class RequestPacer {
  private readonly sent = new Map<PcrsApi, number[]>();
  private readonly pausedUntil = new Map<PcrsApi, number>();

  constructor(private readonly limit: RateLimit | null) {}

  /** Holds every request of an API until `until` (after a 429 with a wait hint). */
  pause(api: PcrsApi, until: number): void {
    this.pausedUntil.set(api, Math.max(this.pausedUntil.get(api) ?? 0, until));
  }

  async acquire(api: PcrsApi, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      const paused = this.pausedUntil.get(api) ?? 0;
      if (paused > now) {
        await sleep(paused - now, signal);
        continue;
      }
      if (!this.limit) return;
      const windowMs = this.limit.windowSec * 1000;
      const times = (this.sent.get(api) ?? []).filter((time) => time > now - windowMs);
      this.sent.set(api, times);
      if (times.length < this.limit.requests) {
        times.push(now);
        return;
      }
      // The gateway's window starts when a request arrives, a little after it was stamped
      // here, so wait a margin past the window's end.
      await sleep(times[0]! + windowMs - now + windowMs * 0.05 + 100, signal);
    }
  }
}

/** TLS and socket errors that a retry cannot fix: certificates, names, proxies refusing. */
const PERMANENT_TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof Error) {
      if (current.message && !parts.includes(current.message)) parts.push(current.message);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return redactText(parts.join(': '));
}

/**
 * Classifies an error thrown while connecting or reading a body: cancellation, a TLS or
 * proxy problem that needs the user (NETWORK, not retried), or a transient network failure
 * (RetryableError).
 */
export function classifyTransportError(error: unknown, signal?: AbortSignal): Error {
  if (error instanceof AppError || error instanceof RetryableError) return error;
  if (signal?.aborted) return new AppError('CANCELLED', 'Cancelled by the user.');
  const codes = errorCodes(error);
  const text = errorText(error);
  const tls = codes.find((code) => PERMANENT_TLS_CODES.has(code));
  if (tls) {
    return new AppError(
      'NETWORK',
      `TLS verification failed (${tls}): ${text}. Behind a TLS-inspecting proxy, pass its CA certificate with --ca-file PATH.`,
      { cause: error },
    );
  }
  const proxy = /Proxy response \((\d+)\)/.exec(text);
  if (proxy) {
    const status = Number(proxy[1]);
    if (status === 407) {
      return new AppError('NETWORK', 'The proxy requires authentication (HTTP 407). Put the proxy user and password in HTTPS_PROXY (https://user:pass@proxy:port).', { cause: error });
    }
    if (status < 500) return new AppError('NETWORK', `The proxy refused the connection (HTTP ${status}). Check HTTPS_PROXY and NO_PROXY.`, { cause: error });
  }
  const timeout = codes.some((code) => code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT');
  return new RetryableError(timeout ? 'stream' : 'network', text || 'network failure', null, { cause: error });
}

/** Reads a PEM bundle; the result is added to the default roots, never used alone. */
function extraCertificates(options: ClientOptions): string[] {
  const extra: string[] = [];
  const read = (path: string, what: string) => {
    try {
      extra.push(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new AppError('USAGE', `Cannot read the CA bundle ${path} (${what}): ${(error as Error).message}. Give a readable PEM file.`);
    }
  };
  // Setting `ca` replaces Node's trust store, which would drop NODE_EXTRA_CA_CERTS; keep it.
  if (process.env.NODE_EXTRA_CA_CERTS) read(process.env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS');
  if (options.caFile) read(options.caFile, '--ca-file');
  if (options.caPem) extra.push(options.caPem);
  return extra;
}

function createDispatcher(options: ClientOptions, timeouts: ClientTimeouts): Dispatcher {
  const extra = extraCertificates(options);
  const tls = extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {};
  return new EnvHttpProxyAgent({
    ...options.proxy,
    connect: { timeout: timeouts.connectMs, ...tls },
    requestTls: { timeout: timeouts.connectMs, ...tls },
    proxyTls: { timeout: timeouts.connectMs, ...tls },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyIdleMs,
  });
}

/** Reads the expiry claim of a JWT without verifying it (the gateway verifies). */
export function tokenExpiry(token: string, issuedAt: number): number {
  const payload = token.split('.')[1];
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
      if (typeof claims.exp === 'number' && Number.isFinite(claims.exp)) return claims.exp * 1000;
    } catch {
      // Not a readable JWT payload: fall back to the documented 4-hour lifetime.
    }
  }
  return issuedAt + TOKEN_LIFETIME_MS;
}

/** Pulls a short, secret-free description out of an error body (JSON in several shapes, or HTML). */
export function describeErrorBody(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    const json = JSON.parse(trimmed) as unknown;
    const first = Array.isArray(json) ? json[0] : json;
    if (first && typeof first === 'object') {
      const record = first as Record<string, unknown>;
      const response = record.response as Record<string, unknown> | undefined;
      const message = record.message ?? record.error ?? response?.text;
      const code = record.code ?? response?.code;
      if (typeof message === 'string') return redactText(code !== undefined ? `${message} (code ${String(code)})` : message);
    }
  } catch {
    // Not JSON: gateways and proxies return HTML pages.
  }
  const title = /<title>([^<]*)<\/title>/i.exec(trimmed) ?? /<h1>([^<]*)<\/h1>/i.exec(trimmed);
  if (title) return redactText(`HTML error page "${title[1]!.trim()}"`);
  return redactText(trimmed.slice(0, 200).replace(/\s+/g, ' '));
}

async function readLimited(body: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    if (length < limit) chunks.push(chunk.subarray(0, limit - length));
    length += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function asString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

export class PcrsClient {
  readonly gateway: URL;
  readonly retry: RetryBudget;
  private readonly username: string;
  private readonly password: string;
  private readonly dispatcher: Dispatcher;
  private readonly timeouts: ClientTimeouts;
  private readonly pacer: RequestPacer;
  private readonly signal: AbortSignal | undefined;
  private readonly onRetry: ClientOptions['onRetry'];
  private token: string | null = null;
  private tokenExpiresAt = 0;
  private tokenIssuedAt = 0;
  private renewal: Promise<void> | null = null;
  /** Token renewals after the first sign-in, for progress and tests. */
  renewals = 0;

  constructor(options: ClientOptions) {
    this.gateway = options.gateway;
    this.username = options.username;
    this.password = options.password;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.dispatcher = createDispatcher(options, this.timeouts);
    this.pacer = new RequestPacer(options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit);
    this.retry = options.retry ?? new RetryBudget();
    this.signal = options.signal;
    this.onRetry = options.onRetry;
  }

  async close(): Promise<void> {
    await this.dispatcher.destroy().catch(() => {});
  }

  /** Signs in, or renews the token when it is missing or close to expiry. */
  async ensureToken(): Promise<string> {
    const lifetime = this.tokenExpiresAt - this.tokenIssuedAt;
    // Renew with a fifth of the lifetime left, at most 5 minutes ahead: a 4-hour token is
    // renewed after 3 h 55 min, and a short-lived test token well before it lapses.
    const margin = Math.min(5 * 60_000, lifetime / 5);
    if (this.token === null || Date.now() >= this.tokenExpiresAt - margin) await this.renewToken(this.token);
    return this.token!;
  }

  /** Replaces `stale` with a new token; concurrent callers share one sign-in. */
  private renewToken(stale: string | null): Promise<void> {
    if (this.token !== stale) return Promise.resolve();
    if (!this.renewal) {
      // The first sign-in fails fast: an unreachable gateway at the start is more often a wrong
      // URL or proxy setting than a dropped link, and nothing is lost by stopping early.
      const budget = stale === null && this.renewals === 0 ? new RetryBudget({ ...this.retry.policy, maxAttempts: 3, maxDelayMs: 2_000 }) : this.retry;
      this.renewal = withRetries('Sign-in to the Qualys gateway', budget, () => this.signIn(), {
        signal: this.signal,
        onRetry: (event) => this.onRetry?.({ ...event, api: 'auth' }),
      }).finally(() => {
        this.renewal = null;
      });
    }
    return this.renewal;
  }

  private async signIn(): Promise<void> {
    const url = new URL('auth', this.gateway);
    const form = new URLSearchParams({ username: this.username, password: this.password, token: 'true' });
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        signal: this.signal,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/plain, */*', 'user-agent': USER_AGENT },
        body: form.toString(),
      });
    } catch (error) {
      throw classifyTransportError(error, this.signal);
    }
    const text = await readLimited(response.body, ERROR_BODY_LIMIT).catch((error: unknown) => {
      throw classifyTransportError(error, this.signal);
    });
    const status = response.statusCode;
    if (status === 200 || status === 201) {
      const token = text.trim();
      if (!/^[A-Za-z0-9._~+/=-]+$/.test(token)) {
        throw new AppError('API', `The gateway ${this.gateway.host} returned HTTP ${status} to /auth without a token. Check the gateway URL.`);
      }
      const now = Date.now();
      if (this.token !== null) this.renewals++;
      this.token = token;
      this.tokenIssuedAt = now;
      this.tokenExpiresAt = tokenExpiry(token, now);
      return;
    }
    const detail = describeErrorBody(text);
    if (status === 401 || status === 403) {
      throw new AppError(
        'AUTH',
        `Authentication failed for user "${this.username}" at ${this.gateway.host} (HTTP ${status}${detail ? `: ${detail}` : ''}). ` +
          'Check the user name, the password and that the account may use the API.',
      );
    }
    throw this.statusError('Sign-in', status, response.headers, detail);
  }

  /** Turns a failed status into a retryable error or a plain AppError. */
  private statusError(what: string, status: number, headers: Dispatcher.ResponseData['headers'], detail: string): Error {
    const suffix = detail ? `: ${detail}` : '';
    if (status === 429 || status === 409) {
      return new RetryableError('rate-limit', `${what}: rate limited (HTTP ${status}${suffix})`, readRetryHint(headers));
    }
    if (status === 408 || status >= 500) {
      return new RetryableError('server', `${what}: HTTP ${status}${suffix}`, readRetryHint(headers));
    }
    if (status === 401 || status === 403) {
      return new AppError('AUTH', `${what} was rejected (HTTP ${status}${suffix}). Check that user "${this.username}" may use the PC API.`);
    }
    if (status === 414) {
      return new AppError('API', `${what} failed: HTTP 414, the request URL is too long. Give fewer policies.`);
    }
    return new AppError('API', `${what} failed with HTTP ${status}${suffix}. Check the parameters; retrying cannot fix this.`);
  }

  /**
   * Sends one request with pacing and a valid token. A 401 renews the token and resends once;
   * a second 401 is an AUTH error. Other failures throw RetryableError or AppError; the caller
   * decides about retries.
   */
  private async send(api: PcrsApi, url: URL, init: { method: 'GET' | 'POST'; body?: string }): Promise<Dispatcher.ResponseData> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.ensureToken();
      await this.pacer.acquire(api, this.signal);
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: init.method,
          dispatcher: this.dispatcher,
          signal: this.signal,
          headers: {
            authorization: `Bearer ${token}`,
            accept: '*/*',
            'user-agent': USER_AGENT,
            ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: init.body,
        });
      } catch (error) {
        throw classifyTransportError(error, this.signal);
      }
      if (response.statusCode < 300) return response;

      const text = await readLimited(response.body, ERROR_BODY_LIMIT).catch(() => '');
      const detail = describeErrorBody(text);
      const what = `${api} request ${url.pathname}`;
      if (response.statusCode === 401 && !renewed) {
        await this.renewToken(token);
        continue;
      }
      if (response.statusCode === 401) {
        throw new AppError('AUTH', `The gateway rejected a freshly issued token for ${url.pathname} (HTTP 401${detail ? `: ${detail}` : ''}). Sign in again later.`);
      }
      const error = this.statusError(what, response.statusCode, response.headers, detail);
      if (error instanceof RetryableError && error.reason === 'rate-limit' && error.hintMs !== null) {
        this.pacer.pause(api, Date.now() + error.hintMs);
      }
      throw error;
    }
  }

  private async getJson(api: PcrsApi, url: URL, what: string): Promise<unknown> {
    return withRetries(
      what,
      this.retry,
      async () => {
        const response = await this.send(api, url, { method: 'GET' });
        let text: string;
        try {
          text = await response.body.text();
        } catch (error) {
          throw classifyTransportError(error, this.signal);
        }
        try {
          return JSON.parse(text) as unknown;
        } catch {
          // A proxy can answer 200 with an HTML page, and a cut body is not JSON either.
          throw new RetryableError('stream', `${what}: the response is not valid JSON (${describeErrorBody(text) || 'empty body'})`);
        }
      },
      { signal: this.signal, onRetry: (event) => this.onRetry?.({ ...event, api }) },
    );
  }

  /** Get Policy List: every policy of the subscription, with the subscription ID. */
  async listPolicies(): Promise<PolicyList> {
    const url = new URL('pcrs/1.0/posture/policy/list', this.gateway);
    const json = await this.getJson('policyList', url, 'Get Policy List');
    const root = json as { subscriptionId?: unknown; policyList?: unknown };
    if (!root || typeof root !== 'object' || !Array.isArray(root.policyList)) {
      throw new AppError('API', 'Get Policy List returned no policyList array. Check the gateway URL.');
    }
    const policies: PolicyInfo[] = [];
    for (const entry of root.policyList as Record<string, unknown>[]) {
      const id = Number(asString(entry?.id));
      if (!Number.isSafeInteger(id)) continue;
      policies.push({
        id,
        title: asString(entry.title),
        status: asString(entry.status),
        lastEvaluatedDate: asString(entry.lastEvaluatedDate),
      });
    }
    return { subscriptionId: asString(root.subscriptionId), policies };
  }

  /** Resolve Host IDs, at most 10 policies per call as the API requires. */
  async resolveHostIds(policyIds: readonly number[]): Promise<HostIdsElement[]> {
    const elements: HostIdsElement[] = [];
    for (let start = 0; start < policyIds.length; start += 10) {
      const batch = policyIds.slice(start, start + 10);
      const url = new URL('pcrs/1.0/posture/hostids', this.gateway);
      url.searchParams.set('policyId', batch.join(','));
      const json = await this.getJson('hostids', url, `Resolve Host IDs for policies ${batch.join(', ')}`);
      if (!Array.isArray(json)) throw new AppError('API', 'Resolve Host IDs did not return a JSON array. Check the gateway URL.');
      for (const entry of json as Record<string, unknown>[]) {
        const policyId = asString(entry?.policyId);
        if (policyId === null) continue;
        const hostIds = Array.isArray(entry.hostIds) ? (entry.hostIds as unknown[]).map(asString).filter((id): id is string => id !== null) : [];
        const element: HostIdsElement = { policyId, subscriptionId: asString(entry.subscriptionId) ?? '', hostIds };
        if (typeof entry.error === 'string' && entry.error.trim() !== '') element.error = redactText(entry.error);
        elements.push(element);
      }
    }
    return elements;
  }

  /**
   * Get Posture Info for one request body, as a byte stream (gzip or JSON, as received).
   * One attempt: the caller retries around both the request and the reading of the body,
   * because a stream can fail long after the headers arrived.
   */
  async postureInfo(version: ApiVersion, params: PostureParams, body: readonly HostIdsElement[]): Promise<PostureResponse> {
    const url = postureInfoUrl(this.gateway, version, params);
    const payload = JSON.stringify(body.map(({ policyId, subscriptionId, hostIds }) => ({ policyId, subscriptionId, hostIds })));
    const response = await this.send('postureInfo', url, { method: 'POST', body: payload });
    const signal = this.signal;
    const stream = response.body;
    async function* chunks(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (error) {
        throw classifyTransportError(error, signal);
      }
    }
    return {
      url: url.toString(),
      status: response.statusCode,
      headers: response.headers,
      body: response.statusCode === 204 ? emptyBody() : chunks(),
      discard: () => {
        // Destroying the body rejects its pending reads; nobody waits for them any more.
        stream.on('error', () => {});
        stream.destroy();
      },
    };
  }
}

async function* emptyBody(): AsyncGenerator<Buffer> {
  // 204 No Content: an empty result.
}
