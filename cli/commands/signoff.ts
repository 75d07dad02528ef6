/** `signoff` records an auditor's approval of a report revision; `reports` lists revisions. */
import { AppError } from '../../db/errors.js';
import { listReports, signOffReport } from '../../db/reports.js';
import { formatTable, type CommandSpec } from '../args.js';
import { withStore } from '../context.js';
import { DEFINITION_OPTIONS, resolveReport } from './report-options.js';

export const signoffCommand: CommandSpec = {
  name: 'signoff',
  summary: 'Sign off a report revision: stores name, role, organisation, statement and time, and locks its snapshots.',
  usage:
    'signoff (--report UUID [--revision N] | --snapshot ID [--baseline ID] [--query Q] [--title …]) --name N --role R ' +
    '--organisation O --statement S [--time ISO] [--json]',
  options: {
    ...DEFINITION_OPTIONS,
    name: { type: 'string', valueName: 'TEXT', description: 'Name of the person signing off' },
    role: { type: 'string', valueName: 'TEXT', description: 'Their role, e.g. Lead auditor' },
    organisation: { type: 'string', valueName: 'TEXT', description: 'Their organisation' },
    statement: { type: 'string', valueName: 'TEXT', description: 'The sign-off statement printed on the sign-off page' },
    time: { type: 'string', valueName: 'ISO', description: 'Time of the sign-off, ISO-8601 with a zone, not before the revision was created nor in the future (default: now)' },
  },
  details: `The sign-off stores the revision's report hash, and its snapshot and baseline
cannot be deleted afterwards. Without --report, the sign-off goes to the existing
revision whose options are all the same, else to a new report. Export the PDF again,
with the same options or --report UUID, to print the sign-off page. Changing a signed
report with export or signoff options saves a new revision; the signed one stays as it
was.

--json prints {"signoffId", "reportId", "revision", "reportSha256", "signedAt",
"lockedSnapshotIds"}.`,
  async run(context) {
    const missing = ['name', 'role', 'organisation', 'statement'].filter((key) => typeof context.values[key] !== 'string');
    if (missing.length > 0) throw new AppError('USAGE', `The sign-off needs ${missing.map((key) => `--${key}`).join(', ')}.`);
    return withStore(context, async (store) => {
      const { report } = resolveReport(store, context);
      const signoff = signOffReport(store, report.reportId, report.revision, {
        name: context.values.name as string,
        role: context.values.role as string,
        organisation: context.values.organisation as string,
        statement: context.values.statement as string,
        signedAt: context.values.time as string | undefined,
      });
      const summary = {
        signoffId: signoff.id,
        reportId: signoff.reportId,
        revision: signoff.revision,
        reportSha256: signoff.reportSha256,
        signedAt: signoff.signedAt,
        lockedSnapshotIds: signoff.snapshotIds,
      };
      context.out(
        context.json
          ? JSON.stringify(summary) + '\n'
          : `Signed off report ${signoff.reportId} revision ${signoff.revision} as ${signoff.name}; snapshots ${signoff.snapshotIds.join(', ')} are now locked.\n` +
              `Export it with \`posture-workbench export pdf --report ${signoff.reportId} --out FILE\`.\n`,
      );
    });
  },
};

export const reportsCommand: CommandSpec = {
  name: 'reports',
  summary: 'List report revisions, newest first, with their sign-offs.',
  usage: 'reports [--json]',
  options: {},
  details: '--json prints an array of revisions: {"reportId", "revision", "title", "snapshotId", "baselineId", "query", "contentSha256", "pdfSha256", "signoffs", ...}.',
  async run(context) {
    return withStore(context, async (store) => {
      const reports = listReports(store);
      if (context.json) {
        context.out(JSON.stringify(reports) + '\n');
        return;
      }
      if (reports.length === 0) {
        context.out('No reports yet. Create one with `posture-workbench export pdf --snapshot ID --out FILE`.\n');
        return;
      }
      context.out(
        formatTable(
          ['Report', 'Rev', 'Created', 'Title', 'Snapshot', 'Baseline', 'Signed off by'],
          reports.map((report) => [
            report.reportId,
            report.revision,
            report.createdAt.replace('T', ' ').slice(0, 19),
            report.title,
            report.snapshotId,
            report.baselineId ?? '-',
            report.signoffs.map((signoff) => signoff.name).join(', ') || '-',
          ]),
        ),
      );
    });
  },
};
