/**
 * Diff benchmark: two snapshots of 1,000,000 postures (5% status changes, 1% evidence
 * changes, 1% removed, 1% added), written straight into the store's tables, then counts,
 * pages, roll-ups, history and a 20-snapshot trend, against naive baselines in the same run.
 *
 * Run: npm run bench:diff. DIFF_BENCH_HOSTS=500 runs a 100,000-posture version quickly.
 * Results: test/bench/results/diff.json and diff.md.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { diffRollups, ROLLUP_DIMENSIONS } from '../../db/diff-rollups.js';
import { postureDiffDetail } from '../../db/diff-detail.js';
import { diffCounts, diffRows, type DiffCounts } from '../../db/diff.js';
import { passRateTrend, postureHistory } from '../../db/history.js';
import { openStore, type Store } from '../../db/store.js';
import { buildDiffStore, type DiffStoreShape } from './diff-store.js';
import { writeResults } from './results.js';

const HOSTS = Number(process.env.DIFF_BENCH_HOSTS ?? 5000);
const SHAPE: DiffStoreShape = { policies: 2, hosts: HOSTS, controls: 100, rawBytes: 200 };
const TREND_SNAPSHOTS = 20;
const WORK = new URL('./work/', import.meta.url).pathname;
const DB_PATH = `${WORK}diff-bench.db`;

interface Measure {
  name: string;
  ms: number;
  runs: number;
  targetMs?: number;
  note?: string;
}

const measures: Measure[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Times `work` `runs` times and records the median. */
function time<T>(name: string, runs: number, work: () => T, extra: { targetMs?: number; note?: string } = {}): T {
  const times: number[] = [];
  let result: T | undefined;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    result = work();
    times.push(performance.now() - start);
  }
  const ms = median(times);
  measures.push({ name, ms, runs, ...extra });
  console.log(`${name}: ${ms.toFixed(1)} ms (median of ${runs})${extra.targetMs ? `, target ≤ ${extra.targetMs} ms` : ''}`);
  return result!;
}

/** Baseline: load both snapshots into Maps and classify the differing states in JS. */
function countsWithMaps(store: Store, a: number, b: number): Pick<DiffCounts, 'added' | 'removed' | 'regressed' | 'fixed' | 'evidenceChanged'> {
  const members = store.sqlite.prepare('SELECT posture_id, state_id FROM snapshot_members WHERE snapshot_id = ?').raw();
  const load = (id: number) => {
    const map = new Map<number, number>();
    for (const [postureId, stateId] of members.iterate(id) as IterableIterator<[number, number]>) map.set(postureId, stateId);
    return map;
  };
  const mapA = load(a);
  const mapB = load(b);
  const state = store.sqlite.prepare('SELECT status_class, evidence_sha256 FROM posture_states WHERE id = ?').raw();
  const counts = { added: 0, removed: 0, regressed: 0, fixed: 0, evidenceChanged: 0 };
  for (const [postureId, stateA] of mapA) {
    const stateB = mapB.get(postureId);
    if (stateB === undefined) {
      counts.removed++;
      continue;
    }
    if (stateB === stateA) continue;
    const [classA, evidenceA] = state.get(stateA) as [string, Buffer];
    const [classB, evidenceB] = state.get(stateB) as [string, Buffer];
    const passingA = classA === 'pass' || classA === 'exception';
    if (passingA && (classB === 'fail' || classB === 'error')) counts.regressed++;
    else if ((classA === 'fail' || classA === 'error') && classB === 'pass') counts.fixed++;
    else if (classA === classB && !evidenceA.equals(evidenceB)) counts.evidenceChanged++;
  }
  for (const postureId of mapB.keys()) if (!mapA.has(postureId)) counts.added++;
  return counts;
}

/** Baseline: a FULL OUTER JOIN of two member subqueries over the first `limit` postures. */
function fullOuterJoinSql(a: number, b: number, limit: number): string {
  return `SELECT count(*) AS changed
            FROM (SELECT posture_id, state_id FROM snapshot_members WHERE snapshot_id = ${a} AND posture_id <= ${limit}) x
            FULL OUTER JOIN (SELECT posture_id, state_id FROM snapshot_members WHERE snapshot_id = ${b} AND posture_id <= ${limit}) y
              ON x.posture_id = y.posture_id
           WHERE x.state_id IS NOT y.state_id`;
}

/** Adds snapshots 3..20 that move from A's states to B's a twentieth of the postures at a time. */
function addTrendSnapshots(store: Store, a: number, b: number): number[] {
  const ids: number[] = [];
  for (let step = 1; step <= TREND_SNAPSHOTS - 2; step++) {
    store.sqlite.transaction(() => {
      const createdAt = new Date(Date.UTC(2026, 1, 1 + step)).toISOString();
      const id = Number(
        store.sqlite
          .prepare(
            `INSERT INTO snapshots (label, created_at, completed_at, state, source_kind, source) VALUES (?, ?, ?, 'complete', 'file', 'bench')`,
          )
          .run(`Bench trend ${step}`, createdAt, createdAt).lastInsertRowid,
      );
      store.sqlite.prepare('INSERT INTO snapshot_policies (snapshot_id, policy_id) SELECT ?, policy_id FROM snapshot_policies WHERE snapshot_id = ?').run(id, a);
      store.sqlite
        .prepare(
          `INSERT INTO snapshot_members (snapshot_id, posture_id, state_id)
           SELECT ?, m.posture_id, CASE WHEN m.posture_id % 20 < ? AND n.state_id IS NOT NULL THEN n.state_id ELSE m.state_id END
             FROM snapshot_members m LEFT JOIN snapshot_members n ON n.snapshot_id = ? AND n.posture_id = m.posture_id
            WHERE m.snapshot_id = ?`,
        )
        .run(id, step, b, a);
      ids.push(id);
    })();
  }
  return ids;
}

/** Adds a snapshot that re-sends every record of `b` with a new evaluation date, as a daily pull does. */
function addDatesMovedSnapshot(store: Store, b: number): number {
  return store.sqlite.transaction(() => {
    const createdAt = new Date(Date.UTC(2026, 5, 1)).toISOString();
    const id = Number(
      store.sqlite
        .prepare(`INSERT INTO snapshots (label, created_at, completed_at, state, source_kind, source) VALUES ('Bench dates moved', ?, ?, 'complete', 'file', 'bench')`)
        .run(createdAt, createdAt).lastInsertRowid,
    );
    const firstNew = (store.sqlite.prepare('SELECT max(id) + 1 AS id FROM posture_states').get() as { id: number }).id;
    store.sqlite.prepare('INSERT INTO snapshot_policies (snapshot_id, policy_id) SELECT ?, policy_id FROM snapshot_policies WHERE snapshot_id = ?').run(id, b);
    store.sqlite
      .prepare(
        `INSERT INTO posture_states (sha256, posture_id, status, status_class, is_exception, last_evaluated_date,
                                     control_revision_id, host_revision_id, evidence_sha256, raw)
         SELECT randomblob(32), s.posture_id, s.status, s.status_class, s.is_exception, '2026-06-01T00:00:00Z',
                s.control_revision_id, s.host_revision_id, s.evidence_sha256, s.raw
           FROM snapshot_members m JOIN posture_states s ON s.id = m.state_id WHERE m.snapshot_id = ? ORDER BY m.posture_id`,
      )
      .run(b);
    store.sqlite
      .prepare(`INSERT INTO snapshot_members (snapshot_id, posture_id, state_id) SELECT ?, posture_id, id FROM posture_states WHERE id >= ?`)
      .run(id, firstNew);
    return id;
  })();
}

function tableBytes(store: Store, name: string): number {
  return (store.sqlite.prepare('SELECT coalesce(sum(pgsize), 0) AS bytes FROM dbstat WHERE name = ?').get(name) as { bytes: number }).bytes;
}

function main(): void {
  mkdirSync(WORK, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${DB_PATH}${suffix}`, { force: true });
  const loadAtStart = loadavg()[0]!;
  const store = openStore(DB_PATH);

  // 1. The store, straight into its tables.
  const built = time('build 2 snapshots (SQL inserts)', 1, () => buildDiffStore(store, SHAPE));
  const { snapshotA: a, snapshotB: b } = built;
  console.log(`${built.postures.toLocaleString('en-US')} postures per snapshot`);

  // 2. Counts, pages and detail: the interactive path.
  const counts = time('all counts, A → B', 5, () => diffCounts(store, a, b), { targetMs: 1000 });
  time('first page, 100 rows', 20, () => diffRows(store, { a, b, limit: 100 }), { targetMs: 50 });
  const page = time('page 2, 100 rows', 20, () => diffRows(store, { a, b, limit: 100, after: diffRows(store, { a, b, limit: 100 }).nextCursor }), {
    note: 'includes fetching page 1 for its cursor',
  });
  time('first page, class fixed', 20, () => diffRows(store, { a, b, limit: 100, classes: ['fixed'] }));
  time('first page, one host', 20, () => diffRows(store, { a, b, limit: 100, hostIds: [50_000 + Math.ceil(HOSTS / 2)] }));
  time('first page, class added only', 3, () => diffRows(store, { a, b, limit: 100, classes: ['added'] }), {
    note: "walks B's members until the first added posture",
  });
  time('counts, one policy', 3, () => diffCounts(store, a, b, { policyIds: [1] }));
  time('counts, one criticality', 3, () => diffCounts(store, a, b, { criticality: [5] }));
  time('regressions by criticality, 100 rows', 3, () => diffRows(store, { a, b, classes: ['regressed'], order: 'criticality', limit: 100 }), {
    note: 'sorts every regression: for reports',
  });
  time('posture detail', 20, () => postureDiffDetail(store, a, b, page.rows[0]!.postureId));
  for (const by of ROLLUP_DIMENSIONS) time(`roll-up by ${by}`, 1, () => diffRollups(store, a, b, by));

  // 3. Baselines in the same run.
  const mapCounts = time('baseline: both snapshots in JS Maps', 3, () => countsWithMaps(store, a, b));
  for (const name of ['added', 'removed', 'regressed', 'fixed', 'evidenceChanged'] as const) {
    if (mapCounts[name] !== counts[name]) throw new Error(`The Map baseline counts ${mapCounts[name]} ${name}, the diff ${counts[name]}.`);
  }
  const fullOuterPlan = (store.sqlite.prepare(`EXPLAIN QUERY PLAN ${fullOuterJoinSql(a, b, 1000)}`).all() as { detail: string }[]).map((row) => row.detail);
  for (const limit of [5_000, 10_000, 20_000, 40_000]) {
    const ms = time(`baseline: FULL OUTER JOIN of subqueries, first ${limit.toLocaleString('en-US')} postures`, 1, () => {
      const start = performance.now();
      store.sqlite.prepare(fullOuterJoinSql(a, b, limit)).get();
      return performance.now() - start;
    });
    if (ms > 10_000) break;
  }

  // 4. Trend over 20 snapshots: the first call counts each snapshot once, later calls read the counts.
  time('build 18 more snapshots', 1, () => addTrendSnapshots(store, a, b));
  time('trend over 20 snapshots, first call', 1, () => passRateTrend(store), { note: 'counts each snapshot once and stores the counts' });
  const trend = time('trend over 20 snapshots', 5, () => passRateTrend(store), { targetMs: 1000 });
  time('trend over 20 snapshots, one policy', 5, () => passRateTrend(store, { policyId: 1 }), { targetMs: 1000 });
  time('trend over 20 snapshots, one host', 5, () => passRateTrend(store, { hostId: 50_001 }), { targetMs: 1000 });
  time('history of one posture over 20 snapshots', 5, () => postureHistory(store, { hostId: 50_001, controlId: 1002 }));
  if (trend.length !== TREND_SNAPSHOTS) throw new Error(`The trend has ${trend.length} points, expected ${TREND_SNAPSHOTS}.`);

  // 5. A daily pull re-sends every record with new dates, so every state differs.
  time('build a snapshot with every record re-sent', 1, () => addDatesMovedSnapshot(store, b));
  const datesMoved = time('all counts, every state new (dates moved)', 3, () => diffCounts(store, b, b + TREND_SNAPSHOTS - 1));

  const storage = {
    databaseBytes: statSync(DB_PATH).size,
    snapshotMembersBytes: tableBytes(store, 'snapshot_members'),
    statusCountsBytes: tableBytes(store, 'snapshot_status_counts'),
  };
  store.close();

  // 6. Results.
  const environment = {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    node: process.version,
    loadAverageAtStart: Number(loadAtStart.toFixed(2)),
    date: new Date().toISOString(),
  };
  writeResults(
    'diff',
    { shape: SHAPE, postures: built.postures, expected: built.expected, counts, datesMovedCounts: datesMoved, environment, storage, fullOuterPlan, measures },
    renderMarkdown(built.postures, counts, environment, storage, fullOuterPlan),
  );
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${DB_PATH}${suffix}`, { force: true });
}

function renderMarkdown(
  postures: number,
  counts: DiffCounts,
  environment: { cpus: string; node: string; loadAverageAtStart: number },
  storage: { databaseBytes: number; snapshotMembersBytes: number; statusCountsBytes: number },
  fullOuterPlan: string[],
): string {
  const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const rows = measures.map((measure) => {
    const target = measure.targetMs === undefined ? '' : `≤ ${measure.targetMs.toLocaleString('en-US')} ms`;
    let verdict = '';
    if (measure.targetMs !== undefined) verdict = measure.ms <= measure.targetMs ? 'met' : 'missed';
    return `| ${measure.name} | ${measure.ms.toFixed(1)} | ${measure.runs} | ${target} | ${verdict} | ${measure.note ?? ''} |`;
  });
  return `# Diff benchmark

Two snapshots of ${postures.toLocaleString('en-US')} postures (2 policies × ${HOSTS.toLocaleString('en-US')} hosts × 100 controls),
B with 5% status changes, 1% evidence changes, 1% date-only changes, 1% removed and 1% added,
written straight into the store's tables by \`test/bench/diff-store.ts\`. Run with
\`npm run bench:diff\` on ${environment.cpus}, Node ${environment.node}; the load average was
${environment.loadAverageAtStart} when the run started (other work shared the machine), so
treat single numbers as estimates. Times are medians of the given number of runs, in one
process with a warm page cache.

Counts A → B: ${Object.entries(counts)
    .map(([name, count]) => `${name} ${count.toLocaleString('en-US')}`)
    .join(', ')}.

| measure | ms | runs | target | result | note |
|---|---|---|---|---|---|
${rows.join('\n')}

Storage: database ${megabytes(storage.databaseBytes)} MB at the end of the run, of which
\`snapshot_members\` ${megabytes(storage.snapshotMembersBytes)} MB and the stored trend counts
(\`snapshot_status_counts\`) ${megabytes(storage.statusCountsBytes)} MB for the ${TREND_SNAPSHOTS} snapshots of the trend.
No index was added to \`snapshot_members\`.

The FULL OUTER JOIN baseline's plan: ${fullOuterPlan.map((line) => `\`${line}\``).join('; ')}.
`;
}

main();
