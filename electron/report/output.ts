/**
 * Output files of the exports: path checks with messages that name the fix, and writes
 * through a temporary file renamed into place, so a failed export never leaves a half
 * written report where the auditor expects a finished one.
 */
import { createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { link, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../../db/errors.js';

/** Resolves `path` and rejects a directory, a missing parent folder, or an existing file without `force`. */
export function checkOutputPath(path: string, force: boolean, flag = '--out'): string {
  if (path.trim() === '') throw new AppError('USAGE', `${flag} needs a file path.`);
  const resolved = resolve(path);
  if (existsSync(resolved)) {
    if (statSync(resolved).isDirectory()) {
      throw new AppError('INVALID_INPUT', `${resolved} is a directory; give a file path for ${flag}, e.g. ${resolve(resolved, 'report.pdf')}.`);
    }
    if (!force) {
      throw new AppError('CONFLICT', `${resolved} already exists; add --force to overwrite it, or choose another ${flag}.`);
    }
  }
  const parent = dirname(resolved);
  if (!existsSync(parent)) {
    throw new AppError('NOT_FOUND', `The folder ${parent} does not exist; create it first, or choose another ${flag}.`);
  }
  if (!statSync(parent).isDirectory()) {
    throw new AppError('INVALID_INPUT', `${parent} is not a directory, so ${basename(resolved)} cannot be written there; choose another ${flag}.`);
  }
  return resolved;
}

function partialPath(path: string): string {
  return `${path}.partial-${process.pid}`;
}

/** Prefix of an audit package's working folder next to its output; the process id follows. */
export const PACKAGE_FOLDER_PREFIX = '.package-';

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what killed exports left next to `path`: temporary files of this output
 * (`NAME.partial-PID`) and package working folders (`.package-PID-…`) whose process no
 * longer runs. They hold client evidence, so they should not stay in the auditor's folder.
 * Returns the names removed.
 */
export async function removeAbandonedOutput(path: string): Promise<string[]> {
  const folder = dirname(path);
  const partial = new RegExp(`^${escapeRegExp(basename(path))}\\.partial-(\\d+)$`, 'u');
  const working = new RegExp(`^${escapeRegExp(PACKAGE_FOLDER_PREFIX)}(\\d+)-`, 'u');
  const removed: string[] = [];
  for (const name of await readdir(folder)) {
    const pid = Number((partial.exec(name) ?? working.exec(name))?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || processIsAlive(pid)) continue;
    await rm(join(folder, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/** Treatment of a file that exists at the output path when an export finishes. */
export interface OutputOptions {
  /**
   * False when the caller checked that the path was free and no file may replace it, as
   * the CLI without --force: a file that another export wrote there meanwhile is kept,
   * and this export fails with CONFLICT. Default true, because the desktop app's save
   * dialog has the user confirm an overwrite.
   */
  overwrite?: boolean;
}

/** Moves the finished temporary file to `path`, replacing a file there only with `overwrite`. */
async function publish(temporary: string, path: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    await rename(temporary, path);
    return;
  }
  const appeared = () =>
    new AppError('CONFLICT', `${path} appeared while this export ran (another export?); add --force to overwrite it, or choose another --out.`);
  try {
    // A hard link fails when the name exists, so no file written meanwhile is replaced.
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw appeared();
    // File systems without hard links (FAT and exFAT drives): check, then rename.
    if (existsSync(path)) throw appeared();
    await rename(temporary, path);
    return;
  }
  await rm(temporary, { force: true });
}

/**
 * Runs `write` on a stream to a temporary file next to `path`, then moves it into
 * place. The caller's `write` ends the stream; on any error the temporary file is removed.
 */
export async function writeOutputFile<T>(path: string, write: (stream: WriteStream) => Promise<T>, options: OutputOptions = {}): Promise<T> {
  await removeAbandonedOutput(path);
  const temporary = partialPath(path);
  const stream = createWriteStream(temporary);
  try {
    const result = await write(stream);
    if (!stream.writableFinished) {
      await new Promise<void>((done, fail) => {
        stream.once('error', fail);
        stream.end(() => done());
      });
    }
    await publish(temporary, path, options.overwrite ?? true);
    return result;
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes a buffer to `path` through a temporary file. */
export async function writeOutputBuffer(path: string, data: Buffer, options: OutputOptions = {}): Promise<void> {
  await writeOutputFile(
    path,
    async (stream) => {
      await new Promise<void>((done, fail) => {
        stream.once('error', fail);
        stream.end(data, () => done());
      });
    },
    options,
  );
}

/** Throws CANCELLED when `signal` is aborted: the export stops before its next step. */
export function throwIfCancelled(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw new AppError('CANCELLED', `The ${operation} was cancelled; no file was written.`);
}
