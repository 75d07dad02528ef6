/**
 * Output files of the exports: path checks with messages that name the fix, and writes
 * through a temporary file renamed into place, so a failed export never leaves a half
 * written report where the auditor expects a finished one.
 */
import { createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
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

/**
 * Runs `write` on a stream to a temporary file next to `path`, then renames it into
 * place. The caller's `write` ends the stream; on any error the temporary file is removed.
 */
export async function writeOutputFile<T>(path: string, write: (stream: WriteStream) => Promise<T>): Promise<T> {
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
    await rename(temporary, path);
    return result;
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes a buffer to `path` through a temporary file. */
export async function writeOutputBuffer(path: string, data: Buffer): Promise<void> {
  await writeOutputFile(path, async (stream) => {
    await new Promise<void>((done, fail) => {
      stream.once('error', fail);
      stream.end(data, () => done());
    });
  });
}

/** Throws CANCELLED when `signal` is aborted: the export stops before its next step. */
export function throwIfCancelled(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw new AppError('CANCELLED', `The ${operation} was cancelled; nothing was saved.`);
}
