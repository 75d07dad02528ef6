/**
 * Stores a record exactly as received while its long texts live once in `texts`.
 *
 * Format of the stored blob, by its first byte:
 * - 0x00: the record's bytes verbatim (used when they are not valid UTF-8).
 * - 0x01: the record as UTF-8 text in which each exact JSON literal of a stored text was
 *   replaced by U+0001, the text's id, U+0001. Valid JSON cannot contain a raw U+0001
 *   byte, so the marker is unambiguous, and a literal is only replaced when it equals
 *   `JSON.stringify(body)` byte for byte, so decoding restores the original bytes.
 */
import { isUtf8 } from 'node:buffer';

const VERBATIM = 0x00;
const TEMPLATE = 0x01;
const MARK = '\u0001';
// Shorter texts cost less inline than a reference does.
const MIN_REFERENCED_LENGTH = 48;

export interface TextReference {
  id: number;
  body: string;
}

export function encodeRaw(bytes: Buffer, decoded: string, references: readonly TextReference[]): Buffer {
  if (!isUtf8(bytes)) return Buffer.concat([Buffer.of(VERBATIM), bytes]);
  let template = decoded;
  for (const reference of references) {
    if (reference.body.length < MIN_REFERENCED_LENGTH) continue;
    const literal = JSON.stringify(reference.body);
    if (!template.includes(literal)) continue;
    template = template.split(literal).join(`${MARK}${reference.id}${MARK}`);
  }
  const encoded = Buffer.allocUnsafe(1 + Buffer.byteLength(template));
  encoded[0] = TEMPLATE;
  encoded.write(template, 1, 'utf8');
  return encoded;
}

/** Restores the original bytes; `lookup` returns a text body by id. */
export function decodeRaw(stored: Buffer, lookup: (id: number) => string): Buffer {
  if (stored[0] === VERBATIM) return stored.subarray(1);
  if (stored[0] !== TEMPLATE) throw new Error(`Unknown raw record format ${stored[0]}`);
  const template = stored.toString('utf8', 1);
  const restored = template.replace(/\u0001(\d+)\u0001/g, (_match, id: string) => JSON.stringify(lookup(Number(id))));
  return Buffer.from(restored, 'utf8');
}

/** Ids of the texts a stored record refers to. */
export function referencedTextIds(stored: Buffer): number[] {
  if (stored[0] !== TEMPLATE) return [];
  const ids: number[] = [];
  for (const match of stored.toString('utf8', 1).matchAll(/\u0001(\d+)\u0001/g)) ids.push(Number(match[1]));
  return ids;
}
