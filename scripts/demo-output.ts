/**
 * The demo's output folder. The demo removes only the files it wrote itself: a marker
 * file lists them, and a non-empty folder without the marker is rejected, so pointing
 * DEMO_OUTPUT at a folder with other files never deletes them.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AppError } from '../db/errors.js';

/** Name of the marker file that lists what the demo writes. */
export const DEMO_MARKER = '.posture-workbench-demo.json';

/** Every file the demo writes, the database's WAL and shared-memory files included. */
export const DEMO_FILES = [
  'demo.db',
  'demo.db-wal',
  'demo.db-shm',
  'demo-certificate.p12',
  'report.pdf',
  'postures.csv',
  'diff.csv',
  'rollups.csv',
  'audit-package.zip',
  'summary.json',
] as const;

/** Returns the files an earlier demo listed in its marker; only plain names, so no path leaves the folder. */
function listedFiles(markerPath: string): string[] {
  let files: unknown;
  try {
    files = (JSON.parse(readFileSync(markerPath, 'utf8')) as { files?: unknown }).files;
  } catch (error) {
    throw new AppError('DATA', `${markerPath} is not the demo's file list (${(error as Error).message}); remove it, or set DEMO_OUTPUT to another folder.`);
  }
  if (!Array.isArray(files)) return [];
  return files.filter((name): name is string => typeof name === 'string' && name !== '' && basename(name) === name && name !== '.' && name !== '..');
}

/**
 * Makes `folder` ready for a demo run: creates it, or removes the files an earlier run
 * listed in its marker, then writes the marker before any output. Raises CONFLICT for a
 * non-empty folder that has no marker, and leaves every other file in place.
 */
export function prepareDemoOutput(folder: string): void {
  const markerPath = join(folder, DEMO_MARKER);
  if (existsSync(folder)) {
    if (!statSync(folder).isDirectory()) {
      throw new AppError('INVALID_INPUT', `${folder} is not a folder; set DEMO_OUTPUT to a new or empty folder.`);
    }
    const hasMarker = existsSync(markerPath);
    if (!hasMarker && readdirSync(folder).length > 0) {
      throw new AppError(
        'CONFLICT',
        `${folder} is not empty and holds no earlier demo output (no ${DEMO_MARKER}); the demo does not write into it, so nothing was changed. ` +
          'Set DEMO_OUTPUT to a new or empty folder.',
      );
    }
    if (hasMarker) {
      for (const name of listedFiles(markerPath)) {
        const path = join(folder, name);
        // Only files: a folder of the same name was not written by the demo.
        if (existsSync(path) && lstatSync(path).isFile()) rmSync(path);
      }
    }
  } else {
    mkdirSync(folder, { recursive: true });
  }

  writeFileSync(markerPath, JSON.stringify({ writtenBy: 'npm run demo', files: DEMO_FILES }, null, 2) + '\n');
}
