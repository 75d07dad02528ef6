/**
 * Finds where a JSON text stops being valid. V8's JSON.parse messages on Node 20 often
 * omit the position, and an auditor needs the byte offset to find the bad spot in a
 * gigabyte file. Runs only after JSON.parse has failed, so speed does not matter.
 */

export interface JsonErrorLocation {
  /** Index (UTF-16 code units) of the first character that cannot continue the text. */
  index: number;
  /** Description of the offending input for messages: a quoted character or "the end of the record". */
  found: string;
}

export function locateJsonError(text: string): JsonErrorLocation {
  let i = 0;
  const fail = (): never => {
    throw new StopAt(i);
  };
  const skipWhitespace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expectLiteral = (literal: string) => {
    for (const char of literal) {
      if (text[i] !== char) fail();
      i++;
    }
  };
  const readString = () => {
    i++;
    while (i < text.length) {
      const char = text[i]!;
      if (char === '"') {
        i++;
        return;
      }
      if (char < ' ') fail();
      if (char === '\\') {
        i++;
        const escape = text[i];
        if (escape === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
            i += k;
            fail();
          }
          i += 5;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) fail();
      }
      i++;
    }
    fail();
  };
  const readNumber = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match || match[0].length === 0) fail();
    i += match![0].length;
  };

  // An explicit stack instead of recursion, so deep nesting cannot overflow.
  const readValue = () => {
    const stack: ('object' | 'array')[] = [];
    for (;;) {
      skipWhitespace();
      const char = text[i];
      if (char === '{' || char === '[') {
        stack.push(char === '{' ? 'object' : 'array');
        i++;
        skipWhitespace();
        if (text[i] === (char === '{' ? '}' : ']')) {
          i++;
          stack.pop();
        } else {
          if (char === '{') {
            if (text[i] !== '"') fail();
            readString();
            skipWhitespace();
            if (text[i] !== ':') fail();
            i++;
          }
          continue;
        }
      } else if (char === '"') readString();
      else if (char === 't') expectLiteral('true');
      else if (char === 'f') expectLiteral('false');
      else if (char === 'n') expectLiteral('null');
      else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) readNumber();
      else fail();

      // After a value: close containers or move to the next member.
      for (;;) {
        if (stack.length === 0) return;
        skipWhitespace();
        const top = stack[stack.length - 1];
        if (text[i] === ',') {
          i++;
          if (top === 'object') {
            skipWhitespace();
            if (text[i] !== '"') fail();
            readString();
            skipWhitespace();
            if (text[i] !== ':') fail();
            i++;
          }
          break;
        }
        if (text[i] === (top === 'object' ? '}' : ']')) {
          i++;
          stack.pop();
          continue;
        }
        fail();
      }
    }
  };

  try {
    readValue();
    skipWhitespace();
    if (i < text.length) fail();
    return { index: text.length, found: 'the end of the record' };
  } catch (error) {
    if (!(error instanceof StopAt)) throw error;
    const index = error.index;
    const char = text[index];
    return { index, found: char === undefined ? 'the end of the record' : `'${char}'` };
  }
}

class StopAt {
  constructor(readonly index: number) {}
}
