/**
 * Cuts top-level JSON values out of a byte stream without parsing them, so each record
 * can be parsed on its own and a gigabyte array never sits in memory.
 *
 * Accepted shapes: a JSON array of records, one record object, or records separated by
 * whitespace (newline-delimited JSON). The scanner tracks strings and escapes, so `},{`
 * inside evidence text does not split a record. It also checks the structure between
 * records (commas, brackets) and reports the byte offset of anything else.
 */
import { AppError } from '../../db/errors.js';

export interface ScannedElement {
  /** Zero-based position of the element in the input. */
  index: number;
  /** Byte offset of the element's first byte in the decoded stream. */
  offset: number;
  bytes: Buffer;
}

export interface ScannerLimits {
  /** Largest record accepted, in bytes. */
  maxElementBytes: number;
  /** Deepest nesting of objects and arrays inside a record. */
  maxDepth: number;
}

export const DEFAULT_SCANNER_LIMITS: ScannerLimits = {
  maxElementBytes: 256 * 1024 * 1024,
  maxDepth: 64,
};

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

type Mode = 'start' | 'array' | 'stream' | 'done';
// Position of the scanner between elements of a top-level array.
type ArrayState = 'expect-element-or-end' | 'expect-element' | 'expect-comma-or-end';

function describeByte(byte: number): string {
  if (byte >= 0x20 && byte < 0x7f) return `'${String.fromCharCode(byte)}'`;
  return `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

export class RecordScanner {
  private readonly limits: ScannerLimits;
  private mode: Mode = 'start';
  /** Bytes of a leading UTF-8 byte order mark read so far. */
  private bomBytes = 0;
  private arrayState: ArrayState = 'expect-element-or-end';
  private offset = 0;
  private elementIndex = 0;

  // State of the element being cut out.
  private inElement = false;
  private elementStart = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private pieces: Buffer[] = [];
  private pieceBytes = 0;

  constructor(limits: Partial<ScannerLimits> = {}) {
    this.limits = { ...DEFAULT_SCANNER_LIMITS, ...limits };
  }

  /** Bytes consumed so far. */
  get bytesScanned(): number {
    return this.offset;
  }

  /** Feeds a chunk; returns the elements it completed, in order. */
  push(chunk: Buffer): ScannedElement[] {
    const out: ScannedElement[] = [];
    const length = chunk.length;
    let i = 0;
    // Start of the part of `chunk` that belongs to the current element.
    let sliceStart = this.inElement ? 0 : -1;

    while (i < length) {
      if (this.inElement) {
        const end = this.scanElement(chunk, i);
        if (end < 0) {
          // The element continues past this chunk.
          this.keepPiece(chunk, sliceStart, length);
          this.offset += length - i;
          return out;
        }
        // `end` is the index just past the element's last byte (or at the terminator of a scalar).
        this.keepPiece(chunk, sliceStart, end);
        out.push(this.finishElement());
        this.offset += end - i;
        i = end;
        sliceStart = -1;
        continue;
      }

      const byte = chunk[i]!;
      if (isWhitespace(byte)) {
        i++;
        this.offset++;
        continue;
      }

      // A UTF-8 byte order mark, which Windows editors and PowerShell write, is skipped
      // when it opens the input.
      if (this.mode === 'start' && this.offset === this.bomBytes && this.offset < UTF8_BOM.length) {
        if (byte === UTF8_BOM[this.offset]) {
          this.bomBytes++;
          i++;
          this.offset++;
          continue;
        }
        if (this.bomBytes > 0) throw this.syntaxError(byte, 'the rest of a UTF-8 byte order mark (EF BB BF)');
      }

      if (this.mode === 'start') {
        if (byte === OPEN_BRACKET) {
          this.mode = 'array';
          i++;
          this.offset++;
          continue;
        }
        if (byte === OPEN_BRACE) {
          this.mode = 'stream';
          // Fall through: the brace opens the first record.
        } else {
          throw this.syntaxError(byte, 'a JSON array or object');
        }
      }

      if (this.mode === 'done') {
        throw this.syntaxError(byte, 'the end of the input after the closing bracket');
      }

      if (this.mode === 'array') {
        if (this.arrayState === 'expect-comma-or-end') {
          if (byte === COMMA) {
            this.arrayState = 'expect-element';
          } else if (byte === CLOSE_BRACKET) {
            this.mode = 'done';
          } else {
            throw this.syntaxError(byte, "',' or ']' after a record");
          }
          i++;
          this.offset++;
          continue;
        }
        if (byte === CLOSE_BRACKET) {
          if (this.arrayState === 'expect-element') {
            throw this.syntaxError(byte, 'a record after the comma (trailing comma)');
          }
          this.mode = 'done';
          i++;
          this.offset++;
          continue;
        }
        if (byte === COMMA) throw this.syntaxError(byte, 'a record');
        this.startElement(byte);
        sliceStart = i;
        continue;
      }

      // Stream mode: records separated by whitespace only (newline-delimited JSON).
      if (byte !== OPEN_BRACE) throw this.syntaxError(byte, "'{' to start the next record");
      this.startElement(byte);
      sliceStart = i;
    }
    return out;
  }

  /** Call at the end of input; throws when the input stopped inside the structure. */
  end(): void {
    if (this.inElement) {
      if (this.scalar && this.mode === 'array') {
        throw new AppError(
          'DATA',
          `The input ended inside record ${this.elementIndex} (started at byte ${this.elementStart}); ` +
            'the array is not closed. The file is truncated: fetch or export it again.',
        );
      }
      throw new AppError(
        'DATA',
        `The input ended inside record ${this.elementIndex} (started at byte ${this.elementStart}, ` +
          `${this.offset - this.elementStart} bytes read). The file is truncated: fetch or export it again.`,
      );
    }
    if (this.mode === 'array') {
      throw new AppError(
        'DATA',
        `The input ended at byte ${this.offset} before the closing ']' of the array ` +
          `(after ${this.elementIndex} records). The file is truncated: fetch or export it again.`,
      );
    }
    if (this.mode === 'start') {
      throw new AppError('DATA', 'The input is empty: expected a JSON array, an object or newline-delimited objects.');
    }
  }

  private startElement(byte: number): void {
    this.inElement = true;
    this.elementStart = this.offset;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scalar = byte !== OPEN_BRACE && byte !== OPEN_BRACKET;
    this.pieces = [];
    this.pieceBytes = 0;
  }

  private keepPiece(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.pieces.push(chunk.subarray(from, to));
    this.pieceBytes += to - from;
    if (this.pieceBytes > this.limits.maxElementBytes) {
      throw new AppError(
        'DATA',
        `Record ${this.elementIndex} at byte ${this.elementStart} is larger than ` +
          `${Math.round(this.limits.maxElementBytes / (1024 * 1024))} MiB; ` +
          'the file is probably not posture data or is damaged.',
      );
    }
  }

  /**
   * Scans the current element from `start`; returns the index just past its end, or -1
   * when the chunk ends first. Strings are skipped with indexOf, which keeps long
   * evidence texts cheap.
   */
  private scanElement(chunk: Buffer, start: number): number {
    const length = chunk.length;
    let i = start;
    // Next quote and backslash at or after i, found once and reused until i passes them,
    // so a long string full of escapes is still scanned in linear time.
    let quote = -2;
    let backslash = -2;
    while (i < length) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        if (quote !== -1 && quote < i) quote = chunk.indexOf(QUOTE, i);
        if (backslash !== -1 && backslash < i) backslash = chunk.indexOf(BACKSLASH, i);
        if (backslash !== -1 && (quote === -1 || backslash < quote)) {
          this.escaped = true;
          i = backslash + 1;
          continue;
        }
        if (quote === -1) return -1;
        this.inString = false;
        i = quote + 1;
        if (this.scalar && this.depth === 0) return i;
        continue;
      }

      const byte = chunk[i]!;
      if (this.scalar) {
        if (byte === QUOTE && i === start && this.pieceBytes === 0) {
          this.inString = true;
          i++;
          continue;
        }
        // A number, literal or bare word ends at a separator.
        if (byte === COMMA || byte === CLOSE_BRACKET || isWhitespace(byte) || byte === CLOSE_BRACE) return i;
        i++;
        continue;
      }

      if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.depth++;
        if (this.depth > this.limits.maxDepth) {
          throw new AppError(
            'DATA',
            `Record ${this.elementIndex} at byte ${this.elementStart} nests deeper than ` +
              `${this.limits.maxDepth} levels (at byte ${this.offset + (i - start)}); posture records are shallow, ` +
              'so the file is not posture data.',
          );
        }
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) return i + 1;
        if (this.depth < 0) throw this.syntaxError(byte, 'a value');
      }
      i++;
    }
    return -1;
  }

  private finishElement(): ScannedElement {
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.pieceBytes);
    const element: ScannedElement = { index: this.elementIndex, offset: this.elementStart, bytes };
    this.elementIndex++;
    this.inElement = false;
    this.pieces = [];
    this.pieceBytes = 0;
    if (this.mode === 'array') this.arrayState = 'expect-comma-or-end';
    return element;
  }

  private syntaxError(byte: number, expected: string): AppError {
    return new AppError(
      'DATA',
      `Invalid JSON at byte ${this.offset}: found ${describeByte(byte)} where ${expected} was expected ` +
        `(after ${this.elementIndex} records). Check that the file is a Qualys posture export.`,
    );
  }
}
