import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { generateFile } from '../simulator/index.js';
import { makeTempDir } from '../helpers/temp.js';

const BIN = new URL('../../bin/posture-workbench.js', import.meta.url).pathname;

describe('CSV export interrupted', () => {
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
    expect(stderr).toMatch(/cancelled after [\d,]+ rows; nothing was saved/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(outDir)).toEqual([]);
  });
});
