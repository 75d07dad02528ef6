/**
 * Builds a large posture store directly with SQL, for the diff benchmark and the query
 * plan tests. Going through the JSON import would take minutes for a million postures,
 * and the diff reads only the store's tables, so the shape of those rows is what matters.
 *
 * Snapshot 1 (A) contains every posture. Snapshot 2 (B) changes A by posture id, so the
 * expected counts follow from the id alone:
 * - id % 100 === 0: removed (1%);
 * - id % 100 in 1..5: status flipped (5%);
 * - id % 100 === 6: evidence changed, same status (1%);
 * - id % 100 === 7: dates changed only, so unchanged for the diff (1%);
 * - 1% new postures, added to B only.
 */
import type Database from 'better-sqlite3';
import type { Store } from '../../db/store.js';

export interface DiffStoreShape {
  policies: number;
  hosts: number;
  controls: number;
  /** Bytes of the stored raw record per state; real records are 1 to 3 KB. */
  rawBytes: number;
}

export interface DiffStoreResult {
  postures: number;
  snapshotA: number;
  snapshotB: number;
  expected: { removed: number; added: number; statusMoves: number; evidenceChanged: number; datesOnly: number };
}

const STATUS_CYCLE = ['Passed', 'Passed', 'Passed', 'Passed', 'Passed', 'Passed', 'Failed', 'Failed', 'Error', 'Passed*'];

/** SQL for the status of posture `id` in snapshot A: 60% Passed, 20% Failed, 10% Error, 10% Passed*. */
function statusOfA(column: string): string {
  const cases = STATUS_CYCLE.map((status, index) => `WHEN ${index} THEN '${status}'`).join(' ');
  return `CASE (${column} * 7) % 10 ${cases} END`;
}

function statusClassOf(column: string): string {
  return `CASE ${column} WHEN 'Passed' THEN 'pass' WHEN 'Failed' THEN 'fail' WHEN 'Error' THEN 'error' WHEN 'Passed*' THEN 'exception' ELSE 'other' END`;
}

function insertSnapshot(sqlite: Database.Database, label: string, createdAt: string): number {
  const result = sqlite
    .prepare(
      `INSERT INTO snapshots (label, created_at, completed_at, state, source_kind, source, host_scope_known)
       VALUES (?, ?, ?, 'complete', 'file', 'bench', 0)`,
    )
    .run(label, createdAt, createdAt);
  return Number(result.lastInsertRowid);
}

/** Fills an empty store; returns the two snapshot ids and the counts the diff must find. */
export function buildDiffStore(store: Store, shape: DiffStoreShape): DiffStoreResult {
  const sqlite = store.sqlite;
  const perPolicy = shape.hosts * shape.controls;
  const postures = shape.policies * perPolicy;
  const addedCount = Math.floor(postures / 100);

  sqlite.transaction(() => {
    // 1. Texts and revisions: two revisions per control and per host.
    sqlite.exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${shape.controls})
      INSERT INTO texts (id, sha256, body) SELECT i, randomblob(32), 'Status of the setting number ' || i FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${shape.controls})
      INSERT INTO control_revisions (id, sha256, control_id, statement_text_id, technology_id, technology_name, criticality_value, criticality_label)
        SELECT i, randomblob(32), 1000 + i, i, i % 4, 'Technology ' || (i % 4), i % 5 + 1, 'LEVEL ' || (i % 5 + 1) FROM n;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${shape.hosts})
      INSERT INTO host_revisions (id, sha256, host_id, ip, dns)
        SELECT i, randomblob(32), 50000 + i, '10.' || (i / 65536) || '.' || (i / 256 % 256) || '.' || (i % 256), 'host-' || i || '.example.test' FROM n;
    `);
    for (let policy = 1; policy <= shape.policies; policy++) {
      sqlite.prepare('INSERT INTO policies (id, title) VALUES (?, ?)').run(policy, `Benchmark policy ${policy}`);
    }

    // 2. Postures: ids 1..N ordered by policy, host, control; then the 1% that B adds.
    sqlite.exec(`
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${postures + addedCount - 1})
      INSERT INTO postures (id, policy_id, host_id, control_id, instance)
        SELECT i + 1,
               CASE WHEN i < ${postures} THEN i / ${perPolicy} + 1 ELSE (i - ${postures}) % ${shape.policies} + 1 END,
               50000 + (i / ${shape.controls}) % ${shape.hosts} + 1,
               1000 + i % ${shape.controls} + 1,
               CASE WHEN i < ${postures} THEN 'os' ELSE 'added' END
          FROM n;
    `);

    // 3. States of A: one per posture, state id equal to posture id.
    const raw = `randomblob(${shape.rawBytes})`;
    sqlite.exec(`
      INSERT INTO posture_states (id, sha256, posture_id, status, status_class, is_exception, last_evaluated_date,
                                  control_revision_id, host_revision_id, evidence_sha256, raw)
        SELECT id, randomblob(32), id, ${statusOfA('id')}, ${statusClassOf(statusOfA('id'))}, ${statusOfA('id')} = 'Passed*',
               '2026-01-01T00:00:00Z', (control_id - 1000), (host_id - 50000), randomblob(32), ${raw}
          FROM postures;
    `);

    // 4. States that only B has: flipped status, new evidence, new dates, added postures.
    const flipped = `CASE s.status WHEN 'Passed' THEN 'Failed' WHEN 'Passed*' THEN 'Failed' WHEN 'Failed' THEN 'Passed' ELSE 'Passed' END`;
    sqlite.exec(`
      INSERT INTO posture_states (sha256, posture_id, status, status_class, is_exception, last_evaluated_date,
                                  control_revision_id, host_revision_id, evidence_sha256, raw)
        SELECT randomblob(32), s.posture_id,
               CASE WHEN s.posture_id % 100 BETWEEN 1 AND 5 THEN ${flipped} ELSE s.status END,
               ${statusClassOf(`CASE WHEN s.posture_id % 100 BETWEEN 1 AND 5 THEN ${flipped} ELSE s.status END`)},
               0,
               '2026-02-01T00:00:00Z', s.control_revision_id, s.host_revision_id,
               CASE WHEN s.posture_id % 100 = 7 THEN s.evidence_sha256 ELSE randomblob(32) END, ${raw}
          FROM posture_states s
         WHERE s.id <= ${postures} AND s.posture_id % 100 BETWEEN 1 AND 7
         ORDER BY s.posture_id;
    `);
    sqlite.exec(`UPDATE posture_states SET is_exception = (status = 'Passed*') WHERE id > ${postures}`);
  })();

  // 5. Snapshot A, then B built from A with its changes.
  const snapshotA = insertSnapshot(sqlite, 'Bench A', '2026-01-01T00:00:00.000Z');
  const snapshotB = insertSnapshot(sqlite, 'Bench B', '2026-02-01T00:00:00.000Z');
  sqlite.transaction(() => {
    for (let policy = 1; policy <= shape.policies; policy++) {
      sqlite.prepare('INSERT INTO snapshot_policies (snapshot_id, policy_id) VALUES (?, ?), (?, ?)').run(snapshotA, policy, snapshotB, policy);
    }
    sqlite.prepare(`INSERT INTO snapshot_members (snapshot_id, posture_id, state_id) SELECT ?, id, id FROM postures WHERE id <= ${postures}`).run(snapshotA);
    sqlite
      .prepare(
        `INSERT INTO snapshot_members (snapshot_id, posture_id, state_id)
           SELECT ?, p.id, coalesce((SELECT max(s.id) FROM posture_states s WHERE s.posture_id = p.id), p.id)
             FROM postures p WHERE p.id % 100 <> 0 OR p.id > ${postures}`,
      )
      .run(snapshotB);
  })();

  return {
    postures,
    snapshotA,
    snapshotB,
    expected: {
      removed: Math.floor(postures / 100),
      added: addedCount,
      statusMoves: countIds(postures, (id) => id % 100 >= 1 && id % 100 <= 5),
      evidenceChanged: countIds(postures, (id) => id % 100 === 6),
      datesOnly: countIds(postures, (id) => id % 100 === 7),
    },
  };
}

function countIds(limit: number, predicate: (id: number) => boolean): number {
  let count = 0;
  for (let id = 1; id <= limit; id++) if (predicate(id)) count++;
  return count;
}

/** Returns the status of posture `id` in snapshot A, as `buildDiffStore` writes it. */
export function benchStatusOfA(id: number): string {
  return STATUS_CYCLE[(id * 7) % 10]!;
}
