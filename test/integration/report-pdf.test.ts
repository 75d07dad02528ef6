import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { getReport, saveReportRevision, signOffReport, type ReportRevision } from '../../db/reports.js';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { exportPackage, exportPdf } from '../../electron/report/export.js';
import { readPackageEntries } from '../../electron/report/package.js';
import { createDemoCertificate, type Certificate } from '../../electron/report/signing.js';
import { findPdfSignatures, verifyFile, verifyPdfBuffer } from '../../electron/report/verify.js';
import { makeTempDir } from '../helpers/temp.js';

const REFERENCE = join(import.meta.dirname, '..', 'fixtures', 'reference');
const CLI = join(import.meta.dirname, '..', '..', 'bin', 'posture-workbench.js');

function pdftotext(path: string): string {
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
}

function pdfsig(path: string): string {
  // pdfsig exits non-zero for an invalid signature; its output is what the test reads.
  const result = spawnSync('pdfsig', [path], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

function flipped(bytes: Buffer, offset: number): Buffer {
  bytes[offset] = bytes[offset]! ^ 0x01;
  return bytes;
}

/** Replaces the hex digit at `offset` with another one, so the /Contents value stays a hex string. */
function otherHexDigit(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = copy[offset] === 0x30 ? 0x31 : 0x30;
  return copy;
}

function flipByte(source: string, target: string, offset: number): void {
  const bytes = readFileSync(source);
  bytes[offset] = bytes[offset]! ^ 0x01;
  writeFileSync(target, bytes);
}

describe('report PDF, signature, package and verify', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let report: ReportRevision;
  let certificate: Certificate;
  let signedPdf: string;
  let plainPdf: string;
  let packagePath: string;

  beforeAll(async () => {
    dir = makeTempDir();
    store = openStore(join(dir.path, 'store.db'));
    const baseline = (await importFiles(store, [join(REFERENCE, 'v2-posture.json')])).snapshotId;
    const snapshot = (await importFiles(store, [join(REFERENCE, 'v3-posture.json')])).snapshotId;
    const saved = saveReportRevision(store, {
      title: 'Audit Zürich',
      client: 'Ακμή Corp',
      site: 'Zürich',
      auditor: 'Jürgen Ødegård',
      snapshotId: snapshot,
      baselineId: baseline,
      query: null,
    });
    signOffReport(store, saved.reportId, 1, { name: 'Jürgen Ødegård', role: 'Lead auditor', organisation: 'Audit GmbH', statement: 'Reviewed in full.' });
    report = getReport(store, saved.reportId);
    // A name outside ASCII, so the signer's issuer name must round-trip through the CMS.
    certificate = createDemoCertificate({ commonName: 'Jürgen Ødegård', password: 'test-only' });
    signedPdf = join(dir.path, 'signed.pdf');
    plainPdf = join(dir.path, 'plain.pdf');
    packagePath = join(dir.path, 'package.zip');
    await exportPdf(store, report, signedPdf, certificate);
    await exportPdf(store, report, plainPdf, null);
    await exportPackage(store, report, packagePath, certificate);
  });

  afterAll(() => {
    store.close();
    dir.remove();
  });

  it('PDF text has every section', () => {
    const text = pdftotext(signedPdf);
    for (const heading of ['COMPLIANCE AUDIT REPORT', 'Executive summary', 'Changes since the baseline', 'Findings', 'Approved exceptions', 'Appendix: scope and provenance', 'Sign-off']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain(report.reportId);
    expect(text).toContain(report.contentSha256);
    expect(text).toMatch(/Page 1 of \d+/);
    expect(text).toContain('Reviewed in full.');
    expect(text).toContain('DEMONSTRATION CERTIFICATE');
    expect(text).toContain('Status of the \'Fax\' service');
  });

  it('every footer has the page count', () => {
    const info = execFileSync('pdfinfo', [plainPdf], { encoding: 'utf8' });
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(3);
    const text = pdftotext(plainPdf);
    for (let page = 1; page <= pages; page++) expect(text, `page ${page}`).toContain(`Page ${page} of ${pages}`);
    expect(text.split('\f').filter((page) => page.includes(report.contentSha256)).length).toBeGreaterThanOrEqual(pages);
  });

  it('PDF prints non-ASCII text', () => {
    const text = pdftotext(signedPdf);
    expect(text).toContain('Ακμή Corp');
    expect(text).toContain('Jürgen Ødegård');
    expect(text).toContain('CN=Jürgen Ødegård');
    expect(text).toContain('dc01.zürich.example.test');
    expect(text).toContain('サーバー');
    // The Japanese glyphs come from the embedded fallback font, not from .notdef boxes.
    const fonts = execFileSync('pdffonts', [signedPdf], { encoding: 'utf8' });
    expect(fonts).toMatch(/NotoSansJP/);
    expect(fonts).toMatch(/DejaVuSans/);
    expect(fonts.split('\n').filter((line) => /TrueType|CID/.test(line)).every((line) => /\byes\s+yes\b/.test(line))).toBe(true);
  });

  it('PDF pages render to images', () => {
    execFileSync('pdftoppm', ['-r', '40', '-png', '-f', '1', '-l', '2', signedPdf, join(dir.path, 'page')]);
    const pages = readdirSync(dir.path).filter((name) => name.startsWith('page') && name.endsWith('.png'));
    expect(pages.length).toBe(2);
    for (const page of pages) expect(statSync(join(dir.path, page)).size).toBeGreaterThan(2000);
  });

  it('pdfsig accepts the signature', () => {
    const output = pdfsig(signedPdf);
    expect(output).toContain('Signature is Valid');
    expect(output).toContain('Total document signed');
    expect(output).not.toContain('Syntax Error');
  });

  it('verify passes on the exported files', async () => {
    for (const path of [signedPdf, plainPdf, packagePath]) {
      const result = await verifyFile(path, store);
      expect(result.checks.filter((check) => !check.ok)).toEqual([]);
      expect(result.ok).toBe(true);
    }
  });

  it('one changed byte fails the signed PDF', async () => {
    const tampered = join(dir.path, 'tampered-signed.pdf');
    flipByte(signedPdf, tampered, 4000);
    expect(pdfsig(tampered)).toContain('Digest Mismatch');
    const result = await verifyFile(tampered, null);
    expect(result.ok).toBe(false);
    expect(result.checks.find((check) => check.check === 'pdf.signature')?.ok).toBe(false);
    expect(result.checks.find((check) => check.check === 'pdf.digest')?.message).toContain('no longer matches');
  });

  it('verify names each changed byte class', async () => {
    const bytes = readFileSync(signedPdf);
    const [signature] = findPdfSignatures(bytes);
    const [, firstLength, secondStart] = signature!.byteRange;
    const hex = signature!.gap.subarray(1, -1).toString('latin1');
    const derBytes = 4 + Buffer.from(hex.slice(4, 8), 'hex').readUInt16BE(0);
    // Offsets of hex digits: the middle of the CMS, and the middle of the zero padding.
    const inDer = firstLength + 1 + derBytes;
    const inPadding = firstLength + 1 + hex.length - 200;
    const cases: { name: string; change: (copy: Buffer) => Buffer; failed: string }[] = [
      { name: 'first signed range', change: (copy) => flipped(copy, 4000), failed: 'pdf.signature' },
      { name: 'second signed range', change: (copy) => flipped(copy, secondStart + 20), failed: 'pdf.signature' },
      { name: 'CMS DER', change: (copy) => otherHexDigit(copy, inDer), failed: 'pdf.signature' },
      { name: 'zero padding', change: (copy) => otherHexDigit(copy, inPadding), failed: 'pdf.signature.contents' },
      { name: 'appended bytes', change: (copy) => Buffer.concat([copy, Buffer.from('\n% appended\n')]), failed: 'pdf.signature.byte-range' },
      { name: 'bytes after %%EOF', change: (copy) => Buffer.concat([copy, Buffer.from(' ')]), failed: 'pdf.eof' },
    ];
    for (const { name, change, failed } of cases) {
      const checks = verifyPdfBuffer(change(Buffer.from(bytes)), name, null).checks;
      expect(checks.filter((check) => !check.ok).map((check) => check.check), name).toContain(failed);
    }
  });

  it('verify CLI fails on changed padding', () => {
    const bytes = readFileSync(signedPdf);
    const [signature] = findPdfSignatures(bytes);
    const tampered = join(dir.path, 'tampered-padding.pdf');
    writeFileSync(tampered, otherHexDigit(bytes, signature!.byteRange[2] - 10));
    // pdfsig does not look at the padding, which is why verify must.
    expect(pdfsig(tampered)).toContain('Signature is Valid');
    const result = spawnSync(process.execPath, [CLI, 'verify', tampered, '--no-store'], { encoding: 'utf8' });
    expect(result.status).toBe(8);
    expect(result.stderr).toMatch(/non-zero byte\(s\) in the zero padding after the CMS signature, the first at file offset \d+/);
    expect(result.stdout).not.toContain('intact');
  });

  it('every changed CMS byte fails verify', () => {
    const bytes = readFileSync(signedPdf);
    const [signature] = findPdfSignatures(bytes);
    const hexStart = signature!.byteRange[1] + 1;
    const value = Buffer.from(signature!.gap.subarray(1, -1).toString('latin1'), 'hex');
    const derBytes = 4 + value.readUInt16BE(2);
    const undetected: number[] = [];
    for (let index = 0; index < derBytes; index++) {
      const copy = Buffer.from(bytes);
      copy.write((value[index]! ^ 0x01).toString(16).padStart(2, '0'), hexStart + 2 * index, 'latin1');
      if (verifyPdfBuffer(copy, 'copy.pdf', null).checks.every((check) => check.ok)) undetected.push(index);
    }
    expect(derBytes).toBeGreaterThan(1000);
    expect(undetected).toEqual([]);
  });

  it('export with the same options reuses the signed report', () => {
    const out = join(dir.path, 'again.pdf');
    const db = join(dir.path, 'store.db');
    const definition = ['--snapshot', String(report.snapshotId), '--baseline', String(report.baselineId), '--title', report.title];
    const labels = ['--client', report.client, '--site', report.site, '--auditor', report.auditor];
    const result = spawnSync(process.execPath, [CLI, 'export', 'pdf', ...definition, ...labels, '--out', out, '--db', db, '--json'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout) as { reportId: string; revision: number; reportSource: string; signoffs: { name: string }[] };
    expect(summary.reportId).toBe(report.reportId);
    expect(summary.revision).toBe(report.revision);
    expect(summary.reportSource).toBe('matched');
    expect(summary.signoffs.map((signoff) => signoff.name)).toEqual(['Jürgen Ødegård']);
    expect(pdftotext(out)).toContain('Reviewed in full.');

    // Another title is another definition, so the output reports a new, unsigned report.
    const other = spawnSync(process.execPath, [CLI, 'export', 'pdf', ...definition, '--out', join(dir.path, 'other.pdf'), '--db', db], { encoding: 'utf8' });
    expect(other.status).toBe(0);
    expect(other.stdout).toContain('Saved and exported the new report');
    expect(other.stdout).toContain('Not signed off');
    expect(other.stdout).not.toContain(report.reportId);
  });

  it('export rejects a baseline equal to the snapshot', () => {
    const id = String(report.snapshotId);
    const out = join(dir.path, 'self.csv');
    const result = spawnSync(process.execPath, [CLI, 'export', 'csv', '--snapshot', id, '--baseline', id, '--csv', 'diff', '--out', out, '--db', join(dir.path, 'store.db')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--baseline ${id} is the snapshot itself`);
    expect(existsSync(out)).toBe(false);
  });

  it('export names a bad certificate file', () => {
    const bad = join(dir.path, 'auditor.p12');
    writeFileSync(bad, 'not a certificate\n');
    const args = ['export', 'pdf', '--snapshot', String(report.snapshotId), '--p12', bad, '--p12-password-env', 'P12_PASSWORD', '--out', join(dir.path, 'bad.pdf')];
    const result = spawnSync(process.execPath, [CLI, ...args, '--db', join(dir.path, 'store.db')], { encoding: 'utf8', env: { ...process.env, P12_PASSWORD: 'x' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${bad} is not a readable PKCS#12`);
    expect(result.stderr.trimEnd()).toMatch(/A wrong password can also cause this\.$/);
  });

  it('one changed byte fails the unsigned PDF', async () => {
    const tampered = join(dir.path, 'tampered-plain.pdf');
    flipByte(plainPdf, tampered, 4000);
    const result = await verifyFile(tampered, null);
    expect(result.ok).toBe(false);
    expect(result.checks.find((check) => check.check === 'pdf.digest')?.ok).toBe(false);
  });

  it('appended bytes fail the PDFs', async () => {
    for (const source of [signedPdf, plainPdf]) {
      const tampered = join(dir.path, 'appended.pdf');
      writeFileSync(tampered, Buffer.concat([readFileSync(source), Buffer.from('\n% appended\n')]));
      const result = await verifyFile(tampered, null);
      expect(result.ok).toBe(false);
    }
  });

  it('one changed byte fails the package', async () => {
    // Change a byte inside the stored (uncompressed) report.pdf entry.
    const bytes = readFileSync(packagePath);
    const at = bytes.indexOf(Buffer.from('%PDF-')) + 2000;
    const tampered = join(dir.path, 'tampered.zip');
    flipByte(packagePath, tampered, at);
    const result = await verifyFile(tampered, null);
    expect(result.ok).toBe(false);
    const messages = result.checks.filter((check) => !check.ok).map((check) => check.message).join('\n');
    expect(messages).toMatch(/report\.pdf|zip|CRC/i);
  });

  it('changed store content fails verify', async () => {
    const copyPath = join(dir.path, 'copy.db');
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    copyFileSync(join(dir.path, 'store.db'), copyPath);
    const copy = openStore(copyPath);
    try {
      copy.sqlite
        .prepare('UPDATE posture_states SET sha256 = randomblob(32) WHERE id = (SELECT state_id FROM snapshot_members WHERE snapshot_id = ? LIMIT 1)')
        .run(report.snapshotId);
      const result = await verifyFile(signedPdf, copy);
      expect(result.ok).toBe(false);
      const failed = result.checks.filter((check) => !check.ok);
      expect(failed.some((check) => check.check === 'store.snapshot' && check.message.includes(`snapshot ${report.snapshotId}`))).toBe(true);
    } finally {
      copy.close();
    }
  });

  it('a signed package stripped of its signature fails', async () => {
    // Remove manifest.json.p7s, mark the manifest unsigned, and change postures.csv with
    // its hash, as someone would who wants the edit to pass.
    const entries = await readPackageEntries(packagePath, () => true);
    const manifest = JSON.parse(entries.get('manifest.json')!.data!.toString('utf8')) as { signed: boolean; files: { path: string; sha256: string; bytes: number }[] };
    const csv = Buffer.from(entries.get('postures.csv')!.data!.toString('utf8').replace('Failed', 'Passed'), 'utf8');
    manifest.signed = false;
    const listed = manifest.files.find((file) => file.path === 'postures.csv')!;
    listed.sha256 = createHash('sha256').update(csv).digest('hex');
    listed.bytes = csv.length;

    const zip = new yazl.ZipFile();
    for (const [name, entry] of entries) {
      if (name === 'manifest.json.p7s') continue;
      const data = name === 'manifest.json' ? Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8') : name === 'postures.csv' ? csv : entry.data!;
      zip.addBuffer(data, name);
    }
    zip.end();
    const stripped = join(dir.path, 'stripped.zip');
    await pipeline(zip.outputStream, createWriteStream(stripped));

    const result = await verifyFile(stripped, store);
    expect(result.ok).toBe(false);
    const failed = result.checks.filter((check) => !check.ok).map((check) => check.message);
    expect(failed.join('\n')).toContain('the manifest signature was removed');
  });

  it('verify CLI reads one file and says what unsigned means', () => {
    const db = join(dir.path, 'store.db');
    const verify = (...args: string[]) => spawnSync(process.execPath, [CLI, 'verify', ...args, '--db', db], { encoding: 'utf8' });

    const two = verify(plainPdf, signedPdf);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('one file at a time');

    const plain = verify(plainPdf);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toContain('It is not signed, so this does not prove who made it');
    expect(verify(signedPdf).stdout).toContain('is intact');

    // A damaged first byte is a failed check, not a usage error.
    const damaged = join(dir.path, 'damaged-head.pdf');
    writeFileSync(damaged, Buffer.concat([Buffer.from('%pDF-'), readFileSync(plainPdf).subarray(5)]));
    const head = verify(damaged);
    expect(head.status).toBe(8);
    expect(head.stderr).toContain('neither a PDF nor a zip audit package');
  });
});
