/**
 * The integrity digest of a report PDF without relying on a certificate.
 *
 * The Info dictionary gets an entry `/PostureWorkbenchDigest` whose string value is first
 * a placeholder of zeros. After pdfkit finishes the file, the SHA-256 of the whole file
 * (placeholder included, as zeros) and the file's length are written into the
 * placeholder. To check, restore the zeros over the first `length` bytes and hash again.
 * A digital signature, when added later, appends an incremental update after `length`;
 * its byte ranges then cover the rest of the file.
 */
import { createHash } from 'node:crypto';

export const DIGEST_INFO_KEY = 'PostureWorkbenchDigest';
const HASH_CHARS = 64;
const LENGTH_DIGITS = 12;
export const DIGEST_PLACEHOLDER = `sha256:${'0'.repeat(HASH_CHARS)};length:${'0'.repeat(LENGTH_DIGITS)}`;
const DIGEST_PATTERN = /\(sha256:([0-9a-f]{64});length:(\d{12})\)/;

export interface PdfDigest {
  /** Offset of the 64 hex characters in the file. */
  offset: number;
  sha256: string;
  length: number;
}

function zeroed(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.write('0'.repeat(HASH_CHARS), offset, 'latin1');
  copy.write('0'.repeat(LENGTH_DIGITS), offset + HASH_CHARS + ';length:'.length, 'latin1');
  return copy;
}

/** Fills the digest placeholder of a finished PDF; drops a trailing newline first, as signing would. */
export function sealPdf(pdf: Buffer): Buffer {
  let sealed = pdf[pdf.length - 1] === 0x0a ? pdf.subarray(0, pdf.length - 1) : pdf;
  sealed = Buffer.from(sealed);
  const marker = Buffer.from(`(${DIGEST_PLACEHOLDER})`, 'latin1');
  const at = sealed.indexOf(marker);
  if (at < 0 || sealed.indexOf(marker, at + 1) >= 0) throw new Error('The PDF digest placeholder must occur exactly once.');
  const offset = at + '(sha256:'.length;
  const sha256 = createHash('sha256').update(sealed).digest('hex');
  sealed.write(sha256, offset, 'latin1');
  sealed.write(String(sealed.length).padStart(LENGTH_DIGITS, '0'), offset + HASH_CHARS + ';length:'.length, 'latin1');
  return sealed;
}

/** Finds the digest in a PDF, or null when the file has none. */
export function readPdfDigest(pdf: Buffer): PdfDigest | null {
  const key = pdf.indexOf(`/${DIGEST_INFO_KEY}`, 0, 'latin1');
  if (key < 0) return null;
  // pdfkit writes each Info value as its own object; search the whole file for the value.
  const match = DIGEST_PATTERN.exec(pdf.toString('latin1'));
  if (!match) return null;
  return { offset: match.index + '(sha256:'.length, sha256: match[1]!, length: Number(match[2]) };
}

/** Recomputes the digest over the first `length` bytes; returns the SHA-256 found. */
export function recomputePdfDigest(pdf: Buffer, digest: PdfDigest): string | null {
  if (digest.length > pdf.length) return null;
  return createHash('sha256').update(zeroed(pdf.subarray(0, digest.length), digest.offset)).digest('hex');
}
