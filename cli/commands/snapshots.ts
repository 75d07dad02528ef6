/** Commands that import files and manage snapshots: import, snapshots, show, label, delete. */
import { AppError } from '../../db/errors.js';
import { unsignedReportsUsing } from '../../db/reports.js';
import { deleteSnapshot, getSnapshotDetails, listSnapshots, updateSnapshot, type SnapshotInfo } from '../../db/snapshots.js';
import { importFiles, type ImportProgress } from '../../electron/ingest/import.js';
import { formatBytes, formatTable, parseInteger, snapshotArgument, type CommandSpec } from '../args.js';
import { withStore } from '../context.js';

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'Import posture files (JSON array, one object, or newline-delimited JSON; gzip or plain) as one new snapshot.',
  usage: 'import FILE... [--label L] [--note N] [--base ID] [--lenient] [--rejects PATH] [--json]',
  options: {
    label: { type: 'string', valueName: 'TEXT', description: 'Snapshot label (default: the file names)' },
    note: { type: 'string', valueName: 'TEXT', description: 'Free-text note stored with the snapshot' },
    base: {
      type: 'string',
      valueName: 'ID',
      description: "Start from this snapshot's postures and overlay the file's records (for statusChangedSince exports)",
    },
    lenient: { type: 'boolean', description: 'Skip malformed records, keep them in a rejects file, and count them' },
    rejects: { type: 'string', valueName: 'PATH', description: 'Rejects file for --lenient (default: rejects/ next to the database)' },
  },
  details: `Gzip is detected from the file's first bytes, whatever its name. By default one
malformed record fails the whole import and no snapshot is created.

--json prints {"snapshotId", "records", "duplicates", "rejected", ...}: records is the
number of records read and accepted (a duplicate posture counts once per occurrence and
the later record wins), postures the number of postures in the new snapshot.`,
  async run(context) {
    if (context.positionals.length === 0) {
      throw new AppError('USAGE', 'No input file given. Usage: posture-workbench import FILE... (see --help).');
    }
    const baseSnapshotId = context.values.base === undefined ? null : parseInteger(context.values.base, '--base');
    return withStore(context, async (store) => {
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      let lastDraw = 0;
      const onProgress = (progress: ImportProgress) => {
        if (!context.interactive || context.json) return;
        const now = Date.now();
        if (now - lastDraw < 200 && progress.phase === 'import') return;
        lastDraw = now;
        const share = progress.totalBytes > 0 ? ` ${((100 * progress.bytes) / progress.totalBytes).toFixed(0)}%` : '';
        context.err(
          `\r${progress.phase === 'finish' ? 'finishing' : 'importing'}${share}  ${progress.records.toLocaleString('en-US')} records  ` +
            `${formatBytes(progress.bytes)} / ${formatBytes(progress.totalBytes)}  ${Math.round(progress.recordsPerSecond).toLocaleString('en-US')} records/s   `,
        );
      };
      try {
        const result = await importFiles(store, context.positionals, {
          label: context.values.label as string | undefined,
          note: context.values.note as string | undefined,
          baseSnapshotId,
          lenient: context.values.lenient === true,
          rejectsPath: context.values.rejects as string | undefined,
          signal: abort.signal,
          onProgress,
        });
        if (context.interactive && !context.json) context.err('\n');
        const postures = Object.values(result.statusCounts).reduce((sum, count) => sum + count, 0);
        if (context.json) {
          context.out(
            JSON.stringify({
              snapshotId: result.snapshotId,
              records: result.records,
              duplicates: result.duplicates,
              rejected: result.rejected,
              postures,
              byStatus: result.statusCounts,
              inputSha256: result.inputSha256,
              rejectsFile: result.rejectsFile,
            }) + '\n',
          );
        } else {
          context.out(
            `Snapshot ${result.snapshotId}: ${result.records} records imported, ${postures} postures, ` +
              `${result.duplicates} duplicates, ${result.rejected} rejected.\n`,
          );
          if (result.duplicates > 0) {
            const first = result.duplicateSample[0]!;
            context.out(
              `Duplicate postures were counted once, the later record winning; the first is policy ${first.policyId}, host ${first.hostId}, control ${first.controlId}, instance "${first.instance}".\n`,
            );
          }
          if (result.rejectsFile) context.out(`Rejected records were written to ${result.rejectsFile}\n`);
        }
      } finally {
        process.off('SIGINT', onSignal);
      }
    }, { create: true });
  },
};

function snapshotStateLabel(snapshot: SnapshotInfo): string {
  if (snapshot.state === 'complete') return snapshot.locked ? 'signed off' : 'complete';
  return snapshot.running ? 'running' : 'interrupted';
}

export const snapshotsCommand: CommandSpec = {
  name: 'snapshots',
  summary: 'List snapshots, newest first.',
  usage: 'snapshots [--all] [--json]',
  options: {
    all: { type: 'boolean', description: 'Include unfinished (interrupted, resumable) pulls' },
  },
  details: '--json prints an array of snapshot objects (the same fields as `show --json` without the breakdowns).',
  async run(context) {
    return withStore(context, async (store) => {
      const list = listSnapshots(store, { includeBuilding: context.values.all === true });
      if (context.json) {
        context.out(JSON.stringify(list) + '\n');
        return;
      }
      if (list.length === 0) {
        context.out('No snapshots yet. Import a file with `posture-workbench import FILE` or pull with `posture-workbench pull`.\n');
        return;
      }
      context.out(
        formatTable(
          ['ID', 'Created', 'Label', 'Source', 'Records', 'Failed', 'State'],
          list.map((snapshot) => [
            snapshot.id,
            snapshot.createdAt.replace('T', ' ').slice(0, 19),
            snapshot.label,
            snapshot.sourceKind === 'pull' ? `pull ${snapshot.apiVersion ?? ''}`.trim() : snapshot.source,
            snapshot.records,
            snapshot.byStatus.Failed ?? 0,
            snapshotStateLabel(snapshot),
          ]),
        ),
      );
    });
  },
};

export const showCommand: CommandSpec = {
  name: 'show',
  summary: 'Show one snapshot: provenance, scope, and counts by status, criticality and policy.',
  usage: 'show SNAPSHOT [--json]',
  options: {},
  details: '--json includes "records", "byStatus" (verbatim status -> count), "byCriticality" and "byPolicy".',
  async run(context) {
    const id = snapshotArgument(context.positionals, 'show');
    return withStore(context, async (store) => {
      const details = getSnapshotDetails(store, id);
      if (context.json) {
        context.out(JSON.stringify(details) + '\n');
        return;
      }
      const lines = [
        `Snapshot ${details.id}: ${details.label}${details.state === 'complete' ? '' : ' (interrupted pull)'}`,
        `Created:     ${details.createdAt}`,
        `Source:      ${details.sourceKind} ${details.source}${details.apiVersion ? ` (API ${details.apiVersion})` : ''}`,
        `Scope:       policies ${details.scopePolicyIds.join(', ') || '-'}${details.hostScopeKnown ? `; ${details.scopeHostCount} hosts` : ''}`,
        `Records:     ${details.records} (${details.duplicates} duplicates, ${details.rejected} rejected)`,
        `Input:       sha256 ${details.inputSha256 ?? '-'}`,
        `Content:     sha256 ${details.contentSha256 ?? '-'}`,
      ];
      if (details.baseSnapshotId !== null) lines.push(`Base:        snapshot ${details.baseSnapshotId}`);
      if (details.note) lines.push(`Note:        ${details.note}`);
      context.out(lines.join('\n') + '\n\n');
      context.out(formatTable(['Status', 'Count'], Object.entries(details.byStatus).map(([status, count]) => [status, count])) + '\n');
      context.out(
        formatTable(
          ['Criticality', 'Label', 'Count'],
          details.byCriticality.map((row) => [row.value, row.label, row.count]),
        ) + '\n',
      );
      context.out(
        formatTable(
          // Passed* (approved exceptions) and any other status get columns too, so each
          // row's counts add up to its records.
          ['Policy', 'Title', 'Records', 'Passed', 'Passed*', 'Failed', 'Error', 'Other'],
          details.byPolicy.map((row) => {
            const counts = ['Passed', 'Passed*', 'Failed', 'Error'].map((status) => row.byStatus[status] ?? 0);
            const other = row.count - counts.reduce((sum, count) => sum + count, 0);
            return [row.policyId, row.title, row.count, ...counts, other];
          }),
        ),
      );
    });
  },
};

export const labelCommand: CommandSpec = {
  name: 'label',
  summary: "Change a snapshot's label or note.",
  usage: 'label SNAPSHOT [--label TEXT] [--note TEXT] [--json]',
  options: {
    label: { type: 'string', valueName: 'TEXT', description: 'New label' },
    note: { type: 'string', valueName: 'TEXT', description: 'New note (replaces the old one)' },
  },
  async run(context) {
    const id = snapshotArgument(context.positionals, 'label');
    if (context.values.label === undefined && context.values.note === undefined) {
      throw new AppError('USAGE', 'Nothing to change: give --label, --note or both.');
    }
    return withStore(context, async (store) => {
      const info = updateSnapshot(store, id, {
        label: context.values.label as string | undefined,
        note: context.values.note as string | undefined,
      });
      context.out(context.json ? JSON.stringify(info) + '\n' : `Snapshot ${info.id} is now "${info.label}".\n`);
    });
  },
};

export const deleteCommand: CommandSpec = {
  name: 'delete',
  summary: 'Delete a snapshot and the records no other snapshot uses. Rejected while a sign-off covers it.',
  usage: 'delete SNAPSHOT [--json]',
  options: {},
  details: `Report revisions that are not signed off do not protect their snapshots. Deleting a
snapshot that one uses leaves the revision unable to export again or to pass verify; the
output lists such revisions.

--json prints {"deleted": ID, "unsignedReports": [{"reportId", "revision", "title"}]}.`,
  async run(context) {
    const id = snapshotArgument(context.positionals, 'delete');
    return withStore(context, async (store) => {
      // Read before the delete, while the revisions still name the snapshot.
      const unsignedReports = unsignedReportsUsing(store, id);
      deleteSnapshot(store, id);
      if (context.json) {
        context.out(JSON.stringify({ deleted: id, unsignedReports }) + '\n');
        return;
      }
      context.out(`Snapshot ${id} deleted.\n`);
      for (const report of unsignedReports) {
        context.out(`Report ${report.reportId} revision ${report.revision} ("${report.title}") used it; that revision can no longer be exported or verified against this store.\n`);
      }
    });
  },
};
