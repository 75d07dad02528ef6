import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecordScanner } from '../../electron/ingest/scanner.js';

const fixtures = new URL('../fixtures/reference/', import.meta.url);

/** Feeds `input` to a fresh scanner in pieces of the given sizes (cycled) and parses each element. */
function scanInPieces(input: Buffer, sizes: number[]): unknown[] {
  const scanner = new RecordScanner();
  const out: unknown[] = [];
  let offset = 0;
  let step = 0;
  while (offset < input.length) {
    const size = sizes[step++ % sizes.length]!;
    for (const element of scanner.push(input.subarray(offset, offset + size))) {
      out.push(JSON.parse(element.bytes.toString('utf8')));
    }
    offset += size;
  }
  scanner.end();
  return out;
}

function seededSizes(seed: number, count: number, max: number): number[] {
  let state = seed;
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    sizes.push(1 + (state % max));
  }
  return sizes;
}

describe('RecordScanner', () => {
  const files = ['v1-posture.json', 'v2-posture.json', 'v3-posture.json', 'v3-posture.ndjson', 'v2-single-record.json'];

  for (const file of files) {
    it(`cuts ${file} identically at every chunk size`, () => {
      const input = readFileSync(new URL(file, fixtures));
      const expected = file.endsWith('.ndjson')
        ? input.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown)
        : ([JSON.parse(input.toString('utf8'))].flat() as unknown[]);
      expect(scanInPieces(input, [input.length])).toEqual(expected);
      expect(scanInPieces(input, [1])).toEqual(expected);
      expect(scanInPieces(input, seededSizes(7, 50, 97))).toEqual(expected);
      expect(scanInPieces(input, seededSizes(11, 50, 4096))).toEqual(expected);
    });
  }

  it('keeps },{ and brackets inside strings within one record', () => {
    const records = [{ a: '},{"b":1}', c: ['[', ']', '{'] }, { d: 'x\\"},{' }];
    const input = Buffer.from(JSON.stringify(records));
    expect(scanInPieces(input, [1])).toEqual(records);
    expect(scanInPieces(input, [3, 5])).toEqual(records);
  });

  it('splits escapes and multi-byte characters across chunks', () => {
    const records = [{ text: 'Zürich サーバー \\ " \u0000 \n end' }, { text: '😀'.repeat(10) }];
    const input = Buffer.from(JSON.stringify(records));
    for (let size = 1; size <= 8; size++) expect(scanInPieces(input, [size])).toEqual(records);
  });

  it('skips a UTF-8 byte order mark', () => {
    const records = [{ a: 1 }, { b: 'Zürich' }];
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    for (const body of [JSON.stringify(records), records.map((record) => JSON.stringify(record)).join('\n')]) {
      const input = Buffer.concat([bom, Buffer.from(body)]);
      for (const size of [1, 2, input.length]) expect(scanInPieces(input, [size])).toEqual(records);
    }
  });

  it('rejects a broken byte order mark', () => {
    const scanner = new RecordScanner();
    expect(() => scanner.push(Buffer.from([0xef, 0xbb, 0x5b, 0x5d]))).toThrow(/byte 2.*byte order mark/);
  });

  it('accepts an empty array', () => {
    expect(scanInPieces(Buffer.from(' [ ] '), [1])).toEqual([]);
  });

  it('reports the offset of a missing comma', () => {
    const scanner = new RecordScanner();
    expect(() => scanner.push(Buffer.from('[{"a":1} {"b":2}]'))).toThrow(/byte 9.*',' or '\]'/);
  });

  it('rejects a trailing comma', () => {
    const scanner = new RecordScanner();
    expect(() => scanner.push(Buffer.from('[{"a":1},]'))).toThrow(/trailing comma/);
  });

  it('rejects text that is not JSON', () => {
    const scanner = new RecordScanner();
    expect(() => scanner.push(Buffer.from('<html>502 Bad Gateway</html>'))).toThrow(/byte 0.*'<'/);
  });

  it('rejects garbage after the closing bracket', () => {
    const scanner = new RecordScanner();
    expect(() => scanner.push(Buffer.from('[{"a":1}] x'))).toThrow(/byte 10/);
  });

  it('reports truncation inside a record', () => {
    const scanner = new RecordScanner();
    scanner.push(Buffer.from('[{"a":1},{"b":"unfinished'));
    expect(() => scanner.end()).toThrow(/ended inside record 1 \(started at byte 9/);
  });

  it('reports a missing closing bracket', () => {
    const scanner = new RecordScanner();
    scanner.push(Buffer.from('[{"a":1}'));
    expect(() => scanner.end()).toThrow(/before the closing '\]'.*after 1 records/);
  });

  it('reports empty input', () => {
    const scanner = new RecordScanner();
    scanner.push(Buffer.from('  \n '));
    expect(() => scanner.end()).toThrow(/empty/);
  });

  it('rejects absurd nesting without recursion', () => {
    const scanner = new RecordScanner();
    const deep = '[' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + ']';
    expect(() => scanner.push(Buffer.from(deep))).toThrow(/nests deeper than 64 levels/);
  });

  it('rejects a record over the size limit', () => {
    const scanner = new RecordScanner({ maxElementBytes: 1024 });
    const big = Buffer.from(JSON.stringify([{ evidence: 'x'.repeat(5000) }]));
    expect(() => {
      for (let offset = 0; offset < big.length; offset += 100) scanner.push(big.subarray(offset, offset + 100));
    }).toThrow(/larger than/);
  });

  it('passes a multi-megabyte string full of escapes', () => {
    // A scan that re-searched for the closing quote after every escape would take
    // minutes here and hit the test timeout.
    const text = 'a\\nb'.repeat(1_000_000);
    const input = Buffer.from(`[{"evidence":"${text}"}]`);
    const [record] = scanInPieces(input, [65536]) as { evidence: string }[];
    expect(record!.evidence.length).toBe(3_000_000);
  });

  it('cuts scalars as elements so the parser can reject them', () => {
    const scanner = new RecordScanner();
    const elements = scanner.push(Buffer.from('[1, "two", null, {"a":1}]'));
    expect(elements.map((element) => element.bytes.toString())).toEqual(['1', '"two"', 'null', '{"a":1}']);
    expect(elements.map((element) => element.offset)).toEqual([1, 4, 11, 17]);
  });
});
