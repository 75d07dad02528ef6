/**
 * Snapshot reads and maintenance: list, show, rename, delete, content hashes, and the
 * clean-up of rows that a failed import added.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from './errors.js';
import { collectOrphans, deleteSnapshotRows } from './garbage.js';
import { isProcessAlive, type Store } from './store.js';
import { decodeRaw } from './raw.js';

export interface SnapshotInfo {
  id: number;
  label: string;
  note: string;
  createdAt: string;
  completedAt: string | null;
  state: 'building' | 'complete';
  sourceKind: 'file' | 'pull';
  source: string;
  apiVersion: string | null;
  params: Record<string, unknown> | null;
  baseSnapshotId: number | null;
  hostScopeKnown: boolean;
  scopePolicyIds: number[];
  scopeHostCount: number;
  records: number;
  byStatus: Record<string, number>;
  duplicates: number;
  rejected: number;
  inputSha256: string | null;
  inputBytes: number | null;
  contentSha256: string | null;
  /** True while a sign-off covers the snapshot; it cannot be deleted then. */
  locked: boolean;
  /** True for an unfinished snapshot that a live process is still writing (a running pull or import). */
  running: boolean;
}

export interface SnapshotDetails extends SnapshotInfo {
  byCriticality: { value: number | null; label: string | null; count: number }[];
  byPolicy: { policyId: number; title: string | null; count: number; byStatus: Record<string, number> }[];
}

interface SnapshotRow {
  id: number;
  label: string;
  note: string;
  created_at: string;
  completed_at: string | null;
  state: 'building' | 'complete';
  source_kind: 'file' | 'pull';
  source: string;
  api_version: string | null;
  params: string | null;
  base_snapshot_id: number | null;
  host_scope_known: number;
  record_count: number;
  status_counts: string | null;
  duplicates: number;
  rejected: number;
  input_sha256: string | null;
  input_bytes: number | null;
  content_sha256: string | null;
  owner_pid: number | null;
}

function tableExists(sqlite: Database.Database, name: string): boolean {
  return sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Snapshot ids that a sign-off protects; the sign-off tables come with the report feature. */
export function lockedSnapshotIds(sqlite: Database.Database): Set<number> {
  if (!tableExists(sqlite, 'signoff_snapshots')) return new Set();
  const rows = sqlite.prepare('SELECT DISTINCT snapshot_id AS id FROM signoff_snapshots').all() as { id: number }[];
  return new Set(rows.map((row) => row.id));
}

/** Names the signed-off reports that lock a snapshot, e.g. `report 1f2e… revision 2 (signed by J. Doe)`. */
function describeLockingReports(sqlite: Database.Database, snapshotId: number): string {
  try {
    const rows = sqlite
      .prepare(
        `SELECT s.report_id AS reportId, s.revision AS revision, s.name AS name
           FROM signoff_snapshots l
           JOIN signoffs s ON s.id = l.signoff_id
          WHERE l.snapshot_id = ?
          ORDER BY s.signed_at`,
      )
      .all(snapshotId) as { reportId: string; revision: number; name: string }[];
    if (rows.length === 0) return 'report';
    return rows.map((row) => `report ${row.reportId} revision ${row.revision} (signed by ${row.name})`).join(', ');
  } catch {
    // The report tables may have another shape in an older schema; the lock still holds.
    return 'report';
  }
}

function toInfo(sqlite: Database.Database, row: SnapshotRow, locked: Set<number>): SnapshotInfo {
  const scope = sqlite
    .prepare('SELECT policy_id AS id FROM snapshot_policies WHERE snapshot_id = ? ORDER BY policy_id')
    .all(row.id) as { id: number }[];
  const hostCount = row.host_scope_known
    ? (sqlite.prepare('SELECT count(DISTINCT host_id) AS count FROM snapshot_hosts WHERE snapshot_id = ?').get(row.id) as {
        count: number;
      }).count
    : 0;
  return {
    id: row.id,
    label: row.label,
    note: row.note,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    state: row.state,
    sourceKind: row.source_kind,
    source: row.source,
    apiVersion: row.api_version,
    params: row.params ? (JSON.parse(row.params) as Record<string, unknown>) : null,
    baseSnapshotId: row.base_snapshot_id,
    hostScopeKnown: row.host_scope_known === 1,
    scopePolicyIds: scope.map((entry) => entry.id),
    scopeHostCount: hostCount,
    records: row.record_count,
    byStatus: row.status_counts ? (JSON.parse(row.status_counts) as Record<string, number>) : {},
    duplicates: row.duplicates,
    rejected: row.rejected,
    inputSha256: row.input_sha256,
    inputBytes: row.input_bytes,
    contentSha256: row.content_sha256,
    locked: locked.has(row.id),
    running: row.state === 'building' && row.owner_pid !== null && isProcessAlive(row.owner_pid),
  };
}

/** Lists snapshots, newest first. Unfinished pulls are included only when asked for. */
export function listSnapshots(store: Store, options: { includeBuilding?: boolean } = {}): SnapshotInfo[] {
  const rows = store.sqlite
    .prepare(
      `SELECT * FROM snapshots ${options.includeBuilding ? '' : "WHERE state = 'complete'"} ORDER BY created_at DESC, id DESC`,
    )
    .all() as SnapshotRow[];
  const locked = lockedSnapshotIds(store.sqlite);
  return rows.map((row) => toInfo(store.sqlite, row, locked));
}

function snapshotRow(store: Store, id: number): SnapshotRow {
  const row = store.sqlite.prepare('SELECT * FROM snapshots WHERE id = ?').get(id) as SnapshotRow | undefined;
  if (!row) {
    throw new AppError('NOT_FOUND', `Snapshot ${id} does not exist. List snapshots with \`posture-workbench snapshots\`.`);
  }
  return row;
}

export function getSnapshot(store: Store, id: number): SnapshotInfo {
  return toInfo(store.sqlite, snapshotRow(store, id), lockedSnapshotIds(store.sqlite));
}

/** Returns a complete snapshot, or throws a NOT_FOUND error that explains how to list them. */
export function requireCompleteSnapshot(store: Store, id: number): SnapshotInfo {
  const info = getSnapshot(store, id);
  if (info.state !== 'complete') {
    throw new AppError(
      'NOT_FOUND',
      `Snapshot ${id} is not complete (an interrupted pull). Resume it with \`posture-workbench pull --resume ${id}\` or delete it.`,
    );
  }
  return info;
}

/** Returns the newest complete snapshot, or null when the store has none. */
export function latestSnapshotId(store: Store): number | null {
  const row = store.sqlite
    .prepare("SELECT id FROM snapshots WHERE state = 'complete' ORDER BY created_at DESC, id DESC LIMIT 1")
    .get() as { id: number } | undefined;
  return row?.id ?? null;
}

export function getSnapshotDetails(store: Store, id: number): SnapshotDetails {
  const info = getSnapshot(store, id);
  const sqlite = store.sqlite;
  const byCriticality = sqlite
    .prepare(
      `SELECT c.criticality_value AS value, c.criticality_label AS label, count(*) AS count
         FROM snapshot_members m
         JOIN posture_states s ON s.id = m.state_id
         JOIN control_revisions c ON c.id = s.control_revision_id
        WHERE m.snapshot_id = ?
        GROUP BY c.criticality_value, c.criticality_label
        ORDER BY c.criticality_value DESC, c.criticality_label`,
    )
    .all(id) as { value: number | null; label: string | null; count: number }[];
  const policyRows = sqlite
    .prepare(
      `SELECT p.policy_id AS policyId, pol.title AS title, s.status AS status, count(*) AS count
         FROM snapshot_members m
         JOIN postures p ON p.id = m.posture_id
         JOIN posture_states s ON s.id = m.state_id
         LEFT JOIN policies pol ON pol.id = p.policy_id
        WHERE m.snapshot_id = ?
        GROUP BY p.policy_id, s.status
        ORDER BY p.policy_id, s.status`,
    )
    .all(id) as { policyId: number; title: string | null; status: string; count: number }[];
  const byPolicy = new Map<number, SnapshotDetails['byPolicy'][number]>();
  for (const row of policyRows) {
    let entry = byPolicy.get(row.policyId);
    if (!entry) {
      entry = { policyId: row.policyId, title: row.title, count: 0, byStatus: {} };
      byPolicy.set(row.policyId, entry);
    }
    entry.count += row.count;
    entry.byStatus[row.status] = row.count;
  }
  return { ...info, byCriticality, byPolicy: [...byPolicy.values()] };
}

export function updateSnapshot(store: Store, id: number, changes: { label?: string; note?: string }): SnapshotInfo {
  const row = snapshotRow(store, id);
  // The label and note print on signed reports, so a sign-off freezes them too.
  if (lockedSnapshotIds(store.sqlite).has(id)) {
    throw new AppError(
      'LOCKED',
      `Snapshot ${id} ("${row.label}") is covered by a signed-off report, so its label and note can no longer change. ` +
        'Make a new report revision to describe it differently.',
    );
  }
  if (changes.label !== undefined) {
    const label = changes.label.trim();
    if (label.length === 0) throw new AppError('INVALID_INPUT', 'A snapshot label cannot be empty.');
    store.sqlite.prepare('UPDATE snapshots SET label = ? WHERE id = ?').run(label, id);
  }
  if (changes.note !== undefined) store.sqlite.prepare('UPDATE snapshots SET note = ? WHERE id = ?').run(changes.note, id);
  return getSnapshot(store, id);
}

/** Deletes a snapshot and the states no other snapshot uses; refused while signed off. */
export function deleteSnapshot(store: Store, id: number): void {
  const row = snapshotRow(store, id);
  if (lockedSnapshotIds(store.sqlite).has(id)) {
    throw new AppError(
      'LOCKED',
      `Snapshot ${id} ("${row.label}") is evidence for the signed-off ${describeLockingReports(store.sqlite, id)} ` +
        'and cannot be deleted. Signed-off reports and their snapshots are kept for good.',
    );
  }
  const sqlite = store.sqlite;
  sqlite.transaction(() => {
    deleteSnapshotRows(sqlite, id);
    collectOrphans(sqlite);
  }).immediate();
}

/**
 * SHA-256 over the snapshot's content: for each member in posture order, its identity and
 * the SHA-256 of the record bytes. Equal hashes mean the same records, byte for byte.
 */
export function computeContentSha256(sqlite: Database.Database, snapshotId: number): string {
  const hash = createHash('sha256');
  const rows = sqlite
    .prepare(
      `SELECT p.policy_id AS policyId, p.host_id AS hostId, p.control_id AS controlId, p.instance AS instance, s.sha256 AS sha256
         FROM snapshot_members m
         JOIN postures p ON p.id = m.posture_id
         JOIN posture_states s ON s.id = m.state_id
        WHERE m.snapshot_id = ?
        ORDER BY m.posture_id`,
    )
    .raw()
    .iterate(snapshotId) as IterableIterator<[number, number, number, string, Buffer]>;
  for (const [policyId, hostId, controlId, instance, sha256] of rows) {
    hash.update(`${policyId}\u001f${hostId}\u001f${controlId}\u001f${instance}\u001f`);
    hash.update(sha256);
  }
  return hash.digest('hex');
}

/** Returns the record of one state exactly as it was received. */
export function readRawRecord(store: Store, stateId: number): Buffer {
  const row = store.sqlite.prepare('SELECT raw FROM posture_states WHERE id = ?').get(stateId) as { raw: Buffer } | undefined;
  if (!row) throw new AppError('NOT_FOUND', `Posture state ${stateId} does not exist.`);
  const text = store.sqlite.prepare('SELECT body FROM texts WHERE id = ?');
  return decodeRaw(row.raw, (id) => {
    const found = text.get(id) as { body: string } | undefined;
    if (!found) throw new AppError('DATA', `Text ${id} referenced by posture state ${stateId} is missing from the store.`);
    return found.body;
  });
}

/** Streams every record of a snapshot exactly as received, in posture order. */
export function* iterateRawRecords(store: Store, snapshotId: number): Generator<Buffer> {
  const text = store.sqlite.prepare('SELECT body FROM texts WHERE id = ?');
  const lookup = (id: number) => (text.get(id) as { body: string }).body;
  const rows = store.sqlite
    .prepare('SELECT s.raw AS raw FROM snapshot_members m JOIN posture_states s ON s.id = m.state_id WHERE m.snapshot_id = ? ORDER BY m.posture_id')
    .raw()
    .iterate(snapshotId) as IterableIterator<[Buffer]>;
  for (const [raw] of rows) yield decodeRaw(raw, lookup);
}
