/**
 * Rewrites core error messages for the desktop app. The core writes its messages for the
 * command line, so some name a flag ("--resume 3") or a command ("`posture-workbench
 * snapshots`"). The app names the screen or control that does the same thing instead.
 */
import type { ErrorInfo } from '../db/errors.js';

/** Specific sentences first, then general rules for anything else that names a flag or a command. */
const REWRITES: [RegExp, string][] = [
  // Pulls: "… are saved in snapshot 3; continue with --resume 3."
  [/; continue with --resume (\d+)\./g, '. Resume snapshot $1 on the Pull screen.'],
  [/Resume it with `posture-workbench pull --resume (\d+)` or delete it\./g, 'Resume it on the Pull screen, or delete it on the Snapshots screen.'],
  [/resume it without --api or with --api (\d)\./g, 'resume it with API version $1.'],
  [/was pulled with --api (\d)/g, 'was pulled with API version $1'],
  [/resume it without --platform\/--gateway\./g, 'resume it with a connection to that gateway.'],
  [/resume it with the same --username\./g, 'resume it with a connection that signs in as that user.'],
  [/List unfinished pulls with `posture-workbench snapshots --all`\./g, 'Unfinished pulls are listed on the Pull screen.'],
  // Imports.
  [/import with --lenient to skip malformed records\./g, 'import it again with "Skip malformed records" checked.'],
  // Commands that list things: the screen that lists them.
  [/(List|Check) (?:snapshots|them|the IDs)? ?with `posture-workbench snapshots`\./g, 'The Snapshots screen lists the snapshots.'],
  [/(?:List (?:them|reports) with )?`posture-workbench reports`\./g, 'The Reports screen lists the reports.'],
  [/Check the IDs with `posture-workbench diff`\./g, 'Open the posture from a search or a diff.'],
  [/Import a file with `posture-workbench import FILE` or pull with `posture-workbench pull`\./g, 'Import a file on the Snapshots screen, or pull one on the Pull screen.'],
  // Gateways, as the connection form names them.
  [/--gateway URL/g, 'gateway URL'],
  [/--gateway/g, 'gateway URL'],
  [/--platform/g, 'platform'],
  [/--username/g, 'API user name'],
  [/--api/g, 'API version'],
];

// Whatever names a command or a flag after the rewrites: a sentence that starts with "Run
// `posture-workbench …`", any other quoted command, and a bracketed or bare flag.
const RUN_COMMAND = /\s*Run `posture-workbench[^`]*`[^.]*\./g;
const QUOTED_COMMAND = /\s*[^.;]*`posture-workbench[^`]*`[^.]*\./g;
const BRACKETED_FLAG = / \(--[a-z][a-z-]*(?: [^)]*)?\)/g;
const BARE_FLAG = /--([a-z][a-z-]*)/g;

/** Returns the message with flags and commands replaced by the app's own wording. */
export function desktopMessage(message: string): string {
  let text = message;
  for (const [pattern, replacement] of REWRITES) text = text.replace(pattern, replacement);
  text = text.replace(RUN_COMMAND, '').replace(QUOTED_COMMAND, '').replace(BRACKETED_FLAG, '');
  // A flag left over is named as a setting ("the lenient setting"), which the screens label.
  text = text.replace(BARE_FLAG, (_match, name: string) => `the ${name.replace(/-/g, ' ')} setting`);
  return text.trim();
}

/** Returns the error with its message in the app's wording; the code stays as the core set it. */
export function desktopError(error: ErrorInfo): ErrorInfo {
  return { code: error.code, message: desktopMessage(error.message) };
}
