import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutputPath, writeOutputFile } from '../../electron/report/output.js';
import { needsFallbackFont, visibleText } from '../../electron/report/pdf/layout.js';
import { makeTempDir } from '../helpers/temp.js';

describe('output path checks', () => {
  let dir: ReturnType<typeof makeTempDir>;

  beforeEach(() => {
    dir = makeTempDir();
  });

  afterEach(() => dir.remove());

  it('rejects a directory', () => {
    mkdirSync(join(dir.path, 'folder'));
    expect(() => checkOutputPath(join(dir.path, 'folder'), false)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('rejects a missing parent folder', () => {
    expect(() => checkOutputPath(join(dir.path, 'missing', 'r.pdf'), false)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('rejects an existing file without force', () => {
    const path = join(dir.path, 'r.pdf');
    writeFileSync(path, 'x');
    expect(() => checkOutputPath(path, false)).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining('--force') }));
    expect(checkOutputPath(path, true)).toBe(path);
  });
});

describe('report text helpers', () => {
  it('fallback font only for CJK text', () => {
    expect(needsFallbackFont('Zürich Ακμή Москва')).toBe(false);
    expect(needsFallbackFont('サーバー')).toBe(true);
    expect(needsFallbackFont('中文')).toBe(true);
  });

  it('control characters become visible', () => {
    expect(visibleText('Automatic (2)\u0000')).toBe('Automatic (2)\\u0000');
    expect(visibleText('a\r\nb\tc')).toBe('a\nb\tc');
  });
});

describe('output written meanwhile', () => {
  let dir: ReturnType<typeof makeTempDir>;

  beforeEach(() => {
    dir = makeTempDir();
  });

  afterEach(() => dir.remove());

  /** Writes "ours" to `path`, while another writer creates the same file mid-way. */
  const race = (path: string, overwrite: boolean) =>
    writeOutputFile(
      path,
      async (stream) => {
        writeFileSync(path, 'theirs');
        stream.end('ours');
      },
      { overwrite },
    );

  it('keeps the other file without overwrite', async () => {
    const path = join(dir.path, 'report.csv');
    await expect(race(path, false)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(readFileSync(path, 'utf8')).toBe('theirs');
    expect(readdirSync(dir.path)).toEqual(['report.csv']);
  });

  it('replaces it with overwrite', async () => {
    const path = join(dir.path, 'report.csv');
    await race(path, true);
    expect(readFileSync(path, 'utf8')).toBe('ours');
    expect(readdirSync(dir.path)).toEqual(['report.csv']);
  });
});

describe('leftovers of killed exports', () => {
  let dir: ReturnType<typeof makeTempDir>;

  beforeEach(() => {
    dir = makeTempDir();
  });

  afterEach(() => dir.remove());

  it('removes only files of exited processes', async () => {
    // The id of a process that has exited, as a killed export leaves behind.
    const exitedPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const path = join(dir.path, 'report.csv');
    writeFileSync(`${path}.partial-${exitedPid}`, 'half');
    mkdirSync(join(dir.path, `.package-${exitedPid}-AbC123`));
    writeFileSync(join(dir.path, `.package-${exitedPid}-AbC123`, 'postures.csv'), 'evidence');
    // The parent process runs, as another export still writing would.
    writeFileSync(`${path}.partial-${process.ppid}`, 'running export');
    writeFileSync(join(dir.path, `other.csv.partial-${exitedPid}`), 'another output');

    await writeOutputFile(path, async (stream) => {
      stream.end('done');
    });
    expect(readdirSync(dir.path).sort()).toEqual([`other.csv.partial-${exitedPid}`, 'report.csv', `report.csv.partial-${process.ppid}`].sort());
  });
});
