/**
 * Removal of snapshot rows and of the shared rows (states, postures, revisions, texts)
 * that no snapshot uses any more.
 */
import type Database from 'better-sqlite3';
import type { Watermarks } from './schema.js';
import { removeUnusedValueTexts } from './search/maintain.js';

/** Deletes a snapshot's own rows; the states and texts it used stay for other snapshots. */
export function deleteSnapshotRows(sqlite: Database.Database, snapshotId: number): void {
  // 1. Members first: the largest table, and it references the snapshot.
  sqlite.prepare('DELETE FROM snapshot_members WHERE snapshot_id = ?').run(snapshotId);

  // 2. Scope, pull plan and raw responses.
  sqlite.prepare('DELETE FROM snapshot_policies WHERE snapshot_id = ?').run(snapshotId);
  sqlite.prepare('DELETE FROM snapshot_hosts WHERE snapshot_id = ?').run(snapshotId);
  sqlite.prepare('DELETE FROM pull_slices WHERE snapshot_id = ?').run(snapshotId);
  sqlite.prepare('DELETE FROM raw_responses WHERE snapshot_id = ?').run(snapshotId);

  // 3. The snapshot row itself.
  sqlite.prepare('DELETE FROM snapshots WHERE id = ?').run(snapshotId);
}

/** Current highest ids of the shared tables. */
export function readWatermarks(sqlite: Database.Database): Watermarks {
  const max = (table: string) => (sqlite.prepare(`SELECT coalesce(max(id), 0) AS id FROM ${table}`).get() as { id: number }).id;
  return {
    texts: max('texts'),
    controlRevisions: max('control_revisions'),
    hostRevisions: max('host_revisions'),
    postures: max('postures'),
    postureStates: max('posture_states'),
  };
}

/**
 * Deletes a snapshot and the rows added after `marks` that nothing references any more.
 * Rows at or below the marks existed before the snapshot began and are never touched.
 */
export function collectGarbageAbove(sqlite: Database.Database, snapshotId: number, marks: Watermarks): void {
  // 1. The snapshot and its members.
  deleteSnapshotRows(sqlite, snapshotId);

  // 2. States added since, that no member uses.
  sqlite
    .prepare('DELETE FROM posture_states WHERE id > ? AND id NOT IN (SELECT state_id FROM snapshot_members)')
    .run(marks.postureStates);

  // 3. Postures, revisions and texts added since, that no remaining state uses. Older
  // states cannot refer to rows created after them, so only newer states are checked.
  sqlite
    .prepare('DELETE FROM postures WHERE id > ? AND NOT EXISTS (SELECT 1 FROM posture_states s WHERE s.posture_id = postures.id)')
    .run(marks.postures);
  sqlite
    .prepare('DELETE FROM control_revisions WHERE id > ? AND id NOT IN (SELECT control_revision_id FROM posture_states WHERE id > ?)')
    .run(marks.controlRevisions, marks.postureStates);
  sqlite
    .prepare('DELETE FROM host_revisions WHERE id > ? AND id NOT IN (SELECT host_revision_id FROM posture_states WHERE id > ?)')
    .run(marks.hostRevisions, marks.postureStates);
  sqlite
    .prepare(
      `DELETE FROM texts WHERE id > ?
         AND id NOT IN (SELECT statement_text_id FROM control_revisions WHERE id > ? AND statement_text_id IS NOT NULL)
         AND id NOT IN (SELECT rationale_text_id FROM control_revisions WHERE id > ? AND rationale_text_id IS NOT NULL)
         AND id NOT IN (SELECT remediation_text_id FROM control_revisions WHERE id > ? AND remediation_text_id IS NOT NULL)
         AND id NOT IN (SELECT expected_text_id FROM posture_states WHERE id > ? AND expected_text_id IS NOT NULL)
         AND id NOT IN (SELECT extended_text_id FROM posture_states WHERE id > ? AND extended_text_id IS NOT NULL)
         AND id NOT IN (SELECT description_text_id FROM posture_states WHERE id > ? AND description_text_id IS NOT NULL)`,
    )
    .run(
      marks.texts,
      marks.controlRevisions,
      marks.controlRevisions,
      marks.controlRevisions,
      marks.postureStates,
      marks.postureStates,
      marks.postureStates,
    );

  // 4. Search's value pairs that no remaining state links to. The pairs carry no
  // watermark, but they are few (one per distinct value), so all of them are checked.
  removeUnusedValueTexts(sqlite);
}

/** Deletes every state, posture, revision and text that no snapshot uses any more. */
export function collectOrphans(sqlite: Database.Database): void {
  collectGarbageAbove(sqlite, -1, { texts: 0, controlRevisions: 0, hostRevisions: 0, postures: 0, postureStates: 0 });
}
