/** Commands that compare snapshots over time: diff, history and trend. */
import { postureDiffDetail } from '../../db/diff-detail.js';
import { diffRollups, ROLLUP_DIMENSIONS, type RollupDimension } from '../../db/diff-rollups.js';
import {
  defaultBaseline,
  DEFAULT_PAGE_SIZE,
  DIFF_CLASSES,
  diffCounts,
  diffRows,
  MAX_PAGE_SIZE,
  parseDiffClass,
  type DiffFilters,
  type DiffOrder,
} from '../../db/diff.js';
import { AppError } from '../../db/errors.js';
import { passRateTrend, postureHistory } from '../../db/history.js';
import { getSnapshot, latestSnapshotId } from '../../db/snapshots.js';
import type { Store } from '../../db/store.js';
import { formatTable, parseInteger, type CommandContext, type CommandSpec } from '../args.js';
import { withStore } from '../context.js';

/** Values of a repeatable flag, each of which may also be a comma-separated list. */
function listValues(value: unknown): string[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((item) => String(item).split(',')).map((item) => item.trim()).filter((item) => item.length > 0);
}

function integerValues(value: unknown, flag: string): number[] {
  return listValues(value).map((item) => parseInteger(item, flag, { min: 0 }));
}

function readFilters(context: CommandContext): DiffFilters {
  return {
    policyIds: integerValues(context.values.policy, '--policy'),
    hostIds: integerValues(context.values.host, '--host'),
    controlIds: integerValues(context.values.control, '--control'),
    criticality: listValues(context.values.criticality).map((item) => parseInteger(item, '--criticality', { min: 0, max: 5 })),
  };
}

/** Resolves `[A] B`: no snapshot means the latest one, no A means B's default baseline. */
function resolvePair(store: Store, positionals: string[]): { a: number; b: number } {
  if (positionals.length > 2) {
    throw new AppError('USAGE', `Too many snapshots: ${positionals.join(' ')}. Usage: posture-workbench diff [A] B (see --help).`);
  }
  if (positionals.length === 2) {
    return { a: parseInteger(positionals[0], 'Snapshot A'), b: parseInteger(positionals[1], 'Snapshot B') };
  }
  const b = positionals.length === 1 ? parseInteger(positionals[0], 'Snapshot B') : latestSnapshotId(store);
  if (b === null) {
    throw new AppError('NOT_FOUND', 'The database has no complete snapshot. Import a file or pull first.');
  }
  const a = defaultBaseline(store, b);
  if (a === null) {
    throw new AppError(
      'NOT_FOUND',
      `Snapshot ${b} has no earlier complete snapshot with an overlapping scope. Name the baseline: posture-workbench diff A ${b}.`,
    );
  }
  return { a, b };
}

function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

function signedPoints(delta: number | null): string {
  if (delta === null) return '-';
  const points = delta * 100;
  return `${points >= 0 ? '+' : ''}${points.toFixed(1)}`;
}

const CLASS_HELP = `Each posture gets one class; the first rule that matches wins:
  added / removed   on one side only, inside both snapshots' scopes
  outOfScope        on one side only, and its policy (or host, where the scope names
                    hosts) is outside the other snapshot's scope; never added or removed
  regressed         Passed or Passed* -> Failed or Error
  fixed             Failed or Error -> Passed
  exception         any other move into or out of Passed* (an approved exception)
  statusChanged     any other status move
  evidenceChanged   same status, different evidence (expected, current, actual,
                    extended evidence or cause of failure)
  metadataChanged   same status and evidence, other host or control attributes
                    (IP, DNS, OS, control text, criticality, technology)
Postures whose records differ only in dates are unchanged and not listed.`;

export const diffCommand: CommandSpec = {
  name: 'diff',
  summary: 'Show what changed between two snapshots: counts per class and the changed postures.',
  usage:
    'diff [A] B [--class C…] [--policy ID…] [--host ID…] [--control ID…] [--criticality N…] [--limit N] [--after CURSOR] [--order posture|criticality] [--rollup BY] [--detail POSTURE] [--json]',
  options: {
    class: { type: 'string', multiple: true, valueName: 'CLASS', description: `List only these classes (${DIFF_CLASSES.join(', ')})` },
    policy: { type: 'string', multiple: true, valueName: 'ID', description: 'Only postures of these policy IDs' },
    host: { type: 'string', multiple: true, valueName: 'ID', description: 'Only postures of these host IDs' },
    control: { type: 'string', multiple: true, valueName: 'ID', description: 'Only postures of these control IDs' },
    criticality: { type: 'string', multiple: true, valueName: 'N', description: 'Only controls of these criticality values' },
    limit: { type: 'string', valueName: 'N', description: `Rows to list, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` },
    after: { type: 'string', valueName: 'CURSOR', description: 'List the rows after this cursor (printed under a full page)' },
    order: { type: 'string', valueName: 'ORDER', description: 'Row order: posture (default) or criticality, highest first' },
    rollup: { type: 'string', valueName: 'BY', description: `Print pass rates and counts grouped by ${ROLLUP_DIMENSIONS.join(', ')} instead of rows` },
    detail: { type: 'string', valueName: 'POSTURE', description: 'Print the changed fields of one posture (the postureId of a row) instead of rows' },
  },
  details: `Without A the baseline is the latest earlier complete snapshot whose scope overlaps B's;
without B, B is the latest complete snapshot. Repeat a list flag or separate values with
commas. Filters apply to the counts too; --class limits only the rows.

${CLASS_HELP}

--json prints {"counts": {"added", "removed", "regressed", "fixed", "exception",
"statusChanged", "evidenceChanged", "metadataChanged", "outOfScope"}, "rows": [...],
"nextCursor"}; each row has postureId, policyId, hostId, controlId, instance, class,
statusA, statusB, stateIdA, stateIdB, criticalityValue, criticalityLabel, technologyName,
ip, dns, controlStatement. "nextCursor" is null on the last page; otherwise pass it to
--after, unchanged, for the next page in the same order. With --rollup or --detail (one
of them), --json prints that result instead.`,
  async run(context) {
    const filters = readFilters(context);
    const classes = listValues(context.values.class).map(parseDiffClass);
    const limit = context.values.limit === undefined ? DEFAULT_PAGE_SIZE : parseInteger(context.values.limit, '--limit', { max: MAX_PAGE_SIZE });
    const order = (context.values.order ?? 'posture') as string;
    if (order !== 'posture' && order !== 'criticality') {
      throw new AppError('USAGE', `--order must be posture or criticality, got "${order}".`);
    }
    const rollup = context.values.rollup as string | undefined;
    if (rollup !== undefined && !(ROLLUP_DIMENSIONS as readonly string[]).includes(rollup)) {
      throw new AppError('USAGE', `--rollup must be one of ${ROLLUP_DIMENSIONS.join(', ')}, got "${rollup}".`);
    }
    const detail = context.values.detail === undefined ? null : parseInteger(context.values.detail, '--detail');
    if (detail !== null && rollup !== undefined) throw new AppError('USAGE', 'Give either --rollup or --detail, not both: each prints its own result.');

    return withStore(context, async (store) => {
      const { a, b } = resolvePair(store, context.positionals);
      if (detail !== null) return printDetail(context, store, a, b, detail);
      if (rollup !== undefined) return printRollup(context, store, a, b, rollup as RollupDimension, filters);

      const counts = diffCounts(store, a, b, filters);
      const page = diffRows(store, { a, b, ...filters, classes, order: order as DiffOrder, after: context.values.after as string | undefined, limit });
      if (context.json) {
        context.out(JSON.stringify({ counts, rows: page.rows, nextCursor: page.nextCursor }) + '\n');
        return;
      }
      const infoA = getSnapshot(store, a);
      const infoB = getSnapshot(store, b);
      context.out(`Snapshot ${a} (${infoA.label}, ${infoA.createdAt}) -> ${b} (${infoB.label}, ${infoB.createdAt})\n\n`);
      context.out(formatTable(['Class', 'Postures'], DIFF_CLASSES.map((name) => [name, counts[name]])) + '\n');
      if (page.rows.length === 0) {
        context.out('No changed postures match.\n');
        return;
      }
      context.out(
        formatTable(
          ['Posture', 'Class', 'Policy', 'Host', 'IP', 'Control', 'Instance', 'A', 'B', 'Criticality'],
          page.rows.map((row) => [
            row.postureId,
            row.class,
            row.policyId,
            row.hostId,
            row.ip,
            row.controlId,
            row.instance,
            row.statusA ?? '-',
            row.statusB ?? '-',
            row.criticalityLabel ?? row.criticalityValue,
          ]),
        ),
      );
      if (page.nextCursor) context.out(`\nMore rows follow: add --after ${page.nextCursor}\n`);
    });
  },
};

function printDetail(context: CommandContext, store: Store, a: number, b: number, postureId: number): void {
  const detail = postureDiffDetail(store, a, b, postureId);
  if (context.json) {
    context.out(JSON.stringify(detail) + '\n');
    return;
  }
  context.out(
    `Posture ${postureId}: policy ${detail.policyId}, host ${detail.hostId}, control ${detail.controlId}, instance "${detail.instance}"\n` +
      `Snapshot ${a} -> ${b}: ${detail.statusA ?? '-'} -> ${detail.statusB ?? '-'} (${detail.class})\n`,
  );
  for (const change of detail.changes) {
    context.out(`\n${change.field} (${change.group})\n`);
    if (change.lines) {
      for (const line of change.lines) context.out(`${line.op === 'equal' ? ' ' : line.op === 'removed' ? '-' : '+'} ${line.text}\n`);
    } else {
      context.out(`- ${change.a ?? '(none)'}\n+ ${change.b ?? '(none)'}\n`);
    }
  }
}

function printRollup(context: CommandContext, store: Store, a: number, b: number, by: RollupDimension, filters: DiffFilters): void {
  const rollup = diffRollups(store, a, b, by, filters);
  if (context.json) {
    context.out(JSON.stringify(rollup) + '\n');
    return;
  }
  context.out(
    formatTable(
      [by, 'Label', 'Pass A', 'Pass B', 'Delta', 'Regressed', 'Fixed', 'Added', 'Removed', 'Other changes'],
      rollup.groups.map((group) => [
        group.key ?? '(none)',
        group.label === null ? '' : group.label.slice(0, 48),
        percent(group.a.passRate),
        percent(group.b.passRate),
        signedPoints(group.passRateDelta),
        group.counts.regressed,
        group.counts.fixed,
        group.counts.added,
        group.counts.removed,
        group.counts.exception + group.counts.statusChanged + group.counts.evidenceChanged + group.counts.metadataChanged,
      ]),
    ),
  );
  if (rollup.appeared.length > 0) context.out(`\nAppeared in ${b}: ${rollup.appeared.join(', ')}\n`);
  if (rollup.disappeared.length > 0) context.out(`\nDisappeared since ${a}: ${rollup.disappeared.join(', ')}\n`);
}

export const historyCommand: CommandSpec = {
  name: 'history',
  summary: "Show one posture's status and evidence in every snapshot, and when it changed.",
  usage: 'history --host H --control C [--policy P] [--instance I] [--json]',
  options: {
    host: { type: 'string', valueName: 'ID', description: 'Host ID (required)' },
    control: { type: 'string', valueName: 'ID', description: 'Control ID (required)' },
    policy: { type: 'string', valueName: 'ID', description: 'Policy ID, when the control is in several policies' },
    instance: { type: 'string', valueName: 'TEXT', description: 'Instance, e.g. "os", when the control has several' },
  },
  details: `Every posture that matches is listed, one per policy and instance. A snapshot that
covers the posture's policy but lacks the posture shows it as absent.

--json prints {"postures": [{"postureId", "policyId", "hostId", "controlId", "instance",
"entries": [{"snapshotId", "label", "createdAt", "present", "stateId", "status",
"lastEvaluatedDate", "postureModifiedDate", "evidenceSha256", "evidence", "change"}],
"changes": [{"snapshotId", "createdAt", "postureModifiedDate", "class", "statusFrom",
"statusTo"}]}]}; "change" and "class" use the classes of \`diff --help\`.`,
  async run(context) {
    if (context.values.host === undefined || context.values.control === undefined) {
      throw new AppError('USAGE', 'history needs --host and --control. Usage: posture-workbench history --host H --control C (see --help).');
    }
    const identity = {
      hostId: parseInteger(context.values.host, '--host', { min: 0 }),
      controlId: parseInteger(context.values.control, '--control', { min: 0 }),
      policyId: context.values.policy === undefined ? undefined : parseInteger(context.values.policy, '--policy', { min: 0 }),
      instance: context.values.instance as string | undefined,
    };
    return withStore(context, async (store) => {
      const histories = postureHistory(store, identity);
      if (context.json) {
        context.out(JSON.stringify({ postures: histories }) + '\n');
        return;
      }
      for (const history of histories) {
        context.out(`Policy ${history.policyId}, host ${history.hostId}, control ${history.controlId}, instance "${history.instance}"\n`);
        context.out(
          formatTable(
            ['Snapshot', 'Created', 'Status', 'Evaluated', 'Evidence', 'Change'],
            history.entries.map((entry) => [
              entry.snapshotId,
              entry.createdAt.replace('T', ' ').slice(0, 19),
              entry.present ? entry.status : '(absent)',
              entry.lastEvaluatedDate,
              entry.evidenceSha256?.slice(0, 12) ?? '',
              entry.change ?? '',
            ]),
          ) + '\n',
        );
      }
    });
  },
};

export const trendCommand: CommandSpec = {
  name: 'trend',
  summary: 'Show the pass rate in every snapshot, for the whole store, a policy or a host.',
  usage: 'trend [--policy P] [--host H] [--json]',
  options: {
    policy: { type: 'string', valueName: 'ID', description: 'Only postures of this policy ID' },
    host: { type: 'string', valueName: 'ID', description: 'Only postures of this host ID' },
  },
  details: `The pass rate is (Passed + Passed*) / all postures: an approved exception counts as
compliant. Snapshots without matching postures are left out. The first trend over a new
snapshot counts its postures once and stores the counts.

--json prints {"points": [{"snapshotId", "label", "createdAt", "total", "passed",
"failed", "error", "exception", "other", "passRate"}]}, oldest first.`,
  async run(context) {
    const filter = {
      policyId: context.values.policy === undefined ? undefined : parseInteger(context.values.policy, '--policy', { min: 0 }),
      hostId: context.values.host === undefined ? undefined : parseInteger(context.values.host, '--host', { min: 0 }),
    };
    return withStore(context, async (store) => {
      const points = passRateTrend(store, filter);
      if (context.json) {
        context.out(JSON.stringify({ points }) + '\n');
        return;
      }
      if (points.length === 0) {
        context.out('No complete snapshot has matching postures.\n');
        return;
      }
      context.out(
        formatTable(
          ['Snapshot', 'Created', 'Label', 'Postures', 'Passed', 'Passed*', 'Failed', 'Error', 'Other', 'Pass rate'],
          points.map((point) => [
            point.snapshotId,
            point.createdAt.replace('T', ' ').slice(0, 19),
            point.label,
            point.total,
            point.passed,
            point.exception,
            point.failed,
            point.error,
            point.other,
            percent(point.passRate),
          ]),
        ),
      );
    });
  },
};
