/** A line diff for evidence text: longest common subsequence over the lines that differ. */

export interface LineChange {
  op: 'equal' | 'removed' | 'added';
  text: string;
}

// Cells of the LCS table (lines of A × lines of B, after the common prefix and suffix).
// 4 million cells take about 16 MB; evidence beyond that is shown as replaced whole.
const MAX_TABLE_CELLS = 4_000_000;

function splitLines(text: string | null): string[] {
  if (text === null || text === '') return [];
  return text.replace(/\r\n/g, '\n').split('\n');
}

/**
 * Returns the lines of `before` and `after` as equal, removed or added, in reading order.
 * A null text has no lines. Differences too large for the table are reported as every
 * middle line removed and then added.
 */
export function diffLines(before: string | null, after: string | null): LineChange[] {
  const a = splitLines(before);
  const b = splitLines(after);

  // 1. Common prefix and suffix cost nothing to match.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head = a.slice(0, start).map((text): LineChange => ({ op: 'equal', text }));
  const tail = a.slice(endA).map((text): LineChange => ({ op: 'equal', text }));
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);

  // 2. The middle, by LCS when it fits the table.
  const rows = middleA.length;
  const columns = middleB.length;
  if (rows * columns > MAX_TABLE_CELLS) {
    return [
      ...head,
      ...middleA.map((text): LineChange => ({ op: 'removed', text })),
      ...middleB.map((text): LineChange => ({ op: 'added', text })),
      ...tail,
    ];
  }
  const width = columns + 1;
  const table = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = columns - 1; j >= 0; j--) {
      table[i * width + j] =
        middleA[i] === middleB[j]
          ? table[(i + 1) * width + j + 1]! + 1
          : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
    }
  }

  // 3. Walk the table, preferring removals first so a replaced line reads "- old, + new".
  const middle: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < rows && j < columns) {
    if (middleA[i] === middleB[j]) {
      middle.push({ op: 'equal', text: middleA[i]! });
      i++;
      j++;
    } else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) {
      middle.push({ op: 'removed', text: middleA[i]! });
      i++;
    } else {
      middle.push({ op: 'added', text: middleB[j]! });
      j++;
    }
  }
  while (i < rows) middle.push({ op: 'removed', text: middleA[i++]! });
  while (j < columns) middle.push({ op: 'added', text: middleB[j++]! });
  return [...head, ...middle, ...tail];
}
