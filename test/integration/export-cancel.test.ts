import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveReportRevision, getReport } from '../../db/reports.js';
import { openStore } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { exportPackage, exportPdf } from '../../electron/report/export.js';
import { generateFile } from '../simulator/index.js';
import { makeTempDir } from '../helpers/temp.js';

const BIN = new URL('../../bin/posture-workbench.js', import.meta.url).pathname;

describe('exports interrupted', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let db: string;
  let snapshotId: number;

  beforeAll(async () => {
    // Enough postures that the CSV takes a moment to write after its file appears.
    dir = makeTempDir('pw-export-cancel-');
    db = join(dir.path, 'store.db');
    const file = join(dir.path, 'postures.json.gz');
    await generateFile({ seed: 9, hosts: 200, policies: 2, controlsPerPolicy: 50 }, file, { version: 3, gzip: true, evidence: true });
    const store = openStore(db);
    snapshotId = (await importFiles(store, [file])).snapshotId;
    store.close();
  });

  afterAll(() => dir.remove());

  it('Ctrl+C leaves no file', async () => {
    const outDir = join(dir.path, 'out');
    mkdirSync(outDir);
    const out = join(outDir, 'postures.csv');
    const child = spawn(process.execPath, [BIN, 'export', 'csv', '--snapshot', String(snapshotId), '--out', out, '--db', db]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    // 1. Interrupt as soon as the temporary file exists, that is while rows are written.
    const deadline = Date.now() + 30_000;
    while (readdirSync(outDir).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(readdirSync(outDir)[0]).toMatch(/^postures\.csv\.partial-\d+$/);
    child.kill('SIGINT');

    // 2. The export stops as cancelled and removes what it wrote.
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/cancelled after [\d,]+ rows; no file was written/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(outDir)).toEqual([]);
  });

  /** Waits until `ready` is true, checking every 2 ms, for at most 30 s. */
  async function waitFor(ready: () => boolean): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!ready() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  it('cancel stops a PDF while it renders', async () => {
    const store = openStore(db);
    try {
      const saved = saveReportRevision(store, { title: 'Cancel test', client: 'Client', site: 'Site', auditor: 'Auditor', snapshotId, baselineId: null, query: null });
      const report = getReport(store, saved.reportId);
      const outDir = join(dir.path, 'pdf');
      mkdirSync(outDir);
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 50);
      await expect(exportPdf(store, report, join(outDir, 'report.pdf'), null, { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });

      // The worker is ended, so the export does not wait for the render to finish.
      expect(Date.now() - started).toBeLessThan(2000);
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('cancel stops a package and removes its files', async () => {
    const store = openStore(db);
    try {
      const saved = saveReportRevision(store, { title: 'Cancel package', client: 'Client', site: 'Site', auditor: 'Auditor', snapshotId, baselineId: null, query: null });
      const report = getReport(store, saved.reportId);
      const outDir = join(dir.path, 'package');
      mkdirSync(outDir);
      const controller = new AbortController();
      const run = exportPackage(store, report, join(outDir, 'package.zip'), null, { signal: controller.signal });

      // Cancel once the package's temporary folder exists, while its CSVs are written.
      await waitFor(() => readdirSync(outDir).some((name) => name.startsWith('.package-')));
      controller.abort();
      await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('cancel stops a package while it zips', async () => {
    const store = openStore(db);
    try {
      const saved = saveReportRevision(store, { title: 'Cancel zip', client: 'Client', site: 'Site', auditor: 'Auditor', snapshotId, baselineId: null, query: null });
      const report = getReport(store, saved.reportId);
      const outDir = join(dir.path, 'zipping');
      mkdirSync(outDir);
      const controller = new AbortController();
      const run = exportPackage(store, report, join(outDir, 'package.zip'), null, { signal: controller.signal });

      // The zip's temporary file appears only once every part is written and hashed.
      await waitFor(() => readdirSync(outDir).some((name) => name.startsWith('package.zip.partial-')));
      controller.abort();
      await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('delete names the unsigned reports it breaks', async () => {
    // The tests above saved unsigned report revisions on this snapshot; one more is exported.
    const pdf = join(dir.path, 'kept.pdf');
    const store = openStore(db);
    try {
      const saved = saveReportRevision(store, { title: 'Kept PDF', client: 'Client', site: 'Site', auditor: 'Auditor', snapshotId, baselineId: null, query: null });
      await exportPdf(store, getReport(store, saved.reportId), pdf, null);
    } finally {
      store.close();
    }

    const output = execFileSync(process.execPath, [BIN, 'delete', String(snapshotId), '--json', '--db', db], { encoding: 'utf8' });
    const result = JSON.parse(output) as { deleted: number; unsignedReports: { title: string; revision: number }[] };
    expect(result.deleted).toBe(snapshotId);
    expect(result.unsignedReports.map((report) => report.title).sort()).toEqual(['Cancel package', 'Cancel test', 'Cancel zip', 'Kept PDF']);

    // verify then reports the missing snapshot, rather than changed data.
    const verify = spawnSync(process.execPath, [BIN, 'verify', pdf, '--db', db], { encoding: 'utf8' });
    expect(verify.status).toBe(8);
    expect(verify.stdout).toContain(`snapshot ${snapshotId} is no longer in the store`);
    expect(verify.stdout).not.toContain('the data or the report definition changed');
  });
});
