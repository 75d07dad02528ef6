/**
 * posture-workbench: the headless front end. Every command runs the same core as the
 * desktop app. Failures print one plain line on stderr and exit with a code from
 * EXIT_CODES, so scripts can tell usage, authentication, network and data errors apart.
 */
import { toErrorInfo } from '../db/errors.js';
import { exitCodeFor, formatHelp, parseCommand, terminalSafe, terminalSafeJson, type CommandContext } from './args.js';
import { COMMANDS } from './commands/index.js';

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 2;
  return [
    'Usage: posture-workbench COMMAND [options]',
    '',
    'Qualys Policy Compliance posture, offline: immutable snapshots, search, diff and signed reports.',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    'Run `posture-workbench COMMAND --help` for the options of one command.',
    'The database is --db PATH, else $POSTURE_WORKBENCH_DB, else the per-user data directory.',
    '',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const spec = COMMANDS.find((command) => command.name === name);
  if (!spec) {
    process.stderr.write(`posture-workbench: unknown command "${name}". Run \`posture-workbench --help\` for the list.\n`);
    return 2;
  }
  try {
    const parsed = parseCommand(spec, rest);
    if (parsed.values.help) {
      process.stdout.write(formatHelp(spec));
      return 0;
    }
    // Output carries text from imported files, so nothing in it may act on the terminal.
    const json = parsed.values.json === true;
    const context: CommandContext = {
      values: parsed.values,
      positionals: parsed.positionals,
      json,
      out: (text) => process.stdout.write(json ? terminalSafeJson(text) : terminalSafe(text)),
      err: (text) => process.stderr.write(terminalSafe(text, true)),
      interactive: process.stderr.isTTY === true,
    };
    const code = await spec.run(context);
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    const info = toErrorInfo(error);
    process.stderr.write(terminalSafe(`posture-workbench ${name}: ${info.message}\n`));
    if (info.code === 'INTERNAL' && process.env.POSTURE_WORKBENCH_DEBUG) console.error(error);
    return exitCodeFor(error);
  }
}

const code = await runCli(process.argv.slice(2));
// Let stdout drain before exiting, so piped --json output is never cut short.
process.stdout.write('', () => process.exit(code));
