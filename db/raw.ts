/**
 * Stores a record exactly as received while its long texts live once in `texts`.
 *
 * Format of the stored blob, by its first byte:
 * - 0x00: the record's bytes verbatim (used when they are not valid UTF-8).
 * - 0x01: the record's UTF-8 bytes in which each exact JSON literal of a stored text was
 *   replaced by byte 0x01, the text's id in decimal, byte 0x01. Valid JSON cannot contain
 *   a raw 0x01 byte, so the marker is unambiguous. A literal is only replaced where its
 *   bytes equal `JSON.stringify(body)` exactly, so decoding restores the original bytes.
 */
import { isUtf8 } from 'node:buffer';

const VERBATIM = 0x00;
const TEMPLATE = 0x01;
const MARK = 0x01;
// Shorter texts cost less inline than a reference does.
const MIN_REFERENCED_LENGTH = 48;

export interface TextReference {
  id: number;
  body: string;
}

/** JSON literals of recently seen texts, so each is serialised once per import, not per record. */
export class LiteralCache {
  private readonly literals = new Map<number, Buffer>();
  constructor(private readonly limit = 20_000) {}

  literalOf(reference: TextReference): Buffer {
    let literal = this.literals.get(reference.id);
    if (!literal) {
      if (this.literals.size >= this.limit) this.literals.clear();
      literal = Buffer.from(JSON.stringify(reference.body), 'utf8');
      this.literals.set(reference.id, literal);
    }
    return literal;
  }
}

const defaultCache = new LiteralCache();

export function encodeRaw(bytes: Buffer, references: readonly TextReference[], cache: LiteralCache = defaultCache): Buffer {
  if (!isUtf8(bytes)) return Buffer.concat([Buffer.of(VERBATIM), bytes]);

  // 1. Find the first occurrence of each referenced literal at the byte level (native
  // memmem). References come in field order, so each search starts where the previous
  // match ended and falls back to the start of the record; a second occurrence of the
  // same text stays inline, which costs bytes but never exactness.
  const spans: { start: number; end: number; id: number }[] = [];
  let from = 0;
  for (const reference of references) {
    if (reference.body.length < MIN_REFERENCED_LENGTH) continue;
    const literal = cache.literalOf(reference);
    let start = bytes.indexOf(literal, from);
    if (start === -1 && from > 0) start = bytes.indexOf(literal, 0);
    if (start === -1) continue;
    spans.push({ start, end: start + literal.length, id: reference.id });
    from = start + literal.length;
  }

  // 2. Copy the bytes between the spans, with a marker in place of each span. Two texts
  // can match overlapping bytes only if one literal contains the other; keep the first.
  spans.sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [Buffer.of(TEMPLATE)];
  let position = 0;
  for (const span of spans) {
    if (span.start < position) continue;
    parts.push(bytes.subarray(position, span.start), Buffer.from(`\u0001${span.id}\u0001`, 'latin1'));
    position = span.end;
  }
  parts.push(bytes.subarray(position));
  return Buffer.concat(parts);
}

/** Restores the original bytes; `lookup` returns a text body by id. */
export function decodeRaw(stored: Buffer, lookup: (id: number) => string): Buffer {
  if (stored[0] === VERBATIM) return stored.subarray(1);
  if (stored[0] !== TEMPLATE) throw new Error(`Unknown raw record format ${stored[0]}; the store may be damaged.`);
  const parts: Buffer[] = [];
  let position = 1;
  for (;;) {
    const open = stored.indexOf(MARK, position);
    if (open === -1) break;
    const close = stored.indexOf(MARK, open + 1);
    if (close === -1) throw new Error('Unterminated text reference in a raw record; the store may be damaged.');
    parts.push(stored.subarray(position, open));
    const id = Number(stored.toString('latin1', open + 1, close));
    parts.push(Buffer.from(JSON.stringify(lookup(id)), 'utf8'));
    position = close + 1;
  }
  parts.push(stored.subarray(position));
  return Buffer.concat(parts);
}

/** Returns the ids of the texts a stored record refers to. */
export function referencedTextIds(stored: Buffer): number[] {
  if (stored[0] !== TEMPLATE) return [];
  const ids: number[] = [];
  let position = 1;
  for (;;) {
    const open = stored.indexOf(MARK, position);
    if (open === -1) return ids;
    const close = stored.indexOf(MARK, open + 1);
    ids.push(Number(stored.toString('latin1', open + 1, close)));
    position = close + 1;
  }
}
