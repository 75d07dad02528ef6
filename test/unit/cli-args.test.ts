import { describe, expect, it } from 'vitest';
import { parseCommand, type CommandSpec } from '../../cli/args.js';

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
