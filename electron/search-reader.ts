/**
 * Runs search queries in reader threads (electron/workers/search-worker.ts), each with its
 * own read-only connection to the store, so the main process keeps handling IPC calls and job
 * events while a query reads a million postures.
 *
 * Two lanes, one thread each: pages (quick, needed for the first rows and for scrolling)
 * and counts (the match count and facets, which can take seconds on a broad query). A
 * slow count therefore never delays the next page. Each lane runs one query at a time
 * and keeps at most one waiting. A newer query supersedes the older ones of its lane:
 * they reject as CANCELLED at once, the waiting one never runs, and the reply of the
 * running one is dropped. SQLite cannot be interrupted through better-sqlite3, so the
 * running query still finishes before the newer one starts.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { AppError } from '../db/errors.js';
import type { FacetResult, SearchPage, SearchRequest } from '../db/search/search.js';
import { isSearchReaderReady, isSearchReply, type SearchQueryKind, type SearchQueryMessage, type SearchReaderData, type SearchReply } from './workers/search-protocol.js';
import { siblingModule, spawnWorker } from './workers/spawn.js';

export type SearchLane = 'pages' | 'counts';

interface PendingQuery {
  seq: number;
  kind: SearchQueryKind;
  request: SearchRequest;
  /** Set when a newer query superseded this one while it ran. */
  superseded: boolean;
  resolve(value: unknown): void;
  reject(error: AppError): void;
}

interface Lane {
  name: SearchLane;
  worker: Worker | null;
  /** Resolves when the lane's thread has opened its connection (or failed to). */
  started: Promise<void>;
  running: PendingQuery | null;
  waiting: PendingQuery | null;
}

export class SearchReader {
  private readonly lanes: Record<SearchLane, Lane> = {
    pages: { name: 'pages', worker: null, started: Promise.resolve(), running: null, waiting: null },
    counts: { name: 'counts', worker: null, started: Promise.resolve(), running: null, waiting: null },
  };
  private lastSeq = 0;
  private closed = false;

  constructor(
    private readonly dbPath: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts both reader threads ahead of the first search, which would otherwise wait for a
   * thread to load and open the store; resolves when both are ready.
   */
  async start(): Promise<void> {
    if (this.closed) return;
    const lanes = Object.values(this.lanes);
    for (const lane of lanes) this.workerOf(lane);
    await Promise.all(lanes.map((lane) => lane.started));
  }

  /** Returns one page of matching postures. */
  page(request: SearchRequest): Promise<SearchPage> {
    return this.query('pages', 'page', request) as Promise<SearchPage>;
  }

  /** Returns the first page with the match count and facet counts. */
  pageWithFacets(request: SearchRequest): Promise<SearchPage & FacetResult> {
    return this.query('counts', 'pageWithFacets', request) as Promise<SearchPage & FacetResult>;
  }

  /** Stops both reader threads; queries still open reject as CANCELLED. */
  async close(): Promise<void> {
    this.closed = true;
    const stopping: Promise<number>[] = [];
    for (const lane of Object.values(this.lanes)) {
      this.settleAll(lane, new AppError('CANCELLED', 'The application is closing.'));
      if (lane.worker) stopping.push(lane.worker.terminate());
      lane.worker = null;
    }
    await Promise.allSettled(stopping);
  }

  private query(laneName: SearchLane, kind: SearchQueryKind, request: SearchRequest): Promise<unknown> {
    if (this.closed) return Promise.reject(new AppError('CANCELLED', 'The application is closing.'));
    const lane = this.lanes[laneName];
    return new Promise((resolve, reject) => {
      const query: PendingQuery = { seq: ++this.lastSeq, kind, request, superseded: false, resolve, reject };
      const superseded = new AppError('CANCELLED', 'A newer search replaced this one.');
      lane.waiting?.reject(superseded);
      if (lane.running && !lane.running.superseded) {
        lane.running.superseded = true;
        lane.running.reject(superseded);
      }
      lane.waiting = query;
      this.dispatch(lane);
    });
  }

  private dispatch(lane: Lane): void {
    if (lane.running || !lane.waiting) return;
    const query = lane.waiting;
    lane.waiting = null;
    lane.running = query;
    const message: SearchQueryMessage = { type: 'query', seq: query.seq, kind: query.kind, request: query.request };
    this.workerOf(lane).postMessage(message);
  }

  private workerOf(lane: Lane): Worker {
    if (lane.worker) return lane.worker;
    const data: SearchReaderData = { dbPath: this.dbPath };
    const worker = spawnWorker(siblingModule(import.meta.url, 'workers/search-worker'), { workerData: data });
    let onStarted = () => {};
    lane.started = new Promise<void>((resolve) => (onStarted = resolve));
    worker.on('message', (message: unknown) => {
      if (isSearchReply(message)) this.onReply(lane, message);
      else if (isSearchReaderReady(message)) {
        if (message.error) this.logger.error({ lane: lane.name, code: message.error.code, error: message.error.message }, 'search reader could not open the store');
        onStarted();
      }
    });
    worker.on('error', (error) => {
      this.logger.error({ lane: lane.name, err: error }, 'search reader failed');
    });
    worker.on('exit', (code) => {
      onStarted();
      if (lane.worker !== worker) return;
      lane.worker = null;
      if (this.closed) return;
      // The next query starts a new thread, but the queries open now get no reply.
      this.logger.error({ lane: lane.name, code }, 'search reader stopped');
      this.settleAll(lane, new AppError('INTERNAL', `The search reader stopped unexpectedly (exit code ${code}). Search again.`));
    });
    // The thread must not keep the process alive on quit when close() was not called.
    worker.unref();
    lane.worker = worker;
    return worker;
  }

  private onReply(lane: Lane, reply: SearchReply): void {
    const query = lane.running;
    if (!query || query.seq !== reply.seq) {
      this.logger.warn({ lane: lane.name, seq: reply.seq, expected: query?.seq ?? null }, 'search reader reply without a matching query');
      return;
    }
    lane.running = null;
    if (query.superseded) this.logger.debug({ lane: lane.name, seq: reply.seq }, 'dropped the reply of a superseded search');
    else if (reply.ok) query.resolve(reply.value);
    else query.reject(new AppError(reply.error.code, reply.error.message));
    this.dispatch(lane);
  }

  private settleAll(lane: Lane, error: AppError): void {
    lane.running?.reject(error);
    lane.waiting?.reject(error);
    lane.running = null;
    lane.waiting = null;
  }
}
