import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_FILES, DEMO_MARKER, prepareDemoOutput } from '../../scripts/demo-output.js';
import { makeTempDir } from '../helpers/temp.js';

describe('demo output folder', () => {
  let dir: ReturnType<typeof makeTempDir>;

  beforeEach(() => {
    dir = makeTempDir('pw-demo-output-');
  });

  afterEach(() => dir.remove());

  it('creates a missing folder with the marker', () => {
    const folder = join(dir.path, 'new', 'demo');
    prepareDemoOutput(folder);
    const marker = JSON.parse(readFileSync(join(folder, DEMO_MARKER), 'utf8')) as { files: string[] };
    expect(marker.files).toEqual([...DEMO_FILES]);
  });

  it('rejects a folder with other files', () => {
    writeFileSync(join(dir.path, 'precious.txt'), 'keep me');
    expect(() => prepareDemoOutput(dir.path)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => prepareDemoOutput(dir.path)).toThrow(/not empty .*DEMO_OUTPUT/);
    expect(readFileSync(join(dir.path, 'precious.txt'), 'utf8')).toBe('keep me');
    expect(existsSync(join(dir.path, DEMO_MARKER))).toBe(false);
  });

  it('removes only files the demo wrote', () => {
    prepareDemoOutput(dir.path);
    for (const name of DEMO_FILES) writeFileSync(join(dir.path, name), 'demo output');
    writeFileSync(join(dir.path, 'precious.txt'), 'keep me');
    mkdirSync(join(dir.path, 'notes'));
    writeFileSync(join(dir.path, 'notes', 'report.pdf'), 'keep me too');

    prepareDemoOutput(dir.path);
    for (const name of DEMO_FILES) expect(existsSync(join(dir.path, name)), name).toBe(false);
    expect(readFileSync(join(dir.path, 'precious.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(dir.path, 'notes', 'report.pdf'), 'utf8')).toBe('keep me too');
    expect(existsSync(join(dir.path, DEMO_MARKER))).toBe(true);
  });

  it('ignores paths in an edited marker', () => {
    writeFileSync(join(dir.path, 'precious.txt'), 'keep me');
    mkdirSync(join(dir.path, 'out'));
    writeFileSync(join(dir.path, 'out', DEMO_MARKER), JSON.stringify({ files: ['../precious.txt', 'report.pdf'] }));
    prepareDemoOutput(join(dir.path, 'out'));
    expect(readFileSync(join(dir.path, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});
