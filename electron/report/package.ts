/**
 * The audit package: one zip with the report PDF, the CSVs, the raw data behind the
 * snapshots, and `manifest.json` listing every file's SHA-256 and size. With a
 * certificate, `manifest.json.p7s` contains a detached CMS signature of the manifest.
 *
 * Raw data: a pull's responses are stored exactly as received (gzip bytes stay gzip),
 * one file per response. A file import has no responses, so the package holds
 * `records.json`: a JSON array whose elements are each record's original bytes, in
 * posture order, so the array re-imports and every record hashes as it did on import.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { AppError } from '../../db/errors.js';
import { iterateRawRecords } from '../../db/snapshots.js';
import type { Store } from '../../db/store.js';
import { writeDiffCsv, writePosturesCsv, writeRollupsCsv } from './csv.js';
import { PACKAGE_FOLDER_PREFIX, removeAbandonedOutput, throwIfCancelled, writeOutputFile } from './output.js';
import type { PostureScope } from './scope.js';
import { signDetached, type Certificate } from './signing.js';

export const PACKAGE_MANIFEST_FORMAT = 'posture-workbench-audit-package';
export const PACKAGE_MANIFEST_NAME = 'manifest.json';
export const PACKAGE_SIGNATURE_NAME = 'manifest.json.p7s';
export const PACKAGE_REPORT_NAME = 'report.pdf';

export interface PackageFile {
  path: string;
  sha256: string;
  bytes: number;
  description: string;
}

export interface PackageManifest {
  format: typeof PACKAGE_MANIFEST_FORMAT;
  version: 1;
  reportId: string;
  revision: number;
  reportSha256: string;
  createdAt: string;
  /** Path of the report PDF inside the package. */
  report: string;
  /** True when manifest.json.p7s signs this manifest. */
  signed: boolean;
  snapshots: { id: number; role: 'assessed' | 'baseline'; contentSha256: string | null; rawData: 'responses' | 'records' }[];
  files: PackageFile[];
}

export interface PackageInput {
  store: Store;
  reportId: string;
  revision: number;
  reportSha256: string;
  snapshotId: number;
  baselineId: number | null;
  scope: PostureScope | null;
  /** The finished (and signed, if any) report PDF. */
  pdf: Buffer;
  certificate: Certificate | null;
  bom?: boolean;
  createdAt?: string;
  /** Stops the package with CANCELLED at the next CSV chunk or step, and removes its temporary files. */
  signal?: AbortSignal;
  /** See OutputOptions in ./output.ts. */
  overwrite?: boolean;
}

export interface PackageResult {
  manifest: PackageManifest;
  bytes: number;
}

async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}

async function writeStream(path: string, write: (stream: Writable) => Promise<unknown>): Promise<void> {
  const stream = createWriteStream(path);
  await write(stream);
  if (!stream.writableFinished) {
    stream.end();
    await once(stream, 'finish');
  }
}

/** Writes the raw data of one snapshot into `folder`; returns the files written, relative to the package root. */
async function writeRawData(store: Store, snapshotId: number, folder: string): Promise<{ files: { name: string; description: string }[]; kind: 'responses' | 'records' }> {
  const responses = store.sqlite
    .prepare('SELECT id, slice_index AS sliceIndex, url, body FROM raw_responses WHERE snapshot_id = ? AND body IS NOT NULL ORDER BY slice_index, id')
    .all(snapshotId) as { id: number; sliceIndex: number; url: string; body: Buffer }[];
  const prefix = `raw/snapshot-${snapshotId}`;
  if (responses.length > 0) {
    const files = [];
    for (const [index, response] of responses.entries()) {
      const gzip = response.body[0] === 0x1f && response.body[1] === 0x8b;
      const name = `${prefix}/response-${String(index + 1).padStart(4, '0')}-slice-${response.sliceIndex}.json${gzip ? '.gz' : ''}`;
      await writeStream(join(folder, name.replaceAll('/', '__')), async (stream) => {
        stream.end(response.body);
        await once(stream, 'finish');
      });
      files.push({ name, description: `Raw API response as received: ${response.url}` });
    }
    return { files, kind: 'responses' };
  }
  const name = `${prefix}/records.json`;
  await writeStream(join(folder, name.replaceAll('/', '__')), async (stream) => {
    let first = true;
    const write = async (text: string | Buffer) => {
      if (!stream.write(text)) await once(stream, 'drain');
    };
    await write('[\n');
    for (const record of iterateRawRecords(store, snapshotId)) {
      await write(first ? record : Buffer.concat([Buffer.from(',\n'), record]));
      first = false;
    }
    await write('\n]\n');
  });
  return { files: [{ name, description: 'Every record of the snapshot as imported, byte for byte, as one JSON array' }], kind: 'records' };
}

/** Builds the package at `path` (already checked by the caller). */
export async function writeAuditPackage(path: string, input: PackageInput): Promise<PackageResult> {
  const createdAt = input.createdAt ?? new Date().toISOString();
  const mtime = new Date(createdAt);
  // The process id in the name lets a later export remove the folder if this one is killed.
  await removeAbandonedOutput(path);
  const folder = await mkdtemp(join(dirname(path), `${PACKAGE_FOLDER_PREFIX}${process.pid}-`));
  try {
    // 1. Every file on disk first, so large CSVs never sit in memory.
    const entries: { name: string; description: string }[] = [];
    const local = (name: string) => join(folder, name.replaceAll('/', '__'));
    await writeStream(local(PACKAGE_REPORT_NAME), async (stream) => {
      stream.end(input.pdf);
      await once(stream, 'finish');
    });
    entries.push({ name: PACKAGE_REPORT_NAME, description: 'The audit report' });
    const csvOptions = { bom: input.bom ?? false, scope: input.scope, signal: input.signal };
    await writeStream(local('postures.csv'), (stream) => writePosturesCsv(input.store.sqlite, input.snapshotId, stream, csvOptions));
    entries.push({ name: 'postures.csv', description: `Every posture of snapshot ${input.snapshotId} in scope` });
    await writeStream(local('rollups.csv'), (stream) => writeRollupsCsv(input.store.sqlite, input.snapshotId, stream, csvOptions));
    entries.push({ name: 'rollups.csv', description: 'Counts and pass rates by policy, criticality, control, technology and host' });
    if (input.baselineId !== null) {
      const baselineId = input.baselineId;
      await writeStream(local('diff.csv'), (stream) => writeDiffCsv(input.store, baselineId, input.snapshotId, stream, csvOptions));
      entries.push({ name: 'diff.csv', description: `Changed postures from baseline ${baselineId} to snapshot ${input.snapshotId}` });
    }
    const snapshots: PackageManifest['snapshots'] = [];
    const roles: [number, 'assessed' | 'baseline'][] = [[input.snapshotId, 'assessed']];
    if (input.baselineId !== null) roles.push([input.baselineId, 'baseline']);
    for (const [snapshotId, role] of roles) {
      throwIfCancelled(input.signal, 'audit package export');
      const raw = await writeRawData(input.store, snapshotId, folder);
      entries.push(...raw.files);
      const content = input.store.sqlite.prepare('SELECT content_sha256 AS sha FROM snapshots WHERE id = ?').get(snapshotId) as { sha: string | null };
      snapshots.push({ id: snapshotId, role, contentSha256: content.sha, rawData: raw.kind });
    }

    // 2. The manifest with every file's hash, and its signature.
    const files: PackageFile[] = [];
    for (const entry of entries) files.push({ path: entry.name, ...(await hashFile(local(entry.name))), description: entry.description });
    const manifest: PackageManifest = {
      format: PACKAGE_MANIFEST_FORMAT,
      version: 1,
      reportId: input.reportId,
      revision: input.revision,
      reportSha256: input.reportSha256,
      createdAt,
      report: PACKAGE_REPORT_NAME,
      signed: input.certificate !== null,
      snapshots,
      files,
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
    const signature = input.certificate ? await signDetached(manifestBytes, input.certificate) : null;

    // 3. The zip, written through a temporary file.
    throwIfCancelled(input.signal, 'audit package export');
    const zip = new yazl.ZipFile();
    zip.addBuffer(manifestBytes, PACKAGE_MANIFEST_NAME, { mtime });
    if (signature) zip.addBuffer(signature, PACKAGE_SIGNATURE_NAME, { mtime, compress: false });
    for (const entry of entries) zip.addFile(local(entry.name), entry.name, { mtime, compress: !entry.name.endsWith('.gz') && entry.name !== PACKAGE_REPORT_NAME });
    zip.end();
    await writeOutputFile(
      path,
      async (stream) => {
        try {
          // The signal destroys both streams, so a cancel stops the zip mid-write too.
          await pipeline(zip.outputStream, stream, input.signal ? { signal: input.signal } : {});
        } catch (error) {
          if (input.signal?.aborted) throw new AppError('CANCELLED', 'The audit package export was cancelled; no file was written.', { cause: error });
          throw error;
        }
      },
      { overwrite: input.overwrite },
    );
    return { manifest, bytes: (await stat(path)).size };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export interface PackageEntry {
  sha256: string;
  bytes: number;
  /** The bytes, kept only for the entries `keep` selects. */
  data: Buffer | null;
}

/** Reads a zip: every entry's SHA-256 and size, and the bytes of the entries `keep` selects. */
export async function readPackageEntries(path: string, keep: (name: string) => boolean): Promise<Map<string, PackageEntry>> {
  const zip = await new Promise<yauzl.ZipFile>((done, fail) =>
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true }, (error, file) => (error ? fail(error) : done(file))),
  );
  const entries = new Map<string, PackageEntry>();
  try {
    await new Promise<void>((done, fail) => {
      zip.on('error', fail);
      zip.on('end', () => done());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) {
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (error, stream) => {
          if (error) return fail(error);
          const hash = createHash('sha256');
          const chunks: Buffer[] = [];
          let bytes = 0;
          const kept = keep(entry.fileName);
          stream.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            bytes += chunk.length;
            if (kept) chunks.push(chunk);
          });
          stream.on('error', fail);
          stream.on('end', () => {
            entries.set(entry.fileName, { sha256: hash.digest('hex'), bytes, data: kept ? Buffer.concat(chunks) : null });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return entries;
}
