/**
 * Detects gzip by its magic bytes (1f 8b), never by file name or header, and decodes it
 * as a stream. A gzip body is decoded exactly once: what comes out is never sniffed again.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { AppError } from '../../db/errors.js';

export interface DecodeObserver {
  /** Called with every input byte chunk before decoding (for hashes and byte counts). */
  onInput?(chunk: Buffer): void;
  /** Called once the format is known. */
  onFormat?(format: 'gzip' | 'plain'): void;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export async function* sniffAndDecode(source: AsyncIterable<Buffer | Uint8Array | string>, observer: DecodeObserver = {}): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let sourceDone = false;
  let inputBytes = 0;

  const nextInput = async (): Promise<Buffer | null> => {
    const step = await iterator.next();
    if (step.done) return null;
    const chunk = typeof step.value === 'string' ? Buffer.from(step.value) : Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength);
    inputBytes += chunk.length;
    observer.onInput?.(chunk);
    return chunk;
  };

  // 1. Read until two bytes are known (or the input ends).
  while (head.length < 2) {
    const chunk = await nextInput();
    if (chunk === null) {
      sourceDone = true;
      break;
    }
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
  }

  const isGzip = head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  observer.onFormat?.(isGzip ? 'gzip' : 'plain');

  // 2. Plain input passes through.
  if (!isGzip) {
    if (head.length > 0) yield head;
    if (sourceDone) return;
    for (;;) {
      const chunk = await nextInput();
      if (chunk === null) return;
      yield chunk;
    }
  }

  // 3. Gzip: pump the input through one gunzip stream with backpressure.
  async function* compressed(): AsyncGenerator<Buffer> {
    yield head;
    if (sourceDone) return;
    for (;;) {
      const chunk = await nextInput();
      if (chunk === null) return;
      yield chunk;
    }
  }
  const gunzip = createGunzip();
  const pumping = pipeline(Readable.from(compressed()), gunzip).catch((error: unknown) => {
    gunzip.destroy(error as Error);
  });
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    throw describeGzipError(error, inputBytes);
  } finally {
    gunzip.destroy();
    await pumping;
  }
}

function describeGzipError(error: unknown, inputBytes: number): Error {
  if (error instanceof AppError) return error;
  const zlibError = error as NodeJS.ErrnoException & { errno?: number };
  const message = zlibError.message ?? String(error);
  if (zlibError.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message)) {
    return new AppError(
      'DATA',
      `The gzip data is truncated after ${inputBytes} compressed bytes; the download or copy was cut short. ` +
        'Fetch or export the file again.',
      { cause: error },
    );
  }
  if (zlibError.code?.startsWith('Z_') || /header check|invalid|incorrect/i.test(message)) {
    return new AppError(
      'DATA',
      `The gzip data is corrupt (${message}) within the first ${inputBytes} compressed bytes. Fetch or export the file again.`,
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(message);
}
