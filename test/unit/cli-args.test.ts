import { describe, expect, it } from 'vitest';
import { parseCommand, terminalSafe, terminalSafeJson, type CommandSpec } from '../../cli/args.js';

const spec = (dashPositionals: boolean): CommandSpec => ({
  name: 'probe',
  summary: 'probe',
  usage: 'probe',
  dashPositionals,
  options: {
    status: { type: 'string', multiple: true, description: 'status' },
    all: { type: 'boolean', description: 'all' },
  },
  run: async () => {},
});

describe('parseCommand', () => {
  it('keeps a leading minus term as a positional', () => {
    const parsed = parseCommand(spec(true), ['-ssh', '--status', 'Failed', 'password', '--all']);
    expect(parsed.positionals).toEqual(['password', '-ssh']);
    expect(parsed.values.status).toEqual(['Failed']);
    expect(parsed.values.all).toBe(true);
  });

  it('reads an option value that starts with a minus only with =', () => {
    const parsed = parseCommand(spec(true), ['--status=-x', 'word']);
    expect(parsed.values.status).toEqual(['-x']);
    expect(parsed.positionals).toEqual(['word']);
  });

  it('rejects unknown options in other commands', () => {
    expect(() => parseCommand(spec(false), ['-ssh'])).toThrow(/Unknown option '-s'.*probe --help/);
  });

  it('explains a value that starts with a minus', () => {
    expect(() => parseCommand(spec(false), ['--status', '-1'])).toThrow(/The value of --status starts with "-"; write it as --status=VALUE/);
  });
});

describe('terminal-safe output', () => {
  it('escapes controls in text', () => {
    expect(terminalSafe('evil\u001b[31mRED\u001b[0m\u0007 ok\tcol\nnext')).toBe('evil\\x1b[31mRED\\x1b[0m\\x07 ok\tcol\nnext');
    expect(terminalSafe('a\u202eb\u009bc\u2028d')).toBe('a\\u202eb\\x9bc\\u2028d');
    expect(terminalSafe('line\r', false)).toBe('line\\x0d');
    expect(terminalSafe('progress\r', true)).toBe('progress\r');
  });

  it('keeps JSON values intact', () => {
    const value = { dns: 'evil\u001b[31m\u009b\u202e.example', text: 'Zürich サーバー' };
    const safe = terminalSafeJson(JSON.stringify(value));
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(JSON.parse(safe)).toEqual(value);
  });
});

describe('repeated options', () => {
  const spec: CommandSpec = {
    name: 'probe',
    summary: 'Probe',
    usage: 'probe',
    options: { snapshot: { type: 'string', description: 'Snapshot' }, status: { type: 'string', multiple: true, description: 'Status' } },
    run: async () => {},
  };

  it('rejects a single-value option twice', () => {
    expect(() => parseCommand(spec, ['--snapshot', '7', '--snapshot', '4'])).toThrow(/--snapshot is given more than once; give it once/);
  });

  it('accepts a repeatable option twice', () => {
    expect(parseCommand(spec, ['--status', 'Failed', '--status', 'Error']).values.status).toEqual(['Failed', 'Error']);
  });
});
