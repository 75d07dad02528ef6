/**
 * A pull from the PCRS API into one snapshot: plan, fetch, finish, and resume.
 *
 * - Plan: sign in, list or take the policies, resolve their host IDs, cut the host IDs into
 *   slices, and store the snapshot (state 'building', scope known) with one `pull_slices`
 *   row per slice, all in one transaction.
 * - Fetch: each slice is one postureInfo request whose body streams through gunzip and the
 *   record scanner into the writer. A slice commits atomically with its raw response; a
 *   slice that fails mid-stream is dropped and fetched again.
 * - Finish: once every slice is done, the snapshot becomes complete.
 *
 * A cancelled, failed or killed pull keeps its done slices; `resume` fetches the rest.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../db/errors.js';
import { SnapshotWriter } from '../../db/snapshot-writer.js';
import { isProcessAlive, type Store } from '../../db/store.js';
import { feedRecords } from '../ingest/import.js';
import { redactText } from '../log.js';
import { PcrsClient, type ClientTimeouts, type HostIdsElement, type RateLimit } from './client.js';
import { parseApiVersion, validatePostureParams, type ApiVersion, type PostureParams } from './params.js';
import { resolveGateway } from './platforms.js';
import { RetryableError, RetryBudget, withRetries, type RetryEvent, type RetryPolicy } from './retry.js';

export interface PullConnection {
  /** A platform name from PLATFORM_GATEWAYS, or... */
  platform?: string;
  /** ...a gateway URL (private cloud platforms, the simulator). */
  gateway?: string;
  username: string;
  password: string;
  caFile?: string;
  caPem?: string;
  proxy?: { httpProxy?: string; httpsProxy?: string; noProxy?: string };
}

export interface PullOptions {
  connection: PullConnection;
  /** Required for a new pull; a resumed pull uses the version it started with. */
  api?: ApiVersion;
  /** Policies to pull; or `allPolicies` for every policy of the subscription. */
  policyIds?: number[];
  allPolicies?: boolean;
  params?: PostureParams;
  label?: string;
  note?: string;
  /** Snapshot id of an unfinished pull to continue. */
  resume?: number;
  /** Host IDs per postureInfo request. */
  sliceSize?: number;
  /** postureInfo requests in flight at once. */
  concurrency?: number;
  /** Keep each raw response body in the store (default true). */
  archive?: boolean;
  timeouts?: Partial<ClientTimeouts>;
  /** Client-side pacing; null leaves the limit to the server's 429 responses. */
  rateLimit?: RateLimit | null;
  retry?: Partial<RetryPolicy>;
  /** Attempts at a slice whose body arrives malformed or truncated, before the pull stops. */
  maxDataAttempts?: number;
  signal?: AbortSignal;
  onProgress?(progress: PullProgress): void;
}

export type PullPhase = 'connect' | 'policies' | 'hostids' | 'plan' | 'fetch' | 'finish';

export interface PullProgress {
  phase: PullPhase;
  snapshotId: number | null;
  slicesDone: number;
  slicesTotal: number;
  /** Records in done slices plus those streamed so far in slices in flight. */
  records: number;
  /** Response bytes as received (compressed), this run and earlier runs. */
  bytes: number;
  recordsPerSecond: number;
  etaSeconds: number | null;
  retries: number;
  /** The last retry, which tells a user on a bad link why the pull waits. */
  lastRetry: string | null;
}

export interface PullResult {
  snapshotId: number;
  resumed: boolean;
  apiVersion: string;
  gateway: string;
  policies: number;
  hosts: number;
  slices: number;
  /** Records stored in the snapshot (postures). */
  records: number;
  duplicates: number;
  byStatus: Record<string, number>;
  /** Response bytes across all slices, as received. */
  bytes: number;
  inputSha256: string;
  archived: boolean;
  retries: number;
  tokenRenewals: number;
  durationMs: number;
}

/** Settings stored in `snapshots.params`, so a resumed pull sends exactly the same requests. */
interface StoredPullParams {
  kind: 'pull';
  api: string;
  query: PostureParams;
  policies: number[] | 'all';
  username: string;
  sliceSize: number;
  archive: boolean;
}

export interface SliceBody {
  index: number;
  body: HostIdsElement[];
}

// 500 host IDs per request and 2 in flight stay well under 25 requests a minute when a
// slice takes a few seconds, and keep each slice's archived body to a few megabytes.
export const DEFAULT_SLICE_SIZE = 500;
export const DEFAULT_CONCURRENCY = 2;
const DEFAULT_MAX_DATA_ATTEMPTS = 3;

/** Cuts the resolved host IDs into request bodies of at most `sliceSize` host IDs, policies packed together. */
export function planSlices(elements: readonly HostIdsElement[], sliceSize: number): SliceBody[] {
  if (!Number.isInteger(sliceSize) || sliceSize < 1) throw new AppError('USAGE', `Slice size must be a whole number of at least 1, got ${sliceSize}.`);
  const slices: SliceBody[] = [];
  let current: HostIdsElement[] = [];
  let count = 0;
  const close = () => {
    if (count === 0) return;
    slices.push({ index: slices.length, body: current });
    current = [];
    count = 0;
  };
  for (const element of elements) {
    for (let start = 0; start < element.hostIds.length; ) {
      const take = Math.min(sliceSize - count, element.hostIds.length - start);
      current.push({ policyId: element.policyId, subscriptionId: element.subscriptionId, hostIds: element.hostIds.slice(start, start + take) });
      count += take;
      start += take;
      if (count >= sliceSize) close();
    }
  }
  close();
  return slices;
}

function toIntegerId(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new AppError('API', `The API returned a non-numeric ${what} "${text}".`);
  return value;
}

/** The state a run needs, whether it planned the pull itself or resumes one. */
interface PullRun {
  writer: SnapshotWriter;
  version: ApiVersion;
  stored: StoredPullParams;
  gateway: URL;
  resumed: boolean;
}

class ProgressTracker {
  phase: PullPhase = 'connect';
  snapshotId: number | null = null;
  slicesDone = 0;
  slicesTotal = 0;
  committedRecords = 0;
  inflightRecords = new Map<number, number>();
  bytes = 0;
  retries = 0;
  lastRetry: string | null = null;
  private readonly startedAt = performance.now();
  private recordsAtStart = 0;
  private slicesAtStart = 0;
  private fetchStartedAt = performance.now();

  constructor(private readonly emit: ((progress: PullProgress) => void) | undefined) {}

  startFetch(): void {
    this.recordsAtStart = this.committedRecords;
    this.slicesAtStart = this.slicesDone;
    this.fetchStartedAt = performance.now();
  }

  get records(): number {
    let inflight = 0;
    for (const count of this.inflightRecords.values()) inflight += count;
    return this.committedRecords + inflight;
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  report(phase?: PullPhase): void {
    if (phase) this.phase = phase;
    if (!this.emit) return;
    const seconds = (performance.now() - this.fetchStartedAt) / 1000;
    const records = this.records;
    const doneThisRun = this.slicesDone - this.slicesAtStart;
    const remaining = this.slicesTotal - this.slicesDone;
    this.emit({
      phase: this.phase,
      snapshotId: this.snapshotId,
      slicesDone: this.slicesDone,
      slicesTotal: this.slicesTotal,
      records,
      bytes: this.bytes,
      recordsPerSecond: seconds > 0 && this.phase === 'fetch' ? (records - this.recordsAtStart) / seconds : 0,
      etaSeconds: doneThisRun > 0 ? (seconds / doneThisRun) * remaining : null,
      retries: this.retries,
      lastRetry: this.lastRetry,
    });
  }
}

/**
 * Runs a new pull, or resumes one with `options.resume`. Parameters are validated before any
 * request. On failure or cancel the snapshot stays 'building' and the error message names
 * the snapshot id to resume.
 */
export async function runPull(store: Store, options: PullOptions): Promise<PullResult> {
  const progress = new ProgressTracker(options.onProgress);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  // 1. Everything that needs no network: parameters, gateway, and the resumed snapshot.
  const prepared = prepare(store, options);
  const budget = new RetryBudget(options.retry);
  const client = new PcrsClient({
    gateway: prepared.gateway,
    username: options.connection.username || prepared.stored?.username || '',
    password: options.connection.password,
    caFile: options.connection.caFile,
    caPem: options.connection.caPem,
    proxy: options.connection.proxy,
    timeouts: options.timeouts,
    rateLimit: options.rateLimit,
    retry: budget,
    signal: stop.signal,
    onRetry: (event: RetryEvent & { api: string }) => {
      progress.retries++;
      progress.lastRetry = `${event.api}: ${event.message}; retry in ${(event.delayMs / 1000).toFixed(1)} s`;
      progress.report();
    },
  });

  let run: PullRun | null = null;
  try {
    // 2. Sign in, then plan a new pull or reopen the unfinished one.
    progress.report('connect');
    await client.ensureToken();
    run = prepared.resumeId !== null ? reopen(store, prepared.resumeId, prepared) : await plan(store, client, options, prepared, progress);
    progress.snapshotId = run.writer.snapshotId;

    // 3. Fetch every slice that is not done yet.
    await fetchSlices(store, client, run, options, progress, stop);

    // 4. Make the snapshot visible.
    progress.report('finish');
    const input = store.sqlite
      .prepare('SELECT sha256, byte_length AS bytes FROM raw_responses WHERE snapshot_id = ? ORDER BY slice_index')
      .all(run.writer.snapshotId) as { sha256: string; bytes: number }[];
    const inputSha256 = createHash('sha256')
      .update(input.map((row) => row.sha256).join(''))
      .digest('hex');
    const inputBytes = input.reduce((sum, row) => sum + row.bytes, 0);
    const summary = run.writer.finish({ inputSha256, inputBytes });
    const scope = store.sqlite
      .prepare('SELECT count(DISTINCT policy_id) AS policies, count(DISTINCT host_id) AS hosts FROM snapshot_hosts WHERE snapshot_id = ?')
      .get(summary.snapshotId) as { policies: number; hosts: number };
    const policies = store.sqlite.prepare('SELECT count(*) AS count FROM snapshot_policies WHERE snapshot_id = ?').get(summary.snapshotId) as {
      count: number;
    };
    return {
      snapshotId: summary.snapshotId,
      resumed: run.resumed,
      apiVersion: run.stored.api,
      gateway: run.gateway.toString(),
      policies: policies.count,
      hosts: scope.hosts,
      slices: progress.slicesTotal,
      records: summary.records,
      duplicates: summary.duplicates,
      byStatus: summary.statusCounts,
      bytes: inputBytes,
      inputSha256,
      archived: run.stored.archive,
      retries: budget.retryCount,
      tokenRenewals: client.renewals,
      durationMs: Math.round(progress.elapsedMs()),
    };
  } catch (error) {
    throw failPull(run, error, options.signal, progress);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await client.close();
  }
}

interface Prepared {
  gateway: URL;
  version: ApiVersion | null;
  query: PostureParams;
  resumeId: number | null;
  stored: StoredPullParams | null;
}

function prepare(store: Store, options: PullOptions): Prepared {
  if (options.resume === undefined) {
    if (options.api === undefined) throw new AppError('USAGE', 'Missing --api: give 1, 2 or 3 (the Get Posture Info version).');
    const query = validatePostureParams(options.api, options.params ?? {});
    if (!options.allPolicies && (options.policyIds?.length ?? 0) === 0) {
      throw new AppError('USAGE', 'No policy given: pass --policy ID (repeatable) or --all-policies.');
    }
    if (options.allPolicies && (options.policyIds?.length ?? 0) > 0) {
      throw new AppError('USAGE', 'Give either --policy or --all-policies, not both.');
    }
    if (!options.connection.username) throw new AppError('USAGE', 'Missing --username for the Qualys account.');
    checkTuning(options);
    return { gateway: resolveGateway(options.connection), version: options.api, query, resumeId: null, stored: null };
  }

  // A resumed pull repeats the stored requests; conflicting settings are an error, not a surprise.
  const row = store.sqlite
    .prepare('SELECT state, source_kind AS kind, source, params, owner_pid AS ownerPid FROM snapshots WHERE id = ?')
    .get(options.resume) as { state: string; kind: string; source: string; params: string | null; ownerPid: number | null } | undefined;
  if (!row) throw new AppError('NOT_FOUND', `Snapshot ${options.resume} does not exist. List unfinished pulls with \`posture-workbench snapshots --all\`.`);
  if (row.kind !== 'pull') throw new AppError('USAGE', `Snapshot ${options.resume} is a file import, not a pull; only pulls can be resumed.`);
  if (row.state !== 'building') throw new AppError('CONFLICT', `Snapshot ${options.resume} is already complete; there is nothing to resume.`);
  if (row.ownerPid !== null && isProcessAlive(row.ownerPid)) {
    throw new AppError('CONFLICT', `Snapshot ${options.resume} is being pulled by process ${row.ownerPid}. Wait for it, or stop it first.`);
  }
  const stored = JSON.parse(row.params ?? '{}') as StoredPullParams;
  if (stored.kind !== 'pull') throw new AppError('DATA', `Snapshot ${options.resume} has no stored pull settings and cannot be resumed.`);
  const version = parseApiVersion(stored.api);
  if (options.api !== undefined && options.api !== version) {
    throw new AppError('USAGE', `Snapshot ${options.resume} was pulled with --api ${version}; resume it without --api or with --api ${version}.`);
  }
  const gateway = new URL(row.source);
  if (options.connection.platform !== undefined || options.connection.gateway !== undefined) {
    const given = resolveGateway(options.connection);
    if (given.toString() !== gateway.toString()) {
      throw new AppError('USAGE', `Snapshot ${options.resume} was pulled from ${gateway.toString()}, not ${given.toString()}; resume it without --platform/--gateway.`);
    }
  }
  if (options.connection.username && options.connection.username !== stored.username) {
    throw new AppError('USAGE', `Snapshot ${options.resume} was pulled as user "${stored.username}"; resume it with the same --username.`);
  }
  checkTuning(options);
  return { gateway, version, query: stored.query, resumeId: options.resume, stored };
}

function checkTuning(options: PullOptions): void {
  if (options.sliceSize !== undefined && (!Number.isInteger(options.sliceSize) || options.sliceSize < 1 || options.sliceSize > 10_000)) {
    throw new AppError('USAGE', `--slice-size must be a whole number from 1 to 10000, got ${options.sliceSize}.`);
  }
  if (options.concurrency !== undefined && (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 10)) {
    throw new AppError('USAGE', `--concurrency must be a whole number from 1 to 10 (the gateway allows 10 concurrent calls), got ${options.concurrency}.`);
  }
}

/** Resolves policies and host IDs and stores the snapshot with its slice plan. */
async function plan(store: Store, client: PcrsClient, options: PullOptions, prepared: Prepared, progress: ProgressTracker): Promise<PullRun> {
  const version = prepared.version!;

  // 1. Policies: the subscription's list, or the IDs given.
  let policyIds: number[];
  if (options.allPolicies) {
    progress.report('policies');
    const list = await client.listPolicies();
    policyIds = list.policies.map((policy) => policy.id);
    if (policyIds.length === 0) throw new AppError('NOT_FOUND', `The subscription at ${client.gateway.host} has no compliance policies to pull.`);
  } else {
    policyIds = [...new Set(options.policyIds!)];
  }

  // 2. Host IDs, 10 policies per call; an unknown policy stops the pull before anything is stored.
  progress.report('hostids');
  const elements = await client.resolveHostIds(policyIds);
  const failed = elements.filter((element) => element.error !== undefined);
  if (failed.length > 0) {
    const detail = failed.map((element) => `${element.policyId} (${element.error})`).join('; ');
    throw new AppError('NOT_FOUND', `Policies not found or not accessible: ${detail}. Check the IDs with --all-policies or in Qualys.`);
  }
  const returned = new Set(elements.map((element) => toIntegerId(element.policyId, 'policy ID')));
  const missing = policyIds.filter((id) => !returned.has(id));
  if (missing.length > 0) throw new AppError('NOT_FOUND', `Resolve Host IDs returned nothing for policies ${missing.join(', ')}. Check the IDs.`);

  // 3. Slices and the snapshot, stored in one transaction so a plan is whole or absent.
  progress.report('plan');
  const sliceSize = options.sliceSize ?? DEFAULT_SLICE_SIZE;
  const slices = planSlices(elements, sliceSize);
  const hostScope: { policyId: number; hostId: number }[] = [];
  for (const element of elements) {
    const policyId = toIntegerId(element.policyId, 'policy ID');
    for (const hostId of element.hostIds) hostScope.push({ policyId, hostId: toIntegerId(hostId, 'host ID') });
  }
  const stored: StoredPullParams = {
    kind: 'pull',
    api: `${version}.0`,
    query: prepared.query,
    policies: options.allPolicies ? 'all' : policyIds,
    username: options.connection.username,
    sliceSize,
    archive: options.archive ?? true,
  };
  const platform = options.connection.platform?.toUpperCase();
  const label = options.label?.trim() || `Pull ${platform ?? prepared.gateway.host} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
  const insertSlice = store.sqlite.prepare("INSERT INTO pull_slices (snapshot_id, slice_index, body, state, records) VALUES (?, ?, ?, 'pending', 0)");
  const writer = store.sqlite.transaction(() => {
    const created = SnapshotWriter.begin(store, {
      label,
      note: options.note ?? '',
      sourceKind: 'pull',
      source: prepared.gateway.toString(),
      apiVersion: stored.api,
      params: stored as unknown as Record<string, unknown>,
      policyScope: policyIds,
      hostScope,
    });
    for (const slice of slices) insertSlice.run(created.snapshotId, slice.index, JSON.stringify(slice.body));
    return created;
  }).immediate();
  return { writer, version, stored, gateway: prepared.gateway, resumed: false };
}

/**
 * Reopens an unfinished pull. Member rows of slices that were not done belong to a slice a
 * crash cut off, so they are deleted before those slices are fetched again: slices cover
 * disjoint (policy, host) pairs, which makes the deletion exact.
 */
function reopen(store: Store, snapshotId: number, prepared: Prepared): PullRun {
  const sqlite = store.sqlite;
  const pending = sqlite
    .prepare("SELECT body FROM pull_slices WHERE snapshot_id = ? AND state = 'pending'")
    .all(snapshotId) as { body: string }[];
  const remove = sqlite.prepare(
    'DELETE FROM snapshot_members WHERE snapshot_id = ? AND posture_id IN (SELECT id FROM postures WHERE policy_id = ? AND host_id = ?)',
  );
  sqlite.transaction(() => {
    // 1. Members written by slices that never committed.
    for (const row of pending) {
      for (const element of JSON.parse(row.body) as HostIdsElement[]) {
        const policyId = Number(element.policyId);
        for (const hostId of element.hostIds) remove.run(snapshotId, policyId, Number(hostId));
      }
    }

    // 2. Raw responses of slices that are not done (a commit inserts both together, so this is a safeguard).
    sqlite
      .prepare("DELETE FROM raw_responses WHERE snapshot_id = ? AND slice_index IN (SELECT slice_index FROM pull_slices WHERE snapshot_id = ? AND state = 'pending')")
      .run(snapshotId, snapshotId);
  }).immediate();
  const writer = SnapshotWriter.resume(store, snapshotId);
  return { writer, version: prepared.version!, stored: prepared.stored!, gateway: prepared.gateway, resumed: true };
}

interface SliceRow {
  index: number;
  body: HostIdsElement[];
}

async function fetchSlices(store: Store, client: PcrsClient, run: PullRun, options: PullOptions, progress: ProgressTracker, stop: AbortController): Promise<void> {
  const sqlite = store.sqlite;
  const snapshotId = run.writer.snapshotId;

  // 1. Progress starts from what earlier runs committed.
  const totals = sqlite
    .prepare("SELECT count(*) AS total, coalesce(sum(state = 'done'), 0) AS done, coalesce(sum(records), 0) AS records FROM pull_slices WHERE snapshot_id = ?")
    .get(snapshotId) as { total: number; done: number; records: number };
  const earlierBytes = sqlite.prepare('SELECT coalesce(sum(byte_length), 0) AS bytes FROM raw_responses WHERE snapshot_id = ?').get(snapshotId) as {
    bytes: number;
  };
  progress.slicesTotal = totals.total;
  progress.slicesDone = totals.done;
  progress.committedRecords = totals.records;
  progress.bytes = earlierBytes.bytes;
  progress.startFetch();
  progress.report('fetch');

  const queue: SliceRow[] = (
    sqlite.prepare("SELECT slice_index AS sliceIndex, body FROM pull_slices WHERE snapshot_id = ? AND state = 'pending' ORDER BY slice_index").all(snapshotId) as {
      sliceIndex: number;
      body: string;
    }[]
  ).map((row) => ({ index: row.sliceIndex, body: JSON.parse(row.body) as HostIdsElement[] }));

  // 2. A few workers take slices in order; the first failure stops the others.
  const markDone = sqlite.prepare("UPDATE pull_slices SET state = 'done', records = ?, completed_at = ? WHERE snapshot_id = ? AND slice_index = ?");
  const insertRaw = sqlite.prepare(
    'INSERT INTO raw_responses (snapshot_id, slice_index, url, received_at, http_status, sha256, byte_length, records, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && !stop.signal.aborted) {
      const slice = queue.shift();
      if (!slice) return;
      try {
        await fetchSlice(client, run, slice, options, progress, stop.signal, { markDone, insertRaw });
      } catch (error) {
        if (failure === null) failure = error;
        stop.abort();
      }
    }
  };
  const concurrency = Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, Math.max(queue.length, 1));
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure !== null) throw failure;
  if (stop.signal.aborted) throw new AppError('CANCELLED', 'Cancelled by the user.');
}

interface SliceStatements {
  markDone: { run(...values: unknown[]): unknown };
  insertRaw: { run(...values: unknown[]): unknown };
}

/** Fetches one slice, retrying the request and its stream until the slice commits or the retries run out. */
async function fetchSlice(
  client: PcrsClient,
  run: PullRun,
  slice: SliceRow,
  options: PullOptions,
  progress: ProgressTracker,
  signal: AbortSignal,
  statements: SliceStatements,
): Promise<void> {
  const writer = run.writer;
  const total = progress.slicesTotal;
  const maxDataAttempts = options.maxDataAttempts ?? DEFAULT_MAX_DATA_ATTEMPTS;
  let dataFailures = 0;

  await withRetries(
    `Slice ${slice.index + 1} of ${total}`,
    client.retry,
    async () => {
      const group = writer.openGroup();
      const hash = createHash('sha256');
      // NOTE: the archived body of a slice stays in memory until the slice commits, because the
      // store writes a blob in one piece; a default slice is a few MiB compressed.
      const archive: Buffer[] | null = run.stored.archive ? [] : null;
      let bytes = 0;
      let discard = () => {};
      try {
        // 1. Request, then stream the body into the writer while hashing the bytes as received.
        const response = await client.postureInfo(run.version, run.stored.query, slice.body);
        discard = response.discard;
        // 204 No Content is an empty result; an empty 200 body is a stream that ended early.
        const fed = response.status === 204 ? { records: 0 } : await feedRecords(response.body, writer, {
          sourceName: `postureInfo slice ${slice.index + 1}`,
          signal,
          group,
          onInput: (chunk) => {
            hash.update(chunk);
            bytes += chunk.length;
            progress.bytes += chunk.length;
            archive?.push(chunk);
          },
          onProgress: (fedSoFar) => {
            progress.inflightRecords.set(slice.index, fedSoFar.records);
            progress.report();
          },
        });

        // 2. Commit the slice's records, its done mark and its raw response together.
        const sha256 = hash.digest('hex');
        writer.commit(() => {
          statements.markDone.run(fed.records, new Date().toISOString(), writer.snapshotId, slice.index);
          statements.insertRaw.run(
            writer.snapshotId,
            slice.index,
            response.url,
            new Date().toISOString(),
            response.status,
            sha256,
            bytes,
            fed.records,
            archive ? Buffer.concat(archive) : null,
          );
        });
        writer.closeGroup(group);
        progress.inflightRecords.delete(slice.index);
        progress.committedRecords += fed.records;
        progress.slicesDone++;
        progress.report();
      } catch (error) {
        // 3. A failed attempt leaves nothing behind: no members, no raw response, no bytes counted.
        discard();
        writer.dropGroup(group);
        progress.inflightRecords.delete(slice.index);
        progress.bytes -= bytes;
        if (error instanceof AppError && error.code === 'DATA' && !signal.aborted) {
          // An early end shows up as a cut gzip stream or an array that never closes. A body that
          // stays malformed after a few fresh downloads is a data error, not a network one.
          dataFailures++;
          if (dataFailures < maxDataAttempts) throw new RetryableError('stream', error.message, null, { cause: error });
        }
        throw error;
      }
    },
    {
      signal,
      onRetry: (event) => {
        progress.retries++;
        progress.lastRetry = `slice ${slice.index + 1}: ${event.message}; retry in ${(event.delayMs / 1000).toFixed(1)} s`;
        progress.report();
      },
    },
  );
}

/** Leaves a failed pull resumable and returns the error to throw, naming the snapshot to resume. */
function failPull(run: PullRun | null, error: unknown, signal: AbortSignal | undefined, progress: ProgressTracker): Error {
  let failure = error;
  if (signal?.aborted && !(error instanceof AppError && error.code !== 'CANCELLED')) {
    failure = new AppError('CANCELLED', 'Cancelled by the user.');
  }
  if (!(failure instanceof AppError)) {
    failure = new AppError('INTERNAL', redactText(failure instanceof Error ? failure.message : String(failure)), { cause: failure });
  }
  const appError = failure as AppError;
  if (run === null) return appError;
  try {
    run.writer.suspend();
  } catch {
    // Suspending only saves counters. The snapshot is still 'building', and resume deletes
    // the members of slices that were not done.
  }
  const saved = `${progress.slicesDone} of ${progress.slicesTotal} slices are saved in snapshot ${run.writer.snapshotId}`;
  const message = `${appError.message.replace(/\.?$/, '.')} ${saved}; continue with --resume ${run.writer.snapshotId}.`;
  return new AppError(appError.code, message, { cause: error });
}
