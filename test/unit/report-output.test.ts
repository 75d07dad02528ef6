import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutputPath } from '../../electron/report/output.js';
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
