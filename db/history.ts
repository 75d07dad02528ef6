/**
 * Posture history and pass-rate trends across every complete snapshot.
 *
 * Trends read `snapshot_status_counts`: status counts per policy and host, computed from a
 * snapshot's members the first time a trend needs them and kept, because a complete
 * snapshot never changes. A read-only store computes them on every call instead.
 */
import { classifyPosture, readScope, type DiffClass, type SnapshotScope } from './diff.js';
import { AppError } from './errors.js';
import type { Store } from './store.js';

/** A posture named as the CLI names it; without policy or instance, every posture that matches the rest is returned. */
export interface PostureIdentity {
  hostId: number;
  controlId: number;
  policyId?: number;
  instance?: string;
}

export interface PostureEvidence {
  expected: string | null;
  current: unknown;
  actual: unknown;
  extended: string | null;
  causeOfFailure: unknown;
}

/** The posture in one snapshot whose scope covers its policy. */
export interface HistoryEntry {
  snapshotId: number;
  label: string;
  createdAt: string;
  /** False when the snapshot covers the policy but has no record for the posture. */
  present: boolean;
  stateId: number | null;
  status: string | null;
  lastEvaluatedDate: string | null;
  postureModifiedDate: string | null;
  /** SHA-256 of the evidence as hex; null without evidence. */
  evidenceSha256: string | null;
  evidence: PostureEvidence | null;
  /** Diff class against the previous entry; null for the first entry. */
  change: DiffClass | 'unchanged' | null;
}

/** A move between two consecutive entries, dated by the snapshot and the record. */
export interface HistoryChange {
  snapshotId: number;
  createdAt: string;
  /** The record's postureModifiedDate in the later snapshot, when Qualys sent one. */
  postureModifiedDate: string | null;
  class: DiffClass;
  statusFrom: string | null;
  statusTo: string | null;
}

export interface PostureHistory {
  postureId: number;
  policyId: number;
  hostId: number;
  controlId: number;
  instance: string;
  entries: HistoryEntry[];
  changes: HistoryChange[];
}

export interface TrendFilter {
  policyId?: number;
  hostId?: number;
}

/** Status counts of one snapshot (after the filter), the point a trend chart draws. */
export interface TrendPoint {
  snapshotId: number;
  label: string;
  createdAt: string;
  total: number;
  passed: number;
  failed: number;
  error: number;
  exception: number;
  other: number;
  /** (passed + exception) / total: an approved exception counts as compliant. */
  passRate: number;
}

interface CompleteSnapshot {
  id: number;
  label: string;
  createdAt: string;
}

function completeSnapshots(store: Store): CompleteSnapshot[] {
  return store.sqlite
    .prepare("SELECT id, label, created_at AS createdAt FROM snapshots WHERE state = 'complete' ORDER BY created_at, id")
    .all() as CompleteSnapshot[];
}

function findPostures(store: Store, identity: PostureIdentity): { id: number; policyId: number; hostId: number; controlId: number; instance: string }[] {
  const where = ['host_id = @hostId', 'control_id = @controlId'];
  if (identity.policyId !== undefined) where.push('policy_id = @policyId');
  if (identity.instance !== undefined) where.push('instance = @instance');
  return store.sqlite
    .prepare(
      `SELECT id, policy_id AS policyId, host_id AS hostId, control_id AS controlId, instance
         FROM postures WHERE ${where.join(' AND ')} ORDER BY policy_id, instance`,
    )
    .all(identity) as { id: number; policyId: number; hostId: number; controlId: number; instance: string }[];
}

const ENTRY_SQL = `
  SELECT m.state_id AS stateId, s.status, s.last_evaluated_date AS lastEvaluatedDate,
         s.posture_modified_date AS postureModifiedDate, hex(s.evidence_sha256) AS evidenceSha256,
         expected.body AS expected, s.current_values AS current, s.actual_values AS actual,
         extended.body AS extended, s.cause_of_failure AS causeOfFailure
    FROM snapshot_members m
    JOIN posture_states s ON s.id = m.state_id
    LEFT JOIN texts expected ON expected.id = s.expected_text_id
    LEFT JOIN texts extended ON extended.id = s.extended_text_id
   WHERE m.snapshot_id = ? AND m.posture_id = ?`;

interface EntryRow {
  stateId: number;
  status: string;
  lastEvaluatedDate: string | null;
  postureModifiedDate: string | null;
  evidenceSha256: string | null;
  expected: string | null;
  current: string | null;
  actual: string | null;
  extended: string | null;
  causeOfFailure: string | null;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

/**
 * Returns the status and evidence of each matching posture in every complete snapshot that
 * covers its policy, oldest first, with the snapshots where it changed class.
 */
export function postureHistory(store: Store, identity: PostureIdentity): PostureHistory[] {
  const matches = findPostures(store, identity);
  if (matches.length === 0) {
    throw new AppError(
      'NOT_FOUND',
      `No posture for host ${identity.hostId} and control ${identity.controlId}` +
        `${identity.policyId !== undefined ? ` in policy ${identity.policyId}` : ''}` +
        `${identity.instance !== undefined ? ` with instance "${identity.instance}"` : ''}. Check the IDs with \`posture-workbench diff\`.`,
    );
  }
  const snapshots = completeSnapshots(store);
  const scopes = new Map<number, SnapshotScope>(snapshots.map((snapshot) => [snapshot.id, readScope(store, snapshot.id)]));
  const entryStatement = store.sqlite.prepare(ENTRY_SQL);

  return matches.map((posture): PostureHistory => {
    const entries: HistoryEntry[] = [];
    const changes: HistoryChange[] = [];
    let previous: HistoryEntry | null = null;
    for (const snapshot of snapshots) {
      const scope = scopes.get(snapshot.id)!;
      const row = entryStatement.get(snapshot.id, posture.id) as EntryRow | undefined;
      if (!row && !scope.policyIds.includes(posture.policyId)) continue;

      // The class comes from the diff's own SQL, so history and diff never disagree.
      const change = previous ? classifyPosture(store, scopes.get(previous.snapshotId)!, scope, posture.id) : null;
      const entry: HistoryEntry = {
        snapshotId: snapshot.id,
        label: snapshot.label,
        createdAt: snapshot.createdAt,
        present: row !== undefined,
        stateId: row?.stateId ?? null,
        status: row?.status ?? null,
        lastEvaluatedDate: row?.lastEvaluatedDate ?? null,
        postureModifiedDate: row?.postureModifiedDate ?? null,
        evidenceSha256: row?.evidenceSha256 ? row.evidenceSha256.toLowerCase() : null,
        evidence: row
          ? {
              expected: row.expected,
              current: parseJson(row.current),
              actual: parseJson(row.actual),
              extended: row.extended,
              causeOfFailure: parseJson(row.causeOfFailure),
            }
          : null,
        change: change ?? null,
      };
      entries.push(entry);
      if (previous && change !== null && change !== 'unchanged') {
        changes.push({
          snapshotId: snapshot.id,
          createdAt: snapshot.createdAt,
          postureModifiedDate: entry.postureModifiedDate,
          class: change,
          statusFrom: previous.status,
          statusTo: entry.status,
        });
      }
      previous = entry;
    }
    const { id, ...names } = posture;
    return { postureId: id, ...names, entries, changes };
  });
}

const COUNT_MEMBERS_SQL = `
  SELECT p.policy_id AS policyId, p.host_id AS hostId,
         sum(s.status_class = 'pass') AS passed, sum(s.status_class = 'fail') AS failed,
         sum(s.status_class = 'error') AS error, sum(s.status_class = 'exception') AS exception,
         sum(s.status_class = 'other') AS other
    FROM snapshot_members m
    CROSS JOIN postures p ON p.id = m.posture_id
    JOIN posture_states s ON s.id = m.state_id
   WHERE m.snapshot_id = @snapshotId
   GROUP BY p.policy_id, p.host_id`;

/**
 * Computes and stores the status counts of a complete snapshot, unless they are stored already.
 * NOTE: this reads every member once, about 2 s per million postures on the benchmark
 * machine, so the first trend over many new snapshots is slow. Calling it right after a
 * snapshot completes would move that cost out of the trend.
 */
export function ensureStatusCounts(store: Store, snapshotId: number): void {
  const sqlite = store.sqlite;
  const ready = sqlite.prepare('SELECT 1 FROM snapshot_status_counts_ready WHERE snapshot_id = ?').get(snapshotId);
  if (ready) return;
  sqlite.transaction(() => {
    // 1. Another process may have finished the same work while this one waited for the lock.
    if (sqlite.prepare('SELECT 1 FROM snapshot_status_counts_ready WHERE snapshot_id = ?').get(snapshotId)) return;

    // 2. Counts per policy and host, then the marker.
    sqlite
      .prepare(
        `INSERT INTO snapshot_status_counts (snapshot_id, policy_id, host_id, passed, failed, error, exception, other)
         SELECT @snapshotId, policyId, hostId, passed, failed, error, exception, other FROM (${COUNT_MEMBERS_SQL})`,
      )
      .run({ snapshotId });
    sqlite
      .prepare('INSERT INTO snapshot_status_counts_ready (snapshot_id, computed_at) VALUES (?, ?)')
      .run(snapshotId, new Date().toISOString());
  }).immediate();
}

/** WHERE terms for `filter`, over columns named as in `columns`. */
function trendFilterSql(filter: TrendFilter, columns: Record<keyof TrendFilter, string>): { where: string; values: Record<string, number> } {
  const where: string[] = [];
  const values: Record<string, number> = {};
  for (const name of ['policyId', 'hostId'] as const) {
    const value = filter[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value)) throw new AppError('INVALID_INPUT', `The ${name} of a trend must be a whole number, got ${value}.`);
    where.push(`AND ${columns[name]} = @${name}`);
    values[name] = value;
  }
  return { where: where.join(' '), values };
}

const SUM_COUNTS = `coalesce(sum(passed), 0) AS passed, coalesce(sum(failed), 0) AS failed, coalesce(sum(error), 0) AS error,
  coalesce(sum(exception), 0) AS exception, coalesce(sum(other), 0) AS other`;

/**
 * Returns the pass rate of the whole store, a policy or a host in every complete snapshot
 * that has postures for it, oldest first.
 */
export function passRateTrend(store: Store, filter: TrendFilter = {}): TrendPoint[] {
  const snapshots = completeSnapshots(store);

  // A read-only store cannot keep the counts, so it sums each snapshot's members each time.
  let sql: string;
  let values: Record<string, number>;
  if (store.sqlite.readonly) {
    ({ where: sql, values } = trendFilterSql(filter, { policyId: 'policyId', hostId: 'hostId' }));
    sql = `SELECT ${SUM_COUNTS} FROM (${COUNT_MEMBERS_SQL}) WHERE 1 ${sql}`;
  } else {
    for (const snapshot of snapshots) ensureStatusCounts(store, snapshot.id);
    ({ where: sql, values } = trendFilterSql(filter, { policyId: 'policy_id', hostId: 'host_id' }));
    sql = `SELECT ${SUM_COUNTS} FROM snapshot_status_counts WHERE snapshot_id = @snapshotId ${sql}`;
  }
  const statement = store.sqlite.prepare(sql);

  const points: TrendPoint[] = [];
  for (const snapshot of snapshots) {
    const counts = statement.get({ snapshotId: snapshot.id, ...values }) as Pick<TrendPoint, 'passed' | 'failed' | 'error' | 'exception' | 'other'>;
    const total = counts.passed + counts.failed + counts.error + counts.exception + counts.other;
    if (total === 0) continue;
    points.push({
      snapshotId: snapshot.id,
      label: snapshot.label,
      createdAt: snapshot.createdAt,
      ...counts,
      total,
      passRate: (counts.passed + counts.exception) / total,
    });
  }
  return points;
}
