/**
 * The import pipeline: bytes → gzip sniffing → record scanner → per-record JSON.parse →
 * normalisation → snapshot writer. Plain Node, so the CLI, the app's worker threads,
 * the pull and the tests all run this same code.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createWriteStream, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../db/errors.js';
import { SnapshotWriter, type DuplicateReport, type RecordGroup, type SnapshotStart } from '../../db/snapshot-writer.js';
import type { Store } from '../../db/store.js';
import { sniffAndDecode } from './decode.js';
import { locateJsonError } from './json-error.js';
import { normaliseRecord, RecordError } from './normalise.js';
import { RecordScanner, type ScannerLimits } from './scanner.js';

export interface RejectedRecord {
  source: string;
  index: number;
  offset: number;
  reason: string;
  /** The record's text, cut at 64 KiB in the message but kept whole in the rejects file. */
  text: string;
}

export interface FeedProgress {
  records: number;
  rejected: number;
  /** Input bytes read so far (compressed bytes for gzip). */
  bytes: number;
}

export interface FeedOptions {
  sourceName: string;
  lenient?: boolean;
  signal?: AbortSignal;
  scannerLimits?: Partial<ScannerLimits>;
  onReject?(rejected: RejectedRecord): void;
  onProgress?(progress: FeedProgress): void;
  /** Called with each raw input chunk (for hashes of the bytes as received). */
  onInput?(chunk: Buffer): void;
  /** Group the records join, so a pull can drop a slice that fails mid-stream. */
  group?: RecordGroup;
}

export interface FeedResult {
  records: number;
  rejected: number;
  inputBytes: number;
  decodedBytes: number;
  policies: Set<number>;
  format: 'gzip' | 'plain';
}

const PROGRESS_EVERY_RECORDS = 2000;

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the user; nothing was saved from this run.');
}


/**
 * Feeds every record of one byte stream into `writer`. A malformed record throws a DATA
 * error naming its index and byte offset, unless `lenient`, which reports it through
 * `onReject` and goes on.
 */
export async function feedRecords(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  writer: SnapshotWriter,
  options: FeedOptions,
): Promise<FeedResult> {
  const scanner = new RecordScanner(options.scannerLimits);
  const policies = new Set<number>();
  let records = 0;
  let rejected = 0;
  let inputBytes = 0;
  let decodedBytes = 0;
  let format: 'gzip' | 'plain' = 'plain';
  let nextProgress = PROGRESS_EVERY_RECORDS;

  const decoded = sniffAndDecode(source, {
    onInput(chunk) {
      inputBytes += chunk.length;
      options.onInput?.(chunk);
    },
    onFormat(found) {
      format = found;
    },
  });

  for await (const chunk of decoded) {
    throwIfCancelled(options.signal);
    decodedBytes += chunk.length;
    for (const element of scanner.push(chunk)) {
      const text = element.bytes.toString('utf8');
      try {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          const location = locateJsonError(text);
          const byte = element.offset + Buffer.byteLength(text.slice(0, location.index));
          throw new RecordError(`invalid JSON at byte ${byte}: unexpected ${location.found}`);
        }
        const posture = normaliseRecord(parsed);
        policies.add(posture.policyId);
        writer.add({ posture, bytes: element.bytes }, options.group);
        records++;
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        const reason = `Record ${element.index} at byte ${element.offset} of ${options.sourceName}: ${error.message}`;
        if (!options.lenient) {
          throw new AppError('DATA', `${reason}. Fix the input, or import with --lenient to skip malformed records.`);
        }
        rejected++;
        options.onReject?.({ source: options.sourceName, index: element.index, offset: element.offset, reason, text });
      }
      if (records + rejected >= nextProgress) {
        nextProgress += PROGRESS_EVERY_RECORDS;
        options.onProgress?.({ records, rejected, bytes: inputBytes });
      }
    }
  }
  scanner.end();
  options.onProgress?.({ records, rejected, bytes: inputBytes });
  return { records, rejected, inputBytes, decodedBytes, policies, format };
}

export interface ImportOptions {
  label?: string;
  note?: string;
  baseSnapshotId?: number | null;
  lenient?: boolean;
  /** Path of the rejects file in lenient mode (default: rejects/ next to the database). */
  rejectsPath?: string;
  signal?: AbortSignal;
  scannerLimits?: Partial<ScannerLimits>;
  onProgress?(progress: ImportProgress): void;
}

export interface ImportProgress {
  phase: 'import' | 'finish';
  file: string;
  records: number;
  rejected: number;
  bytes: number;
  totalBytes: number;
  recordsPerSecond: number;
}

export interface ImportResult {
  snapshotId: number;
  records: number;
  duplicates: number;
  rejected: number;
  statusCounts: Record<string, number>;
  inputSha256: string;
  inputBytes: number;
  rejectsFile: string | null;
  duplicateSample: DuplicateReport[];
}

/** Prefixes the file name to a data error that lacks it, so a multi-file import names the failing file. */
async function withFileName<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const name = basename(file);
    if (error instanceof AppError && error.code === 'DATA' && !error.message.includes(name)) {
      throw new AppError('DATA', `${name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

class RejectsFile {
  private stream: WriteStream | null = null;
  constructor(readonly path: string) {}

  async write(rejected: RejectedRecord): Promise<void> {
    if (!this.stream) {
      await mkdir(dirname(this.path), { recursive: true });
      this.stream = createWriteStream(this.path, { flags: 'w' });
    }
    const line = JSON.stringify({ ...rejected }) + '\n';
    if (!this.stream.write(line)) await new Promise<void>((resolve) => this.stream!.once('drain', () => resolve()));
  }

  async close(): Promise<boolean> {
    if (!this.stream) return false;
    const stream = this.stream;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return true;
  }
}

/**
 * Imports one or more files into one new snapshot. Nothing becomes visible unless every
 * file is read to its end; on any error the partial snapshot is removed.
 */
export async function importFiles(store: Store, files: readonly string[], options: ImportOptions = {}): Promise<ImportResult> {
  if (files.length === 0) throw new AppError('USAGE', 'No input file given. Name at least one JSON or gzip file to import.');

  // 1. Check every file before creating anything.
  let totalBytes = 0;
  for (const file of files) {
    let info;
    try {
      info = await stat(file);
    } catch {
      throw new AppError('NOT_FOUND', `Input file not found: ${file}. Check the path.`);
    }
    if (!info.isFile()) throw new AppError('INVALID_INPUT', `${file} is not a regular file. Name a JSON or gzip posture file.`);
    totalBytes += info.size;
  }

  const start: SnapshotStart = {
    label: options.label?.trim() || files.map((file) => basename(file)).join(', '),
    note: options.note ?? '',
    sourceKind: 'file',
    source: files.map((file) => basename(file)).join(', '),
    params: { files: files.map((file) => basename(file)), lenient: options.lenient ?? false },
    baseSnapshotId: options.baseSnapshotId ?? null,
  };
  const writer = SnapshotWriter.begin(store, start);
  const rejects = new RejectsFile(
    options.rejectsPath ?? join(dirname(store.path), 'rejects', `snapshot-${writer.snapshotId}-rejects.jsonl`),
  );
  const inputHash = createHash('sha256');
  const policies = new Set<number>();
  const startedAt = performance.now();
  let records = 0;
  let rejected = 0;
  let bytesBefore = 0;
  let pendingReject: Promise<void> = Promise.resolve();

  try {
    // 2. Stream each file through the pipeline into the one writer.
    for (const file of files) {
      const result = await withFileName(file, () =>
        feedRecords(createReadStream(file, { highWaterMark: 1024 * 1024 }), writer, {
          sourceName: basename(file),
          lenient: options.lenient,
          signal: options.signal,
          scannerLimits: options.scannerLimits,
          onInput: (chunk) => inputHash.update(chunk),
          onReject: (record) => {
            pendingReject = pendingReject.then(() => rejects.write(record));
          },
          onProgress: (progress) => {
            const elapsed = (performance.now() - startedAt) / 1000;
            options.onProgress?.({
              phase: 'import',
              file,
              records: records + progress.records,
              rejected: rejected + progress.rejected,
              bytes: bytesBefore + progress.bytes,
              totalBytes,
              recordsPerSecond: elapsed > 0 ? (records + progress.records) / elapsed : 0,
            });
          },
        }),
      );
      records += result.records;
      rejected += result.rejected;
      if (result.records === 0 && result.rejected > 0) {
        throw new AppError(
          'DATA',
          `${basename(file)}: all ${result.rejected} records were rejected, so there is nothing to import. ` +
            `The rejects file ${rejects.path} lists each record and the reason.`,
        );
      }
      bytesBefore += result.inputBytes;
      for (const policyId of result.policies) policies.add(policyId);
    }
    await pendingReject;
    throwIfCancelled(options.signal);

    // 3. Commit the rest and make the snapshot visible.
    options.onProgress?.({
      phase: 'finish',
      file: files[files.length - 1]!,
      records,
      rejected,
      bytes: bytesBefore,
      totalBytes,
      recordsPerSecond: records / Math.max((performance.now() - startedAt) / 1000, 1e-9),
    });
    const inputSha256 = inputHash.digest('hex');
    const summary = writer.finish({ inputSha256, inputBytes: bytesBefore, rejected, filePolicies: policies });
    const wroteRejects = await rejects.close();
    return {
      snapshotId: summary.snapshotId,
      records,
      duplicates: summary.duplicates,
      rejected,
      statusCounts: summary.statusCounts,
      inputSha256,
      inputBytes: bytesBefore,
      rejectsFile: wroteRejects ? rejects.path : null,
      duplicateSample: writer.duplicates,
    };
  } catch (error) {
    writer.abort();
    await pendingReject.catch(() => {});
    await rejects.close().catch(() => false);
    throw error;
  }
}
