import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import type { POSTURE_COLUMNS } from '../../electron/report/csv.js';
import { exportCsv } from '../../electron/report/export.js';
import { readPackageEntries } from '../../electron/report/package.js';
import { parseCsv } from '../helpers/csv.js';
import { makeTempDir } from '../helpers/temp.js';
import { generateFile } from '../simulator/index.js';

const BIN = new URL('../../bin/posture-workbench.js', import.meta.url).pathname;
const run = promisify(execFile);

async function cli(db: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args, '--db', db], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

interface SearchOutput {
  total: number;
  nextCursor: string | null;
  rows: { policyId: number; hostId: number; controlId: number; instance: string; status: string }[];
}

/** Posture identity as both outputs name it: policy, host, control, instance. */
function identity(policyId: number | string, hostId: number | string, controlId: number | string, instance: string): string {
  return `${policyId}/${hostId}/${controlId}/${instance}`;
}

function csvIdentities(text: string): string[] {
  const [header, ...rows] = parseCsv(text);
  const column = (name: (typeof POSTURE_COLUMNS)[number]) => header!.indexOf(name);
  return rows.map((row) => identity(row[column('policy_id')]!, row[column('host_id')]!, row[column('control_id')]!, row[column('instance')]!)).sort();
}

// A word, a filter pair and an exclusion: each matches part of the snapshot, in one search page.
const QUERIES = ['password', 'status:Failed criticality:4,5', 'ssh -status:Passed'];

describe('export with --query', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: string;
  let snapshot: string;
  let postures: number;

  beforeAll(async () => {
    dir = makeTempDir('pw-report-query-');
    db = join(dir.path, 'store.db');
    const path = join(dir.path, 'postures.json.gz');
    await generateFile({ seed: 11, hosts: 30, policies: 2, controlsPerPolicy: 30 }, path, { version: 3, gzip: true, evidence: true });
    // Set up in this process; each CLI start costs seconds on a busy 2-core machine.
    const store = openStore(db);
    try {
      const imported = await importFiles(store, [path]);
      snapshot = String(imported.snapshotId);
      postures = imported.records;
    } finally {
      store.close();
    }
  });

  afterAll(() => dir.remove());

  it.each(QUERIES)('CSV rows equal search results for %j', async (query) => {
    const found = JSON.parse(await cli(db, 'search', query, '--snapshot', snapshot, '--json', '--limit', '1000')) as SearchOutput;
    expect(found.nextCursor).toBeNull();
    expect(found.total).toBeGreaterThan(0);
    expect(found.total).toBeLessThan(postures);
    expect(found.total).toBe(found.rows.length);

    const out = join(dir.path, `query-${QUERIES.indexOf(query)}.csv`);
    const exported = JSON.parse(await cli(db, 'export', 'csv', '--snapshot', snapshot, '--query', query, '--out', out, '--json')) as { rows: number };
    expect(exported.rows).toBe(found.total);
    const expected = found.rows.map((row) => identity(row.policyId, row.hostId, row.controlId, row.instance)).sort();
    expect(csvIdentities(readFileSync(out, 'utf8'))).toEqual(expected);
  });

  it('PDF and package keep to the query', async () => {
    const query = QUERIES[1]!;
    const found = JSON.parse(await cli(db, 'search', query, '--snapshot', snapshot, '--json', '--limit', '1000')) as SearchOutput;

    const pdf = JSON.parse(await cli(db, 'export', 'pdf', '--snapshot', snapshot, '--query', query, '--out', join(dir.path, 'query.pdf'), '--json')) as {
      findings: number;
    };
    expect(pdf.findings).toBe(found.rows.filter((row) => row.status === 'Failed' || row.status === 'Error').length);

    const packagePath = join(dir.path, 'query.zip');
    await cli(db, 'export', 'package', '--snapshot', snapshot, '--query', query, '--out', packagePath, '--json');
    const entries = await readPackageEntries(packagePath, (name) => name === 'postures.csv');
    const expected = found.rows.map((row) => identity(row.policyId, row.hostId, row.controlId, row.instance)).sort();
    expect(csvIdentities(entries.get('postures.csv')!.data!.toString('utf8'))).toEqual(expected);
  });

  it('invalid query is a usage error', async () => {
    // pdf saves a report revision first, csv does not: both must reject the query.
    const failure = await cli(db, 'export', 'pdf', '--snapshot', snapshot, '--query', 'colour:red', '--out', join(dir.path, 'invalid.pdf')).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).not.toBeNull();
    expect(failure!.code).toBe(2);
    expect(failure!.stderr).toContain('The report query "colour:red" is invalid');

    const store = openStore(db);
    try {
      const csv = exportCsv(store, { kind: 'postures', snapshotId: Number(snapshot), baselineId: null, query: 'colour:red', path: join(dir.path, 'invalid.csv') });
      await expect(csv).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('The report query "colour:red" is invalid') });
    } finally {
      store.close();
    }
  });
});
