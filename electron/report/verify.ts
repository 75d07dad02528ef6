/**
 * Verification of a report PDF or an audit package.
 *
 * For a PDF: the embedded digest over the bytes as exported, each digital signature's
 * byte ranges and CMS, and the embedded manifest.json. The byte ranges must cover the
 * whole file except the signature value.
 * For a package: every file against manifest.json with none added or missing, the
 * manifest's detached signature, and the PDF inside it as above.
 * With a store at hand, the report and snapshot hashes are also recomputed from the data.
 */
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { AppError } from '../../db/errors.js';
import { getReport, recomputeReportSha256 } from '../../db/reports.js';
import type { Store } from '../../db/store.js';
import { readPdfDigest, recomputePdfDigest } from './integrity.js';
import { REPORT_MANIFEST_FORMAT, type ReportManifest } from './manifest.js';
import {
  PACKAGE_MANIFEST_FORMAT,
  PACKAGE_MANIFEST_NAME,
  PACKAGE_SIGNATURE_NAME,
  readPackageEntries,
  type PackageEntry,
  type PackageManifest,
} from './package.js';
import { verifyDetached } from './cms.js';

export interface VerifyCheck {
  /** Stable name of the check, e.g. `pdf.digest`, `package.file`, `store.snapshot`. */
  check: string;
  ok: boolean;
  message: string;
}

export interface VerifyResult {
  file: string;
  kind: 'pdf' | 'package';
  ok: boolean;
  reportId: string | null;
  revision: number | null;
  signed: boolean;
  checks: VerifyCheck[];
}

class Checks {
  readonly list: VerifyCheck[] = [];

  add(check: string, ok: boolean, message: string): boolean {
    this.list.push({ check, ok, message });
    return ok;
  }
}

// ---- PDF ------------------------------------------------------------------------------

interface PdfSignature {
  byteRange: [number, number, number, number];
  /** Offset of the `/ByteRange` key, which marks the signature dictionary. */
  offset: number;
  /** The gap between the two byte ranges, `<` and `>` included. */
  gap: Buffer;
  /** True when the gap directly follows the `/Contents` key of the same dictionary. */
  gapIsContents: boolean;
}

/** Finds every signature dictionary with a filled /ByteRange, in file order. */
export function findPdfSignatures(pdf: Buffer): PdfSignature[] {
  const text = pdf.toString('latin1');
  const signatures: PdfSignature[] = [];
  for (const match of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const byteRange = match.slice(1, 5).map(Number) as [number, number, number, number];
    const [, firstLength, secondStart] = byteRange;
    const gap = secondStart > firstLength && secondStart <= pdf.length ? pdf.subarray(firstLength, secondStart) : Buffer.alloc(0);

    // The gap must be the value of this dictionary's /Contents: the key right before it,
    // and no object boundary between the key and /ByteRange.
    const key = /\/Contents\s*$/.exec(text.slice(Math.max(0, firstLength - 40), firstLength));
    const keyAt = key ? firstLength - key[0].length : -1;
    const between = keyAt < 0 ? '' : text.slice(Math.min(keyAt, match.index), Math.max(keyAt, match.index));
    const gapIsContents = key !== null && !/\bendobj\b|\bobj\b/.test(between);
    signatures.push({ byteRange, offset: match.index, gap, gapIsContents });
  }
  return signatures;
}

/** Returns the length of the DER value at the start of `bytes` (tag, length and content), or null when its header is unreadable. */
function derLength(bytes: Buffer): number | null {
  if (bytes.length < 2 || bytes[0] !== 0x30) return null;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first;
  const lengthBytes = first & 0x7f;
  if (lengthBytes === 0 || lengthBytes > 4 || bytes.length < 2 + lengthBytes) return null;
  let length = 0;
  for (let index = 0; index < lengthBytes; index++) length = length * 256 + bytes[2 + index]!;
  return 2 + lengthBytes + length;
}

/** Extracts an embedded file by name from a PDF that pdfkit wrote. */
export function extractEmbeddedFile(pdf: Buffer, name: string): Buffer | null {
  const text = pdf.toString('latin1');
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const spec = new RegExp(`/F \\(${escaped}\\)[^]*?/EF\\s*<<\\s*/F\\s+(\\d+) 0 R`).exec(text);
  if (!spec) return null;
  const header = new RegExp(`(?:^|\\n)${spec[1]} 0 obj\\s*<<([^]*?)>>\\s*stream\\r?\\n`, 'g');
  let found: RegExpExecArray | null = null;
  for (let match = header.exec(text); match; match = header.exec(text)) found = match;
  if (!found) return null;
  const length = /\/Length (\d+)/.exec(found[1]!);
  if (!length) return null;
  const start = found.index + found[0].length;
  const data = pdf.subarray(start, start + Number(length[1]));
  if (!/\/Filter\s*\/FlateDecode/.test(found[1]!)) return data;
  try {
    return inflateSync(data);
  } catch {
    // A changed byte inside the compressed stream; the caller reports the manifest as unreadable.
    return null;
  }
}

function parseReportManifest(data: Buffer | null): ReportManifest | null {
  if (!data) return null;
  try {
    const manifest = JSON.parse(data.toString('utf8')) as ReportManifest;
    return manifest.format === REPORT_MANIFEST_FORMAT ? manifest : null;
  } catch {
    return null;
  }
}

function checkStore(checks: Checks, store: Store, manifest: ReportManifest): void {
  // 1. The snapshots the report covers must still hold the same content.
  let report;
  try {
    report = getReport(store, manifest.reportId, manifest.revision);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
    checks.add(
      'store.report',
      false,
      `This store has no revision ${manifest.revision} of report ${manifest.reportId} (${store.path}). Give the database the report was made in with --db, or check the file alone with --no-store.`,
    );
    return;
  }
  const { sha256, problems } = recomputeReportSha256(store, report);
  for (const problem of problems) checks.add('store.snapshot', false, `In the store, ${problem}.`);

  // A deleted snapshot explains the hash difference, so the check names it instead of reporting a change.
  const covered = [report.snapshotId, report.baselineId].filter((id): id is number => id !== null);
  const missing = covered.filter((id) => store.sqlite.prepare('SELECT 1 FROM snapshots WHERE id = ?').get(id) === undefined);
  if (missing.length > 0) {
    checks.add(
      'store.report',
      false,
      `The report hash cannot be recomputed: snapshot ${missing.join(' and ')} is no longer in the store (deleted?). The file's own checks above still apply.`,
    );
    return;
  }
  for (const snapshot of manifest.snapshots) {
    const stored = snapshot.role === 'assessed' ? report.snapshotId : report.baselineId;
    if (stored !== snapshot.id) {
      checks.add('store.snapshot', false, `The report names ${snapshot.role} snapshot ${snapshot.id}, but the store's revision names ${stored ?? 'none'}.`);
    }
  }

  // 2. The recomputed report hash must equal the one the PDF was made with.
  checks.add(
    'store.report',
    sha256 === manifest.reportSha256 && report.contentSha256 === manifest.reportSha256,
    sha256 === manifest.reportSha256 && report.contentSha256 === manifest.reportSha256
      ? `Report hash recomputed from the store matches (${sha256}).`
      : `The report hash recomputed from the store (${sha256}) does not match the PDF's ${manifest.reportSha256}; the data or the report definition changed.`,
  );
}

/**
 * Checks that a signature's byte ranges cover the file from byte 0 except its own
 * /Contents value, up to the end of the file for the last signature. The value must be
 * exactly the DER of a valid CMS followed by zero padding.
 */
function checkPdfSignature(checks: Checks, pdf: Buffer, signature: PdfSignature, label: string, last: boolean, manifest: ReportManifest | null): void {
  const [start, firstLength, secondStart, secondLength] = signature.byteRange;
  const end = secondStart + secondLength;

  // 1. The ranges: from byte 0, around this signature's /Contents only, to the end.
  const problems: string[] = [];
  if (start !== 0) problems.push(`it starts at byte ${start}, not 0`);
  if (end > pdf.length) problems.push(`it ends at byte ${end}, after the end of the ${pdf.length}-byte file; bytes were removed after signing`);
  else if (last && end !== pdf.length) problems.push(`it ends at byte ${end}, but the file has ${pdf.length} bytes; bytes were added after signing`);
  else if (!last && !/%%EOF(\r\n|\r|\n)?$/.test(pdf.subarray(Math.max(0, end - 8), end).toString('latin1'))) {
    problems.push(`it ends at byte ${end}, which is not the end of a file revision`);
  }
  if (!signature.gapIsContents) problems.push(`the gap between bytes ${firstLength} and ${secondStart} is not the /Contents value of this signature`);
  checks.add(
    'pdf.signature.byte-range',
    problems.length === 0,
    problems.length === 0
      ? `${label} covers the whole file except its own value.`
      : `${label} byte range [${signature.byteRange.join(' ')}] does not cover the file as signed: ${problems.join('; ')}.`,
  );
  if (end > pdf.length || !signature.gapIsContents) return;

  // 2. The value: a hex string that contains the DER of the CMS and then only zeros.
  const hex = signature.gap.subarray(1, signature.gap.length - 1).toString('latin1');
  if (signature.gap[0] !== 0x3c || signature.gap[signature.gap.length - 1] !== 0x3e || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) {
    checks.add('pdf.signature.contents', false, `${label}'s /Contents at bytes ${firstLength}-${secondStart - 1} is no longer a hex string of whole bytes; it was changed after signing.`);
    return;
  }
  const value = Buffer.from(hex, 'hex');
  const length = derLength(value);
  if (length === null || length > value.length) {
    checks.add('pdf.signature.contents', false, `${label}'s /Contents does not start with a complete DER structure; it was changed after signing.`);
    return;
  }
  const padding = value.subarray(length);
  const nonZero = padding.findIndex((byte) => byte !== 0);
  if (nonZero >= 0) {
    // Each byte of the value is two hex digits after the opening `<`.
    const offset = firstLength + 1 + 2 * (length + nonZero);
    checks.add(
      'pdf.signature.contents',
      false,
      `${label}'s /Contents has ${padding.filter((byte) => byte !== 0).length} non-zero byte(s) in the zero padding after the CMS signature, ` +
        `the first at file offset ${offset}; the file was changed after signing.`,
    );
  } else {
    checks.add('pdf.signature.contents', true, `${label}'s /Contents holds ${length} bytes of CMS and ${padding.length} bytes of zero padding.`);
  }

  // 3. The CMS over the signed bytes, by the certificate the manifest names.
  const signed = Buffer.concat([pdf.subarray(start, start + firstLength), pdf.subarray(secondStart, end)]);
  const result = verifyDetached(value.subarray(0, length), signed);
  checks.add(
    'pdf.signature',
    result.ok,
    result.ok
      ? `${label} is valid: signed by ${result.signer ?? 'unknown'} at ${result.signingTime ?? 'an unrecorded time'}.`
      : `${label} is invalid: ${result.problems.join('; ')}.`,
  );
  const expected = manifest?.signerCertificateSha256;
  if (result.ok && expected !== undefined) {
    checks.add(
      'pdf.signature.certificate',
      expected === result.signerCertificateSha256,
      expected === result.signerCertificateSha256
        ? `${label} is made with the certificate the manifest names (SHA-256 ${expected}).`
        : `${label}'s certificate has SHA-256 ${result.signerCertificateSha256}, but the manifest names ${expected ?? 'no certificate'}; the certificate was changed after signing.`,
    );
  }
}

/** Fails when anything but a line end follows the last %%EOF of a signed PDF. */
function checkAfterEof(checks: Checks, pdf: Buffer, name: string): void {
  const tail = pdf.subarray(Math.max(0, pdf.length - 1024)).toString('latin1');
  const at = tail.lastIndexOf('%%EOF');
  const after = at < 0 ? tail : tail.slice(at + '%%EOF'.length);
  if (at < 0 || !/^(\r\n|\r|\n)?$/.test(after)) {
    checks.add('pdf.eof', false, `${name} has ${at < 0 ? 'no %%EOF in its last 1024 bytes' : `${after.length} bytes after its last %%EOF`}; bytes were appended after signing.`);
  }
}

/** Verifies a report PDF held in memory; `name` labels the messages. */
export function verifyPdfBuffer(
  pdf: Buffer,
  name: string,
  store: Store | null,
  checks = new Checks(),
): { manifest: ReportManifest | null; signed: boolean; checks: VerifyCheck[] } {
  // 1. The digest over the bytes as exported.
  const digest = readPdfDigest(pdf);
  if (!digest) {
    checks.add('pdf.digest', false, `${name} has no Posture Workbench digest; it is not a report from this tool or its Info dictionary was changed.`);
  } else {
    const recomputed = recomputePdfDigest(pdf, digest);
    checks.add(
      'pdf.digest',
      recomputed === digest.sha256,
      recomputed === digest.sha256
        ? `The first ${digest.length} bytes match the embedded SHA-256 ${digest.sha256}.`
        : recomputed === null
          ? `${name} is shorter (${pdf.length} bytes) than the ${digest.length} bytes it was exported with; it was truncated.`
          : `The content of ${name} no longer matches its embedded SHA-256: bytes 0-${digest.length - 1} hash to ${recomputed}, not ${digest.sha256}. The file was modified after export.`,
    );
  }

  // 2. The embedded manifest, which also names the signing certificate.
  const manifest = parseReportManifest(extractEmbeddedFile(pdf, 'manifest.json'));
  checks.add(
    'pdf.manifest',
    manifest !== null,
    manifest ? `Embedded manifest of report ${manifest.reportId} revision ${manifest.revision}.` : `${name} has no readable embedded manifest.json.`,
  );

  // 3. Digital signatures: byte ranges, the signature value and its CMS.
  const signatures = findPdfSignatures(pdf);
  signatures.forEach((signature, index) => checkPdfSignature(checks, pdf, signature, `Signature ${index + 1}`, index === signatures.length - 1, manifest));
  if (signatures.length > 0) checkAfterEof(checks, pdf, name);
  if (digest && signatures.length === 0 && pdf.length !== digest.length) {
    checks.add('pdf.digest', false, `${name} has ${pdf.length - digest.length} bytes after the exported end and no signature covers them.`);
  }

  // 4. The store, through the manifest.
  if (manifest && store) checkStore(checks, store, manifest);
  return { manifest, signed: signatures.length > 0, checks: checks.list };
}

// ---- Package --------------------------------------------------------------------------

async function verifyPackage(path: string, store: Store | null): Promise<VerifyResult> {
  const checks = new Checks();
  let entries: Map<string, PackageEntry>;
  try {
    entries = await readPackageEntries(path, (name) => name === PACKAGE_MANIFEST_NAME || name === PACKAGE_SIGNATURE_NAME || name.endsWith('.pdf'));
  } catch (error) {
    checks.add('package.zip', false, `${path} is not a readable zip: ${(error as Error).message}.`);
    return { file: path, kind: 'package', ok: false, reportId: null, revision: null, signed: false, checks: checks.list };
  }
  const manifestBytes = entries.get(PACKAGE_MANIFEST_NAME)?.data;
  let manifest: PackageManifest | null = null;
  if (manifestBytes) {
    try {
      const parsed = JSON.parse(manifestBytes.toString('utf8')) as PackageManifest;
      if (parsed.format === PACKAGE_MANIFEST_FORMAT) manifest = parsed;
    } catch {
      manifest = null;
    }
  }
  if (!manifest) {
    checks.add('package.manifest', false, `${path} has no readable ${PACKAGE_MANIFEST_NAME}.`);
    return { file: path, kind: 'package', ok: false, reportId: null, revision: null, signed: false, checks: checks.list };
  }

  // 1. Each listed file must be present with its hash; nothing may be added.
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.path);
    const entry = entries.get(file.path);
    if (!entry) {
      checks.add('package.file', false, `${file.path} is listed in the manifest but missing from the package.`);
      continue;
    }
    if (entry.sha256 !== file.sha256 || entry.bytes !== file.bytes) {
      checks.add(
        'package.file',
        false,
        `${file.path} no longer matches the manifest: SHA-256 ${entry.sha256} (${entry.bytes} bytes), expected ${file.sha256} (${file.bytes} bytes).`,
      );
    }
  }
  for (const name of entries.keys()) {
    if (name !== PACKAGE_MANIFEST_NAME && name !== PACKAGE_SIGNATURE_NAME && !listed.has(name)) {
      checks.add('package.file', false, `${name} is in the package but not in the manifest; it was added after export.`);
    }
  }
  if (!checks.list.some((check) => check.check === 'package.file')) {
    checks.add('package.file', true, `All ${manifest.files.length} files match their SHA-256 in the manifest.`);
  }

  // 2. The manifest's own signature, when the package was made with a certificate.
  const signature = entries.get(PACKAGE_SIGNATURE_NAME)?.data;
  if (signature) {
    const result = verifyDetached(signature, manifestBytes!);
    checks.add(
      'package.signature',
      result.ok,
      result.ok ? `${PACKAGE_MANIFEST_NAME} signature is valid: signed by ${result.signer ?? 'unknown'}.` : `${PACKAGE_MANIFEST_NAME} signature is invalid: ${result.problems.join('; ')}.`,
    );
  } else if (manifest.signed) {
    checks.add('package.signature', false, `The manifest says it was signed, but ${PACKAGE_SIGNATURE_NAME} is missing.`);
  }

  // 3. The report PDF inside, with the store checks once.
  const pdf = entries.get(manifest.report)?.data;
  let signed = signature !== undefined && signature !== null;
  if (pdf) {
    const inner = verifyPdfBuffer(pdf, manifest.report, store, checks);
    // Export signs the manifest whenever it signs the PDF, so a signed PDF in a package
    // without a manifest signature means the signature was removed, with whatever it hid.
    if (inner.signed && !signature) {
      checks.add(
        'package.signature',
        false,
        `${manifest.report} is signed, but the package has no ${PACKAGE_SIGNATURE_NAME}: the manifest signature was removed, so its file hashes prove nothing.`,
      );
    }
    signed = signed || inner.signed;
    if (inner.manifest && inner.manifest.reportSha256 !== manifest.reportSha256) {
      checks.add('package.manifest', false, `The PDF's report hash ${inner.manifest.reportSha256} differs from the package manifest's ${manifest.reportSha256}.`);
    }
  } else {
    checks.add('package.file', false, `The report ${manifest.report} named by the manifest is missing.`);
  }
  const ok = checks.list.every((check) => check.ok);
  return { file: path, kind: 'package', ok, reportId: manifest.reportId, revision: manifest.revision, signed, checks: checks.list };
}

/** Verifies a report PDF or an audit package (zip), recognised by its first bytes. */
export async function verifyFile(path: string, store: Store | null = null): Promise<VerifyResult> {
  let head: Buffer;
  try {
    head = (await readFile(path)).subarray(0, 5);
  } catch (error) {
    throw new AppError('NOT_FOUND', `Cannot read ${path}: ${(error as Error).message}. Check the path.`, { cause: error });
  }
  if (head.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1'))) return verifyPackage(path, store);
  if (head.toString('latin1') !== '%PDF-') {
    // A damaged or replaced report fails verification like any other change.
    throw new AppError('VERIFY_FAILED', `${path} is neither a PDF nor a zip audit package: its first bytes are not %PDF- or PK. Give a file that export wrote.`);
  }
  const pdf = await readFile(path);
  const checks = new Checks();
  const { manifest, signed } = verifyPdfBuffer(pdf, path, store, checks);
  return {
    file: path,
    kind: 'pdf',
    ok: checks.list.every((check) => check.ok),
    reportId: manifest?.reportId ?? null,
    revision: manifest?.revision ?? null,
    signed,
    checks: checks.list,
  };
}
