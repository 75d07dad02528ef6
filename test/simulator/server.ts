// HTTP server that behaves like the Qualys PCRS API, with switchable limits and faults.

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';

import { DataSet, dayStartMs, isoSeconds } from './dataset.js';
import type { DataOptions } from './dataset.js';
import { FaultSchedule } from './faults.js';
import type { ApiName, FaultName, FaultSettings, Faults } from './faults.js';
import { signToken, verifyToken } from './jwt.js';
import { badRequest, parsePostureQuery, parseVersion, readDate } from './query.js';
import type { PostureQuery, QueryError } from './query.js';
import { parseRequestBody, recordTexts } from './records.js';
import type { RequestItem } from './records.js';
import { jsonArrayChunks, waitForDrain } from './stream.js';

export interface SimulatorOptions extends DataOptions {
  /** TCP port on 127.0.0.1. 0 or absent picks a free port. */
  port?: number;
  /** Credentials accepted by /auth, `demo` / `demo` by default. */
  username?: string;
  password?: string;
  /** Initial faults and limits, which `setFaults` changes later. */
  faults?: FaultSettings;
  /** Clock in epoch milliseconds for token expiry and rate limits, Date.now by default. */
  now?: () => number;
  /** Number of entries kept in `requestLog`, oldest dropped first. */
  requestLogLimit?: number;
  /** Receives one line per request and per caught error. Nothing is logged by default. */
  log?: (line: string) => void;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Query string without the leading `?`. */
  query: string;
  status: number;
  /** Body bytes written to the socket (compressed bytes for gzip bodies). */
  bytes: number;
  /** Fault applied to this request, if any. */
  fault?: FaultName | 'rateLimit';
}

export interface SimulatorCounters {
  requests: number;
  auth: number;
  policyList: number;
  hostids: number;
  postureInfo: number;
  rateLimited: number;
  faults: number;
  records: number;
}

export interface Simulator {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly data: DataSet;
  readonly day: number;
  readonly requestLog: readonly RequestLogEntry[];
  readonly counters: Readonly<SimulatorCounters>;
  readonly faults: Readonly<Faults>;
  setFaults(settings: FaultSettings): void;
  setDay(day: number): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const UNAUTHENTICATED = { status: 401, error: 'Unauthorized', message: 'Not authenticated' };
const EXPIRED = { status: 401, error: 'Unauthorized', message: 'JWT expired' };

interface RateWindow {
  start: number;
  count: number;
}

interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  waitSec: number;
}

class SimulatorServer implements Simulator {
  readonly data: DataSet;
  readonly requestLog: RequestLogEntry[] = [];
  readonly counters: SimulatorCounters = { requests: 0, auth: 0, policyList: 0, hostids: 0, postureInfo: 0, rateLimited: 0, faults: 0, records: 0 };
  day: number;
  url = '';
  port = 0;

  private readonly server: Server;
  private readonly schedule: FaultSchedule;
  private readonly secret = randomBytes(32);
  private readonly now: () => number;
  private readonly username: string;
  private readonly password: string;
  private readonly logLimit: number;
  private readonly log: (line: string) => void;
  private readonly windows = new Map<ApiName, RateWindow>();
  private readonly openResponses = new Set<ServerResponse>();

  constructor(options: SimulatorOptions) {
    this.data = new DataSet(options);
    this.day = this.data.options.day;
    this.schedule = new FaultSchedule(options.faults);
    this.now = options.now ?? Date.now;
    this.username = options.username ?? 'demo';
    this.password = options.password ?? 'demo';
    this.logLimit = options.requestLogLimit ?? 10_000;
    this.log = options.log ?? (() => {});
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log(`error handling ${req.method} ${req.url}: ${String(error)}`);
        if (!res.headersSent) this.sendJson(res, 500, { status: 500, error: 'Internal Server Error', message: 'The simulator failed; see its log.' });
        else res.destroy();
      });
    });
  }

  get faults(): Readonly<Faults> {
    return this.schedule.current;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  setFaults(settings: FaultSettings): void {
    this.schedule.update(settings);
  }

  setDay(day: number): void {
    if (!Number.isInteger(day)) throw new RangeError(`Invalid day ${day}: expected an integer.`);
    this.day = day;
  }

  async close(): Promise<void> {
    for (const res of this.openResponses) res.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: RequestLogEntry = { method: req.method ?? '', path: url.pathname, query: url.search.slice(1), status: 0, bytes: 0 };
    this.counters.requests++;
    this.openResponses.add(res);
    res.on('close', () => {
      this.openResponses.delete(res);
      entry.status = res.statusCode;
      this.requestLog.push(entry);
      if (this.requestLog.length > this.logLimit) this.requestLog.splice(0, this.requestLog.length - this.logLimit);
      this.log(`${entry.method} ${entry.path}${url.search} -> ${entry.status} ${entry.bytes} bytes${entry.fault ? ` (${entry.fault})` : ''}`);
    });

    const path = url.pathname;
    if (path === '/auth') {
      if (req.method !== 'POST') return this.sendJson(res, 405, { status: 405, error: 'Method Not Allowed', message: 'Use POST for /auth.' }, entry);
      return this.handleAuth(req, res, entry);
    }
    if (path === '/pcrs/1.0/posture/policy/list') return this.api('policyList', 'GET', req, res, entry, () => this.handlePolicyList(url, res, entry));
    if (path === '/pcrs/1.0/posture/hostids') return this.api('hostids', 'GET', req, res, entry, () => this.handleHostIds(url, res, entry));

    const posture = /^\/pcrs\/([^/]+)\/posture\/postureInfo$/.exec(path);
    if (posture) {
      const version = parseVersion(posture[1]!);
      if (version === null) {
        return this.sendJson(res, 404, { status: 404, error: 'Not Found', message: `Unknown API version ${posture[1]}; use 1.0, 2.0 or 3.0.` }, entry);
      }
      return this.api('postureInfo', 'POST', req, res, entry, () => this.handlePostureInfo(version, url, req, res, entry));
    }
    return this.sendJson(res, 404, { status: 404, error: 'Not Found', message: `No endpoint ${req.method} ${path}.` }, entry);
  }

  /** Applies the steps every rate-limited API shares: error faults, method, token, rate limit. */
  private async api(api: ApiName, method: string, req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry, handler: () => Promise<void> | void): Promise<void> {
    const n = ++this.counters[api];
    // Gateway faults come first because a proxy in front of the API responds before the API checks anything.
    if (this.schedule.hits('htmlError', api, n)) return this.sendHtmlError(res, entry);
    if (this.schedule.hits('serverError', api, n)) {
      const status = this.faults.serverError?.status ?? 503;
      this.markFault(entry, 'serverError');
      return this.sendJson(res, status, { status, error: 'Service Unavailable', message: 'The service is temporarily unavailable. Retry later.' }, entry);
    }
    if (req.method !== method) {
      return this.sendJson(res, 405, { status: 405, error: 'Method Not Allowed', message: `Use ${method} for ${entry.path}.` }, entry);
    }

    const authError = this.checkToken(req);
    if (authError) return this.sendJson(res, 401, authError, entry);

    const rate = this.checkRate(api);
    for (const [name, value] of Object.entries(rate.headers)) res.setHeader(name, value);
    if (!rate.allowed) {
      this.counters.rateLimited++;
      entry.fault = 'rateLimit';
      res.setHeader('X-RateLimit-ToWait-Sec', String(rate.waitSec));
      res.setHeader('Retry-After', String(rate.waitSec));
      if (this.faults.rateLimit.mode === '409') {
        return this.sendJson(res, 409, { code: 1965, message: `API rate limit exceeded: ${rate.headers['X-RateLimit-Limit']} calls per ${this.faults.rateLimit.windowSec} s. Retry in ${rate.waitSec} s.` }, entry);
      }
      return this.sendJson(res, 429, { status: 429, error: 'Too Many Requests', message: `API rate limit exceeded. Retry in ${rate.waitSec} s.` }, entry);
    }
    await handler();
  }

  private checkToken(req: IncomingMessage): object | null {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return UNAUTHENTICATED;
    const check = verifyToken(match[1]!, this.secret, this.now());
    if (check.ok) return null;
    return check.reason === 'expired' ? EXPIRED : UNAUTHENTICATED;
  }

  /** Fixed window per API that opens with the first request after the previous one closed. */
  private checkRate(api: ApiName): RateDecision {
    const { limit, windowSec, mode } = this.faults.rateLimit;
    if (mode === 'off') return { allowed: true, headers: {}, waitSec: 0 };
    const now = this.now();
    const windowMs = windowSec * 1000;
    let window = this.windows.get(api);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(api, window);
    }
    const waitSec = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    const allowed = window.count < limit;
    if (allowed) window.count++;
    return {
      allowed,
      waitSec,
      headers: {
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': String(Math.max(0, limit - window.count)),
        'X-RateLimit-Window-Sec': String(windowSec),
        'X-ConcurrencyLimit-Limit': '10',
      },
    };
  }

  private async handleAuth(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): Promise<void> {
    this.counters.auth++;
    const body = await readBody(req, 64 * 1024);
    if (body === null) return this.sendJson(res, 413, { status: 413, error: 'Payload Too Large', message: 'The form body is larger than 64 KiB.' }, entry);
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('username') !== this.username || form.get('password') !== this.password) {
      return this.sendJson(res, 401, { status: 401, error: 'Unauthorized', message: 'Authentication failed: invalid username or password.' }, entry);
    }
    if (form.get('token') !== 'true') {
      return this.sendJson(res, 400, { status: 400, error: 'Bad Request', message: 'Form field token=true is required to receive a JWT.' }, entry);
    }
    const iat = Math.floor(this.now() / 1000);
    const token = signToken({ sub: this.username, iss: 'pcrs-simulator', iat, exp: iat + this.faults.tokenTtlSec, subscriptionId: this.data.subscription.subscriptionId }, this.secret);
    this.sendText(res, 201, token, 'text/plain;charset=UTF-8', entry);
  }

  private handlePolicyList(url: URL, res: ServerResponse, entry: RequestLogEntry): void {
    const since = readDate(url.searchParams, 'lastEvaluationDate');
    if (!since.ok) return this.sendError(res, since.error, entry);
    const policyList = this.data.policies
      .map((policy) => ({
        id: policy.id,
        title: policy.title,
        createdBy: 'pc_admin',
        createdDate: isoSeconds(dayStartMs(-400 + policy.index * 13) + 36_000_000),
        modifiedBy: policy.index % 2 === 0 ? 'compliance_lead' : 'pc_admin',
        modifiedDate: isoSeconds(dayStartMs(-20 - policy.index) + 50_400_000),
        // Scans end by 20:00 UTC, so the policy is evaluated a little later each day.
        lastEvaluatedDate: isoSeconds(dayStartMs(this.day) + 72_000_000 + 1_800_000 + policy.index * 60_000),
        status: policy.status,
        locked: policy.locked,
      }))
      .filter((policy) => since.value === undefined || Date.parse(policy.lastEvaluatedDate) >= since.value);
    this.sendJson(res, 200, { subscriptionId: this.data.subscription.subscriptionId, policyList }, entry);
  }

  private handleHostIds(url: URL, res: ServerResponse, entry: RequestLogEntry): void {
    const text = url.searchParams.get('policyId');
    if (text === null || text.trim() === '') {
      return this.sendJson(res, 400, [{ response: { code: 1905, text: 'Parameter policyId is required.' } }], entry);
    }
    const ids = text.split(',').map((s) => s.trim());
    const invalid = ids.find((id) => !/^\d{1,15}$/.test(id));
    if (invalid !== undefined) {
      return this.sendJson(res, 400, [{ response: { code: 1905, text: `Invalid value for parameter policyId: '${invalid}' is not a number.` } }], entry);
    }
    if (ids.length > 10) {
      return this.sendError(res, badRequest(`At most 10 policy IDs are allowed per request; ${ids.length} were given.`, 'policyId'), entry);
    }
    const since = readDate(url.searchParams, 'lastScanDate');
    if (!since.ok) return this.sendError(res, since.error, entry);

    const subscriptionId = String(this.data.subscription.subscriptionId);
    const result = ids.map((id) => {
      const policy = this.data.policyById(Number(id));
      if (!policy) return { policyId: id, subscriptionId, hostIds: [] as string[], error: `Policy ${id} does not exist or is not accessible to this user.` };
      const hostIds: string[] = [];
      for (let h = 0; h < this.data.options.hosts; h++) {
        if (!this.data.isMember(policy, h)) continue;
        if (since.value !== undefined && this.data.scanMs(this.data.host(h), this.day) < since.value) continue;
        hostIds.push(String(this.data.hostIdOf(h)));
      }
      return { policyId: id, subscriptionId, hostIds };
    });
    this.sendJson(res, 200, result, entry);
  }

  private async handlePostureInfo(version: 1 | 2 | 3, url: URL, req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): Promise<void> {
    const parsed = parsePostureQuery(version, url.searchParams);
    if (!parsed.ok) return this.sendError(res, parsed.error, entry);
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) return this.sendError(res, { status: 413, body: { status: 413, error: 'Payload Too Large', message: 'The request body is larger than 64 MiB.' } }, entry);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return this.sendError(res, badRequest('The request body is not valid JSON.'), entry);
    }
    const items = parseRequestBody(json);
    if (!items.ok) return this.sendError(res, items.error, entry);
    await this.streamPostures(parsed.value, items.value, res, entry);
  }

  private async streamPostures(query: PostureQuery, items: RequestItem[], res: ServerResponse, entry: RequestLogEntry): Promise<void> {
    const n = this.counters.postureInfo;
    const day = this.day;
    const texts = recordTexts(this.data, query, items, day);
    const first = texts.next();
    if (first.done && this.faults.emptyAs204) {
      res.writeHead(204);
      res.end();
      return;
    }
    const counters = this.counters;
    function* counted(): Generator<string> {
      if (first.done) return;
      counters.records++;
      yield first.value;
      for (const text of texts) {
        counters.records++;
        yield text;
      }
    }

    res.statusCode = 200;
    // The API sends gzip bytes as an opaque body, with no Content-Encoding, so HTTP clients
    // do not decompress it on their own.
    res.setHeader('Content-Type', query.compression ? 'application/octet-stream' : 'application/json;charset=UTF-8');
    const plan = this.streamPlan(n, entry);
    if (plan.action === 'earlyEnd') {
      // Without Content-Length and chunked encoding the body ends when the connection closes,
      // so a client cannot tell a cut body from a complete one.
      res.removeHeader('Transfer-Encoding');
      res.setHeader('Connection', 'close');
    }

    const source = Readable.from(jsonArrayChunks(counted()));
    const body: Readable = query.compression ? pipeline(source, createGzip(), () => {}) : source;
    try {
      await this.pump(body, res, entry, plan);
    } finally {
      body.destroy();
      source.destroy();
    }
  }

  private streamPlan(n: number, entry: RequestLogEntry): StreamPlan {
    const plan: StreamPlan = {};
    const faults = this.faults;
    if (this.schedule.hits('slow', 'postureInfo', n) && faults.slow) {
      plan.chunkDelayMs = faults.slow.chunkDelayMs;
      plan.chunkBytes = faults.slow.chunkBytes ?? 16 * 1024;
      this.markFault(entry, 'slow');
    }
    for (const name of ['stall', 'reset', 'gzipCut', 'earlyEnd'] as const) {
      const fault = faults[name];
      if (fault && this.schedule.hits(name, 'postureInfo', n)) {
        plan.action = name;
        plan.afterBytes = fault.afterBytes;
        this.markFault(entry, name);
        break;
      }
    }
    return plan;
  }

  /** Copies the body to the response with backpressure, applying the planned delay and cut. */
  private async pump(body: Readable, res: ServerResponse, entry: RequestLogEntry, plan: StreamPlan): Promise<void> {
    res.flushHeaders();
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const pieces = plan.chunkBytes ? splitBuffer(chunk, plan.chunkBytes) : [chunk];
      for (const piece of pieces) {
        if (res.destroyed) return;
        if (plan.chunkDelayMs) await sleep(plan.chunkDelayMs);
        if (plan.afterBytes !== undefined && entry.bytes + piece.length >= plan.afterBytes) {
          const head = piece.subarray(0, plan.afterBytes - entry.bytes);
          entry.bytes += head.length;
          await this.finishCut(res, head, plan.action!);
          return;
        }
        entry.bytes += piece.length;
        if (!res.write(piece)) await waitForDrain(res);
      }
    }
    if (plan.afterBytes !== undefined) {
      // The body was shorter than the cut point: the fault still closes the way it promises.
      await this.finishCut(res, Buffer.alloc(0), plan.action!);
      return;
    }
    res.end();
  }

  private async finishCut(res: ServerResponse, head: Buffer, action: NonNullable<StreamPlan['action']>): Promise<void> {
    await new Promise<void>((resolve) => {
      if (head.length === 0) resolve();
      else res.write(head, () => resolve());
    });
    switch (action) {
      case 'stall':
        // Keep the socket open with nothing more to send until close() or the client ends it.
        return;
      case 'reset':
        res.socket?.resetAndDestroy();
        return;
      case 'gzipCut':
      case 'earlyEnd':
        res.end();
        return;
    }
  }

  private sendHtmlError(res: ServerResponse, entry: RequestLogEntry): void {
    const status = this.faults.htmlError?.status ?? 502;
    const reasons: Record<number, string> = { 414: 'Request-URI Too Large', 504: 'Gateway Time-out' };
    const reason = reasons[status] ?? 'Bad Gateway';
    this.markFault(entry, 'htmlError');
    const html = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
    this.sendText(res, status, html, 'text/html', entry);
  }

  private markFault(entry: RequestLogEntry, fault: FaultName): void {
    entry.fault = fault;
    this.counters.faults++;
  }

  private sendError(res: ServerResponse, error: QueryError, entry: RequestLogEntry): void {
    this.sendJson(res, error.status, error.body, entry);
  }

  private sendJson(res: ServerResponse, status: number, body: unknown, entry?: RequestLogEntry): void {
    this.sendText(res, status, JSON.stringify(body), 'application/json;charset=UTF-8', entry);
  }

  private sendText(res: ServerResponse, status: number, text: string, contentType: string, entry?: RequestLogEntry): void {
    const buffer = Buffer.from(text, 'utf8');
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(buffer.length) });
    res.end(buffer);
    if (entry) entry.bytes = buffer.length;
  }
}

interface StreamPlan {
  chunkDelayMs?: number;
  chunkBytes?: number;
  afterBytes?: number;
  action?: 'stall' | 'reset' | 'gzipCut' | 'earlyEnd';
}

function splitBuffer(buffer: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < buffer.length; offset += size) pieces.push(buffer.subarray(offset, offset + size));
  return pieces;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads a request body, or returns null when it exceeds `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Starts a simulator on 127.0.0.1 and resolves once it accepts connections. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new SimulatorServer(options);
  await simulator.listen(options.port ?? 0);
  return simulator;
}
