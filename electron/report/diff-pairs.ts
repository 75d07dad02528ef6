/**
 * Pairs the members of two snapshots by posture and classifies each change, in pages
 * of posture ids, so a million-posture diff streams with flat memory and no statement
 * stays open between pages (other queries may run on the same connection meanwhile).
 */
import type Database from 'better-sqlite3';
import type { PostureScope } from './scope.js';

export type ChangeKind = 'added' | 'removed' | 'regressed' | 'improved' | 'status_changed' | 'evidence_changed' | 'unchanged';

export const CHANGE_KINDS: readonly ChangeKind[] = [
  'added',
  'removed',
  'regressed',
  'improved',
  'status_changed',
  'evidence_changed',
  'unchanged',
];

export interface MemberState {
  stateId: number;
  status: string;
  statusClass: string;
  evidenceSha256: Buffer | null;
  lastEvaluatedDate: string | null;
}

export interface DiffPair {
  postureId: number;
  before: MemberState | null;
  after: MemberState | null;
  change: ChangeKind;
}

const PAGE_SIZE = 5000;

function isPassing(statusClass: string): boolean {
  return statusClass === 'pass' || statusClass === 'exception';
}

function isFailing(statusClass: string): boolean {
  return statusClass === 'fail' || statusClass === 'error';
}

/**
 * Classifies one pair. A move from passing (Passed, Passed*) to failing (Failed, Error)
 * is a regression and the reverse an improvement; any other status move is a status
 * change. Same status with other evidence is an evidence change; a state that differs
 * only in dates counts as unchanged.
 */
export function classifyChange(before: MemberState | null, after: MemberState | null): ChangeKind {
  if (before === null) return 'added';
  if (after === null) return 'removed';
  if (before.stateId === after.stateId) return 'unchanged';
  if (isPassing(before.statusClass) && isFailing(after.statusClass)) return 'regressed';
  if (isFailing(before.statusClass) && isPassing(after.statusClass)) return 'improved';
  if (before.status !== after.status) return 'status_changed';
  const beforeEvidence = before.evidenceSha256;
  const afterEvidence = after.evidenceSha256;
  if (beforeEvidence === null || afterEvidence === null) return beforeEvidence === afterEvidence ? 'unchanged' : 'evidence_changed';
  return beforeEvidence.equals(afterEvidence) ? 'unchanged' : 'evidence_changed';
}

type MemberRow = [number, number, string, string, Buffer | null, string | null];

function pageStatement(sqlite: Database.Database, scope: PostureScope | null): Database.Statement {
  const filter = scope ? `AND m.posture_id IN (SELECT posture_id FROM ${scope.table})` : '';
  return sqlite
    .prepare(
      `SELECT m.posture_id, m.state_id, s.status, s.status_class, s.evidence_sha256, s.last_evaluated_date
         FROM snapshot_members m
         JOIN posture_states s ON s.id = m.state_id
        WHERE m.snapshot_id = ? AND m.posture_id > ? ${filter}
        ORDER BY m.posture_id
        LIMIT ?`,
    )
    .raw();
}

function toState(row: MemberRow): MemberState {
  return { stateId: row[1], status: row[2], statusClass: row[3], evidenceSha256: row[4], lastEvaluatedDate: row[5] };
}

/**
 * Yields every posture of either snapshot, in posture id order, with its state before
 * (`beforeId`) and after (`afterId`). Each page reads up to PAGE_SIZE members per side
 * and merges them up to the lower of the two last ids, so nothing is skipped.
 */
export function* iterateDiffPairs(
  sqlite: Database.Database,
  beforeId: number,
  afterId: number,
  scope: PostureScope | null = null,
): Generator<DiffPair[]> {
  const statement = pageStatement(sqlite, scope);
  let cursor = -1;
  for (;;) {
    const before = statement.all(beforeId, cursor, PAGE_SIZE) as MemberRow[];
    const after = statement.all(afterId, cursor, PAGE_SIZE) as MemberRow[];
    if (before.length === 0 && after.length === 0) return;

    // A full page may stop short of ids the other side has; merge only up to the bound.
    let bound = Number.POSITIVE_INFINITY;
    if (before.length === PAGE_SIZE) bound = Math.min(bound, before[before.length - 1]![0]);
    if (after.length === PAGE_SIZE) bound = Math.min(bound, after[after.length - 1]![0]);

    const pairs: DiffPair[] = [];
    let i = 0;
    let j = 0;
    for (;;) {
      const left = before[i];
      const right = after[j];
      const leftId = left && left[0] <= bound ? left[0] : Number.POSITIVE_INFINITY;
      const rightId = right && right[0] <= bound ? right[0] : Number.POSITIVE_INFINITY;
      if (leftId === Number.POSITIVE_INFINITY && rightId === Number.POSITIVE_INFINITY) break;
      const postureId = Math.min(leftId, rightId);
      const beforeState = leftId === postureId ? toState(left!) : null;
      const afterState = rightId === postureId ? toState(right!) : null;
      if (beforeState) i++;
      if (afterState) j++;
      pairs.push({ postureId, before: beforeState, after: afterState, change: classifyChange(beforeState, afterState) });
    }
    yield pairs;
    if (bound === Number.POSITIVE_INFINITY) return;
    cursor = bound;
  }
}

/** Counts the postures of each change kind between two snapshots. */
export function countChanges(
  sqlite: Database.Database,
  beforeId: number,
  afterId: number,
  scope: PostureScope | null = null,
): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, 0])) as Record<ChangeKind, number>;
  for (const page of iterateDiffPairs(sqlite, beforeId, afterId, scope)) {
    for (const pair of page) counts[pair.change]++;
  }
  return counts;
}
