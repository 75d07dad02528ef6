/** Options and helpers shared by `export` and `signoff`: the report definition and the certificate. */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { AppError } from '../../db/errors.js';
import { getReport, saveOrReuseReport, saveReportRevision, type ReportDefinition, type ReportRevision } from '../../db/reports.js';
import type { Store } from '../../db/store.js';
import { describeCertificate, type Certificate } from '../../electron/report/signing.js';
import { parseInteger, type CommandContext, type OptionSpec } from '../args.js';

export const DEFAULT_TITLE = 'Compliance audit report';

export const DEFINITION_OPTIONS: Record<string, OptionSpec> = {
  snapshot: { type: 'string', valueName: 'ID', description: 'Snapshot to report on' },
  baseline: {
    type: 'string',
    valueName: 'ID',
    description: 'Snapshot to compare with ("changes since the baseline"), usually an earlier one; a later one shows the changes from it to --snapshot',
  },
  query: { type: 'string', valueName: 'Q', description: 'Search query that narrows the postures' },
  report: { type: 'string', valueName: 'UUID', description: 'Existing report; changed options make a new revision of it' },
  revision: { type: 'string', valueName: 'N', description: 'Revision of --report (default: the latest)' },
  title: { type: 'string', valueName: 'TEXT', description: `Report title (default "${DEFAULT_TITLE}")` },
  client: { type: 'string', valueName: 'TEXT', description: 'Client name on the cover' },
  site: { type: 'string', valueName: 'TEXT', description: 'Site or scope name on the cover' },
  auditor: { type: 'string', valueName: 'TEXT', description: 'Auditor named on the cover' },
};

function text(context: CommandContext, name: string): string | undefined {
  const value = context.values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Origin of the revision the options name: `named` by --report, `matched` as an existing
 * report with the same definition, or `new` when a revision was saved.
 */
export type ReportSource = 'named' | 'matched' | 'new';

/**
 * Returns the report revision the options name: `--report` (changed by any definition
 * option into a new revision), else the report whose definition equals the options
 * (the signed-off one first), else a new report from `--snapshot`.
 */
export function resolveReport(store: Store, context: CommandContext): { report: ReportRevision; source: ReportSource } {
  const reportId = text(context, 'report');
  const revision = context.values.revision === undefined ? undefined : parseInteger(context.values.revision, '--revision');
  const snapshot = text(context, 'snapshot');
  const baseline = text(context, 'baseline');
  const changes: Partial<ReportDefinition> = {};
  if (snapshot !== undefined) changes.snapshotId = parseInteger(snapshot, '--snapshot');
  if (baseline !== undefined) changes.baselineId = baseline === 'none' ? null : parseInteger(baseline, '--baseline');
  if (text(context, 'query') !== undefined) changes.query = text(context, 'query')!.trim() === '' ? null : text(context, 'query')!;
  for (const key of ['title', 'client', 'site', 'auditor'] as const) {
    if (text(context, key) !== undefined) changes[key] = text(context, key)!;
  }

  if (reportId !== undefined) {
    const existing = getReport(store, reportId, revision);
    if (Object.keys(changes).length === 0) return { report: existing, source: 'named' };
    // A revision is never rewritten: any change saves a new one after the latest.
    const definition: ReportDefinition = {
      title: existing.title,
      client: existing.client,
      site: existing.site,
      auditor: existing.auditor,
      snapshotId: existing.snapshotId,
      baselineId: existing.baselineId,
      query: existing.query,
      ...changes,
    };
    const latest = getReport(store, reportId);
    const saved = saveReportRevision(store, definition, reportId);
    return { report: saved, source: saved.rowId === latest.rowId ? 'named' : 'new' };
  }
  if (revision !== undefined) throw new AppError('USAGE', '--revision needs --report UUID.');
  if (changes.snapshotId === undefined) {
    throw new AppError('USAGE', 'Give --snapshot ID for a new report, or --report UUID for an existing one. List snapshots with `posture-workbench snapshots`.');
  }
  const { report, reused } = saveOrReuseReport(store, {
    title: changes.title ?? DEFAULT_TITLE,
    client: changes.client ?? '',
    site: changes.site ?? '',
    auditor: changes.auditor ?? '',
    snapshotId: changes.snapshotId,
    baselineId: changes.baselineId ?? null,
    query: changes.query ?? null,
  });
  return { report, source: reused ? 'matched' : 'new' };
}

export const CERTIFICATE_OPTIONS: Record<string, OptionSpec> = {
  p12: { type: 'string', valueName: 'FILE', description: 'PKCS#12 certificate (.p12/.pfx) to sign the PDF and the package manifest' },
  'p12-password-env': {
    type: 'string',
    valueName: 'VAR',
    description: 'Environment variable that holds the certificate password (else a prompt on a terminal)',
  },
};

async function promptPassword(file: string): Promise<string> {
  // Echo nothing while the password is typed.
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  process.stderr.write(`Password for ${file}: `);
  const reader = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => reader.question('', resolve));
  } finally {
    reader.close();
    process.stderr.write('\n');
  }
}

/** Loads the certificate named by --p12; the password never comes from argv. */
export async function loadCertificate(context: CommandContext): Promise<Certificate | null> {
  const file = text(context, 'p12');
  const variable = text(context, 'p12-password-env');
  if (file === undefined) {
    if (variable !== undefined) throw new AppError('USAGE', '--p12-password-env needs --p12 FILE.');
    return null;
  }
  let p12: Buffer;
  try {
    p12 = await readFile(file);
  } catch (error) {
    throw new AppError('NOT_FOUND', `Cannot read the certificate ${file}: ${(error as Error).message}. Check --p12.`, { cause: error });
  }
  let password: string;
  if (variable !== undefined) {
    const value = process.env[variable];
    if (value === undefined) throw new AppError('USAGE', `The environment variable ${variable} named by --p12-password-env is not set.`);
    password = value;
  } else if (process.stdin.isTTY && process.stderr.isTTY) {
    password = await promptPassword(file);
  } else {
    throw new AppError('USAGE', 'No terminal to ask for the certificate password; set it in a variable and name it with --p12-password-env VAR.');
  }
  // Opening the file now fails before a report revision is saved for an unusable certificate.
  const certificate = { p12, password, file };
  describeCertificate(certificate);
  return certificate;
}
