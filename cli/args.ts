/**
 * Shared command-line plumbing: parsing with node:util, help text, the exit codes that
 * scripts can rely on, and output helpers for `--json`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError, toErrorInfo, type ErrorCode } from '../db/errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Extra paragraphs printed after the options in `--help`. */
  details?: string;
  /**
   * Treat unknown arguments that start with "-" as positionals, for commands whose free
   * text can begin with a minus (a search query that excludes a word: `-ssh`).
   */
  dashPositionals?: boolean;
  run(context: CommandContext): Promise<number | void>;
}

export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  json: boolean;
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal, so progress can redraw one line. */
  interactive: boolean;
}

/** Exit codes: documented in the README; scripts branch on them. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  INVALID_INPUT: 2,
  NOT_FOUND: 3,
  AUTH: 4,
  NETWORK: 5,
  RATE_LIMIT: 5,
  API: 6,
  DATA: 7,
  SCHEMA_NEWER: 7,
  VERIFY_FAILED: 8,
  LOCKED: 9,
  CONFLICT: 9,
  IO: 10,
  CANCELLED: 130,
  INTERNAL: 1,
};

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  db: {
    type: 'string',
    valueName: 'PATH',
    description: 'Database file (default: $POSTURE_WORKBENCH_DB, else posture-workbench.db in the per-user data directory)',
  },
  json: { type: 'boolean', description: 'Print one JSON document on stdout instead of text' },
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
};

export function formatHelp(spec: CommandSpec): string {
  const lines = [`Usage: posture-workbench ${spec.usage}`, '', spec.summary, '', 'Options:'];
  const entries = Object.entries({ ...spec.options, ...COMMON_OPTIONS });
  const labels = entries.map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : '    ';
    const value = option.type === 'string' ? ` ${option.valueName ?? 'VALUE'}${option.multiple ? '…' : ''}` : '';
    return `  ${short}--${name}${value}`;
  });
  const width = Math.max(...labels.map((label) => label.length)) + 2;
  entries.forEach(([, option], index) => lines.push(labels[index]!.padEnd(width) + option.description));
  if (spec.details) lines.push('', spec.details.trimEnd());
  return lines.join('\n') + '\n';
}

export function parseCommand(spec: CommandSpec, argv: string[]) {
  const options: ParseArgsConfig['options'] = {};
  for (const [name, option] of Object.entries({ ...spec.options, ...COMMON_OPTIONS })) {
    const { description: _description, valueName: _valueName, ...config } = option;
    options[name] = config;
  }
  const args = spec.dashPositionals ? moveDashPositionals(argv, options) : argv;
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    // Node's message can span lines and suggest `--` syntax; keep its first sentence.
    let first = (error as Error).message.split('\n')[0]!.replace(/\. To specify.*$/s, '').replace(/\.+$/, '');
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(first);
    if (ambiguous) first = `The value of ${ambiguous[1]} starts with "-"; write it as ${ambiguous[1]}=VALUE`;
    throw new AppError('USAGE', `${first}. See \`posture-workbench ${spec.name} --help\`.`);
  }

  // parseArgs keeps the last of a repeated option, which would silently drop the first.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) {
      throw new AppError('USAGE', `--${token.name} is given more than once; give it once. See \`posture-workbench ${spec.name} --help\`.`);
    }
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * Moves arguments that look like options but are not declared (and are not the value of a
 * preceding string option) behind `--`, where parseArgs reads them as positionals.
 */
function moveDashPositionals(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const longNames = new Set(Object.keys(options));
  const shortNames = new Map(Object.entries(options).flatMap(([name, option]) => (option.short ? [[option.short, name]] : [])));
  const takesValue = (name: string | undefined) => name !== undefined && options[name]?.type === 'string';
  const kept: string[] = [];
  const moved: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      moved.push(...argv.slice(i + 1));
      break;
    }
    const long = /^--([^=]+)/.exec(arg)?.[1];
    const short = /^-([^-])$/.exec(arg)?.[1];
    const name = long ?? (short ? shortNames.get(short) : undefined);
    if (arg.startsWith('-') && arg !== '-' && (name === undefined || (long !== undefined && !longNames.has(long)))) {
      moved.push(arg);
      continue;
    }
    kept.push(arg);
    if (takesValue(name) && !arg.includes('=') && i + 1 < argv.length) kept.push(argv[++i]!);
  }
  return moved.length > 0 ? [...kept, '--', ...moved] : kept;
}

/** Parses a positive integer flag or positional; names the flag and value when it is not one. */
export function parseInteger(value: unknown, what: string, options: { min?: number; max?: number } = {}): number {
  const text = String(value ?? '').trim();
  const min = options.min ?? 1;
  if (!/^\d+$/.test(text) || Number(text) < min || (options.max !== undefined && Number(text) > options.max)) {
    const range = options.max !== undefined ? `from ${min} to ${options.max}` : `of at least ${min}`;
    throw new AppError('USAGE', `${what} must be a whole number ${range}, got "${text}".`);
  }
  return Number(text);
}

/** Reads the one SNAPSHOT argument of a command; more or none is a usage error. */
export function snapshotArgument(positionals: readonly string[], command: string): number {
  if (positionals.length === 0) {
    throw new AppError('USAGE', `Give the snapshot ID: posture-workbench ${command} SNAPSHOT. List them with \`posture-workbench snapshots\`.`);
  }
  if (positionals.length > 1) {
    throw new AppError('USAGE', `${command} takes one snapshot ID, got ${positionals.length} (${positionals.join(' ')}); run it once per snapshot.`);
  }
  return parseInteger(positionals[0], 'SNAPSHOT');
}

export function exitCodeFor(error: unknown): number {
  return EXIT_CODES[toErrorInfo(error).code] ?? 1;
}

// Control characters (except tab and line feed) and the bidirectional overrides: text
// from an imported file could otherwise recolour the terminal, set its title or reverse
// what follows. U+2028 and U+2029 are escaped too, as some terminals break lines on them.
const UNSAFE_FOR_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeCharacter(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes output safe to print on a terminal: each unsafe character becomes a visible
 * escape such as `\x1b`. Tab and line feed stay, and carriage return too with `keepReturn`
 * (progress lines redraw with it).
 */
export function terminalSafe(text: string, keepReturn = false): string {
  return text.replace(UNSAFE_FOR_TERMINAL, (char) => (keepReturn && char === '\r' ? char : escapeCharacter(char)));
}

/**
 * Makes JSON output safe to print on a terminal without changing what it parses to.
 * JSON.stringify escapes C0 controls already. The other unsafe characters can occur only
 * inside strings, where a \uXXXX escape stands for the same character.
 */
export function terminalSafeJson(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Renders rows as an aligned text table. */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n') + '\n';
}

/** Formats a byte count with binary units for progress lines. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
