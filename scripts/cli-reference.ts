/**
 * Renders docs/cli.md from the commands' own help, so the documented scripting contract
 * (flags, JSON shapes, exit codes) cannot drift from the code.
 *
 *   npx tsx scripts/cli-reference.ts          rewrite docs/cli.md
 *   npx tsx scripts/cli-reference.ts --check  exit 1 if docs/cli.md is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES, formatHelp } from '../cli/args.js';
import { COMMANDS } from '../cli/commands/index.js';

export const CLI_REFERENCE_PATH = fileURLToPath(new URL('../docs/cli.md', import.meta.url));

export function renderCliReference(): string {
  const lines = [
    '# Command-line reference',
    '',
    'Generated from each command\'s `--help` by `npx tsx scripts/cli-reference.ts`; a test fails when this',
    'page and the code disagree. Flags and `--json` shapes are a scripting contract: they are extended,',
    'never renamed.',
    '',
    '## Exit codes',
    '',
    '| Code | Error codes |',
    '| ---: | --- |',
    '| 0 | success |',
  ];
  const byExit = new Map<number, string[]>();
  for (const [code, exit] of Object.entries(EXIT_CODES)) byExit.set(exit, [...(byExit.get(exit) ?? []), code]);
  for (const [exit, codes] of [...byExit.entries()].sort((a, b) => a[0] - b[0])) lines.push(`| ${exit} | ${codes.join(', ')} |`);
  lines.push('', 'Failures print one line on stderr: `posture-workbench COMMAND: message`.', '');
  for (const command of COMMANDS) {
    lines.push(`## ${command.name}`, '', '```text', formatHelp(command).trimEnd(), '```', '');
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rendered = renderCliReference();
  if (process.argv.includes('--check')) {
    const current = readFileSync(CLI_REFERENCE_PATH, 'utf8');
    if (current !== rendered) {
      process.stderr.write('docs/cli.md is stale: run `npx tsx scripts/cli-reference.ts`.\n');
      process.exit(1);
    }
  } else {
    writeFileSync(CLI_REFERENCE_PATH, rendered);
  }
}
