import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'posture-workbench.js');

interface DemoSummary {
  database: string;
  reportId: string;
  pdf: { path: string; pages: number; findings: number; signed: boolean };
  csv: { path: string; rows: number }[];
  package: { path: string; files: number };
  verified: boolean;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('npm run demo output', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let summary: DemoSummary;
  let stdout: string;

  beforeAll(() => {
    dir = makeTempDir();
    stdout = execFileSync('npx', ['tsx', 'scripts/demo.ts'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DEMO_OUTPUT: dir.path } });
    summary = JSON.parse(readFileSync(join(dir.path, 'summary.json'), 'utf8')) as DemoSummary;
  });

  afterAll(() => dir.remove());

  it('demo prints the paths', () => {
    expect(stdout).toContain(dir.path);
    expect(stdout).toContain('verify: all checks passed');
  });

  it('demo writes every deliverable', () => {
    for (const name of ['report.pdf', 'postures.csv', 'diff.csv', 'rollups.csv', 'audit-package.zip']) {
      expect(existsSync(join(dir.path, name))).toBe(true);
    }
    expect(summary.verified).toBe(true);
    expect(summary.pdf.signed).toBe(true);
    expect(summary.pdf.findings).toBeGreaterThan(0);
    expect(summary.csv.every((csv) => csv.rows > 0)).toBe(true);
  });

  it('demo PDF is signed and filled', () => {
    const signature = spawnSync('pdfsig', [summary.pdf.path], { encoding: 'utf8' }).stdout;
    expect(signature).toContain('Signature is Valid');
    const text = execFileSync('pdftotext', [summary.pdf.path, '-'], { encoding: 'utf8' });
    expect(text).toContain('DEMONSTRATION CERTIFICATE');
    expect(text).toContain('Regressed (Passed or Passed* → Failed or Error)');
    expect(text).toContain('Demo Auditor');
    expect(text).toMatch(/API pull from http:\/\/127\.0\.0\.1:\d+/);
  });

  it('verify CLI passes, then fails on a copy', () => {
    const env = { POSTURE_WORKBENCH_DB: summary.database };
    for (const path of [summary.pdf.path, summary.package.path]) {
      const result = cli(['verify', path, '--json'], env);
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout).ok).toBe(true);
    }
    const copy = join(dir.path, 'modified.pdf');
    const bytes = readFileSync(summary.pdf.path);
    bytes[1000] = bytes[1000]! ^ 0x20;
    writeFileSync(copy, bytes);
    const failed = cli(['verify', copy], env);
    expect(failed.status).toBe(8);
    expect(failed.stderr).toContain('no longer matches');
  });

  it('demo keeps a folder with other files', () => {
    const other = makeTempDir();
    try {
      writeFileSync(join(other.path, 'precious.txt'), 'keep me');
      const result = spawnSync('npx', ['tsx', 'scripts/demo.ts'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DEMO_OUTPUT: other.path } });
      expect(result.status).toBe(9);
      expect(result.stderr).toContain(`${other.path} is not empty`);
      expect(readFileSync(join(other.path, 'precious.txt'), 'utf8')).toBe('keep me');
    } finally {
      other.remove();
    }
  });

  it('export CLI rejects overwrite without --force', () => {
    const result = cli(['export', 'csv', '--snapshot', '1', '--out', join(dir.path, 'postures.csv')], { POSTURE_WORKBENCH_DB: summary.database });
    expect(result.status).toBe(9);
    expect(result.stderr).toContain('--force');
  });
});
