// Streaming helpers shared by the HTTP server and the file generator.

import type { Writable } from 'node:stream';

/** Target size of the buffers the JSON array is cut into before compression or sending. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Joins record texts into a JSON array and yields it as buffers of about `chunkBytes`, so the
 * caller keeps at most one chunk and one record (which may be megabytes) in memory.
 */
export function* jsonArrayChunks(texts: Iterable<string>, chunkBytes = CHUNK_BYTES): Generator<Buffer> {
  let parts: string[] = ['['];
  let length = 1;
  let first = true;
  for (const text of texts) {
    if (!first) {
      parts.push(',');
      length += 1;
    }
    first = false;
    parts.push(text);
    length += text.length;
    if (length >= chunkBytes) {
      yield Buffer.from(parts.join(''), 'utf8');
      parts = [];
      length = 0;
    }
  }
  parts.push(']');
  yield Buffer.from(parts.join(''), 'utf8');
}

/** Resolves when the stream drains or closes, so a closed peer never leaves the writer waiting. */
export function waitForDrain(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
