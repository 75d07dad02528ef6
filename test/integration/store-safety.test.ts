import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveReportRevision, signOffReport } from '../../db/reports.js';
import { deleteSnapshot, getSnapshot, listSnapshots, updateSnapshot } from '../../db/snapshots.js';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { writePostureFile } from '../helpers/posture-generator.js';
import { makeTempDir } from '../helpers/temp.js';

const cli = new URL('../../bin/posture-workbench.js', import.meta.url).pathname;
const fixture = (file: string) => new URL(`../fixtures/reference/${file}`, import.meta.url).pathname;

let dir: ReturnType<typeof makeTempDir>;
let store: Store;

beforeEach(() => {
  dir = makeTempDir();
  store = openStore(join(dir.path, 'store.db'));
});

afterEach(() => {
  store.close();
  dir.remove();
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('concurrent writers', () => {
  it('lets parallel imports wait for each other', async () => {
    const file = join(dir.path, 'many.json.gz');
    await writePostureFile(file, { records: 6000, gzip: true });
    const dbPath = join(dir.path, 'shared.db');
    const runs = await Promise.all([0, 1, 2].map(() => runCli(['import', file, '--db', dbPath, '--json'])));
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    const shared = openStore(dbPath);
    try {
      const snapshots = listSnapshots(shared);
      expect(snapshots).toHaveLength(3);
      for (const snapshot of snapshots) expect(snapshot.records).toBe(6000);
    } finally {
      shared.close();
    }
  });
});

describe('signed-off snapshots', () => {
  it('rejects a new label or note', async () => {
    const { snapshotId } = await importFiles(store, [fixture('v2-posture.json')]);
    const revision = saveReportRevision(store, {
      title: 'Q3',
      client: 'Acme',
      site: 'Berlin',
      auditor: 'J. Doe',
      snapshotId,
      baselineId: null,
      query: null,
    });
    signOffReport(store, revision.reportId, revision.revision, {
      name: 'J. Doe',
      role: 'Lead auditor',
      organisation: 'Audit GmbH',
      statement: 'Reviewed.',
    });
    expect(() => updateSnapshot(store, snapshotId, { label: 'Tampered' })).toThrow(/signed-off report, so its label and note can no longer change/);
    expect(() => updateSnapshot(store, snapshotId, { note: 'Tampered' })).toThrow(/LOCKED|signed-off/);
    expect(getSnapshot(store, snapshotId).label).toBe('v2-posture.json');
    expect(() => deleteSnapshot(store, snapshotId)).toThrow(
      new RegExp(`signed-off report ${revision.reportId} revision 1 \\(signed by J\\. Doe\\) and cannot be deleted`),
    );
  });
});

describe('snapshot state', () => {
  it('marks a snapshot that a live process writes as running', async () => {
    const { snapshotId } = await importFiles(store, [fixture('v2-posture.json')]);
    const sleeper = spawn('sleep', ['30']);
    try {
      store.sqlite.prepare("UPDATE snapshots SET state = 'building', owner_pid = ?, source_kind = 'pull' WHERE id = ?").run(sleeper.pid, snapshotId);
      expect(listSnapshots(store, { includeBuilding: true })[0]!.running).toBe(true);
    } finally {
      sleeper.kill();
      await new Promise((resolve) => sleeper.once('exit', resolve));
    }
    expect(listSnapshots(store, { includeBuilding: true })[0]!.running).toBe(false);
  });
});

describe('import guards', () => {
  it('fails when lenient rejects every record', async () => {
    const path = join(dir.path, 'placeholders.json');
    writeFileSync(path, '[{"policyId":"<POLICY ID>","hostId":1,"controlId":2,"instance":"os","status":"Passed"}]');
    await expect(importFiles(store, [path], { lenient: true, rejectsPath: join(dir.path, 'rejects.jsonl') })).rejects.toThrow(
      /placeholders\.json: all 1 records were rejected/,
    );
    expect(listSnapshots(store, { includeBuilding: true })).toEqual([]);
    expect(readFileSync(join(dir.path, 'rejects.jsonl'), 'utf8')).toContain('<POLICY ID>');
  });

  it('names the file that failed among several', async () => {
    const empty = join(dir.path, 'empty.json');
    writeFileSync(empty, '');
    await expect(importFiles(store, [fixture('v2-posture.json'), empty])).rejects.toThrow(/^empty\.json: The input is empty/);
  });
});

describe('database path', () => {
  it('is not created by read-only commands', () => {
    const missing = join(dir.path, 'typo', 'store.db');
    const result = spawnSync(process.execPath, [cli, 'snapshots', '--db', missing], { encoding: 'utf8' });
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/Database not found: .*typo\/store\.db/);
    expect(existsSync(join(dir.path, 'typo'))).toBe(false);
  });

  it('rejects a folder as the database', () => {
    const result = spawnSync(process.execPath, [cli, 'snapshots', '--db', dir.path], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/is a folder; the database must be a file/);
  });

  it('reports a failed migration in one line', () => {
    const path = join(dir.path, 'broken.db');
    // A table of the same name but another shape makes the first migration fail.
    const raw = new Database(path);
    raw.exec('CREATE TABLE snapshots (unrelated TEXT)');
    raw.close();
    const result = spawnSync(process.execPath, [cli, 'snapshots', '--db', path], { encoding: 'utf8' });
    expect(result.status).toBe(7);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Cannot update the database .* to this version's schema/);
    const after = new Database(path, { readonly: true });
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '__drizzle%' ORDER BY name").all();
    after.close();
    expect(tables).toEqual([{ name: 'snapshots' }]);
  });
});
