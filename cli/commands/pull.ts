/** The `pull` command: posture from the Qualys PCRS API into a new snapshot, in a worker thread. */
import { resolveDbPath } from '../../db/store.js';
import { AppError } from '../../db/errors.js';
import { parseApiVersion, type PostureParams } from '../../electron/pcrs/params.js';
import { PLATFORMS } from '../../electron/pcrs/platforms.js';
import { DEFAULT_CONCURRENCY, DEFAULT_SLICE_SIZE, type PullProgress, type PullResult } from '../../electron/pcrs/pull.js';
import { runPullInWorker } from '../../electron/workers/client.js';
import type { PullJobOptions } from '../../electron/workers/protocol.js';
import { formatBytes, parseInteger, type CommandContext, type CommandSpec } from '../args.js';

const PASSWORD_PROMPT = 'Qualys password: ';

/** Reads a password from the terminal without echoing it. */
async function promptPassword(context: CommandContext): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new AppError('USAGE', 'No password: set an environment variable and pass its name with --password-env VAR (stdin is not a terminal to prompt on).');
  }
  context.err(PASSWORD_PROMPT);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let password = '';
      const onData = (text: string) => {
        for (const character of text) {
          if (character === '\r' || character === '\n' || character === '\u0004') {
            stdin.off('data', onData);
            resolve(password);
            return;
          }
          if (character === '\u0003') {
            stdin.off('data', onData);
            reject(new AppError('CANCELLED', 'Cancelled at the password prompt.'));
            return;
          }
          if (character === '\u007f' || character === '\b') password = password.slice(0, -1);
          else password += character;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    context.err('\n');
  }
}

async function readPassword(context: CommandContext): Promise<string> {
  const variable = context.values['password-env'] as string | undefined;
  if (variable === undefined) return promptPassword(context);
  const value = process.env[variable];
  if (value === undefined || value === '') {
    throw new AppError('USAGE', `The environment variable ${variable} named by --password-env is not set or empty. Export the password in it first.`);
  }
  return value;
}

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((item) => String(item).split(',')).map((item) => item.trim()).filter((item) => item !== '');
}

function text(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** Maps the filter flags to API parameters; params.ts validates them per version. */
function readParams(values: CommandContext['values']): PostureParams {
  const params: PostureParams = {};
  if (values.evidence === true) params.evidenceRequired = true;
  if (values['no-compression'] === true) params.compressionRequired = false;

  const dates = [
    ['last-evaluation-date', 'lastEvaluationDate'],
    ['last-scan-date', 'lastScanDate'],
    ['last-scan-date-from', 'lastScanDateFrom'],
    ['last-scan-date-to', 'lastScanDateTo'],
    ['status-changed-since', 'statusChangedSince'],
  ] as const;
  for (const [flag, name] of dates) {
    const value = text(values[flag]);
    if (value !== undefined) params[name] = value;
  }

  if (values['exclude-inactive-control'] === true) params.excludeInactiveControl = true;
  if (values['cloud-metadata'] === true) params.cloudMetaDataRequired = true;

  const status = list(values.status);
  if (status !== undefined) params.status = status;
  const previous = text(values['previous-status']);
  if (previous !== undefined) params.previousStatus = previous;
  const criticality = list(values['criticality-values']);
  if (criticality !== undefined) {
    params.criticalityValues = criticality.map((value) => {
      if (!/^\d+$/.test(value)) throw new AppError('USAGE', `Invalid criticalityValues (--criticality-values) "${value}": use integers from 0 to 5.`);
      return Number(value);
    });
  }
  const labels = list(values['criticality-labels']);
  if (labels !== undefined) params.criticalityLabels = labels;
  return params;
}

/** Maps --rate-limit to client pacing: absent keeps the default, 0 turns pacing off. */
function pacing(requestsPerMinute: number | undefined): PullJobOptions['rateLimit'] {
  if (requestsPerMinute === undefined) return undefined;
  if (requestsPerMinute === 0) return null;
  return { requests: requestsPerMinute, windowSec: 60 };
}

function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

const PHASE_TEXT: Record<PullProgress['phase'], string> = {
  connect: 'signing in',
  policies: 'listing policies',
  hostids: 'resolving host IDs',
  plan: 'planning slices',
  fetch: 'fetching',
  finish: 'finishing',
};

/** Formats the redrawn status line: a bar over slices, records, bytes, rate and ETA. */
export function formatProgressLine(progress: PullProgress, width = 24): string {
  const share = progress.slicesTotal > 0 ? progress.slicesDone / progress.slicesTotal : 0;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const parts = [
    progress.phase === 'fetch' ? bar : PHASE_TEXT[progress.phase],
    `${progress.slicesDone}/${progress.slicesTotal} slices`,
    `${progress.records.toLocaleString('en-US')} records`,
    formatBytes(progress.bytes),
    `${Math.round(progress.recordsPerSecond).toLocaleString('en-US')} records/s`,
  ];
  if (progress.etaSeconds !== null) parts.push(`ETA ${formatDuration(progress.etaSeconds)}`);
  if (progress.retries > 0) parts.push(`${progress.retries} retries`);
  return parts.join('  ');
}

function summaryJson(result: PullResult): string {
  return JSON.stringify({
    snapshotId: result.snapshotId,
    resumed: result.resumed,
    gateway: result.gateway,
    apiVersion: result.apiVersion,
    policies: result.policies,
    hosts: result.hosts,
    slices: result.slices,
    records: result.records,
    duplicates: result.duplicates,
    byStatus: result.byStatus,
    bytes: result.bytes,
    inputSha256: result.inputSha256,
    archived: result.archived,
    retries: result.retries,
    tokenRenewals: result.tokenRenewals,
    durationMs: result.durationMs,
  });
}

export const pullCommand: CommandSpec = {
  name: 'pull',
  summary: 'Pull posture from the Qualys PCRS API into a new snapshot; resumable after a cancel, crash or network failure.',
  usage:
    'pull (--platform P | --gateway URL) --username U [--password-env VAR] --api 1|2|3 (--policy ID... | --all-policies) ' +
    '[--evidence] [filters] [--label L] [--resume ID] [--json]',
  options: {
    platform: { type: 'string', valueName: 'P', description: `Qualys platform: ${PLATFORMS.join(', ')}` },
    gateway: { type: 'string', valueName: 'URL', description: 'Gateway URL instead of --platform (private cloud, or the simulator)' },
    username: { type: 'string', valueName: 'U', description: 'Qualys user name' },
    'password-env': {
      type: 'string',
      valueName: 'VAR',
      description: 'Environment variable that contains the password (default: prompt without echo on the terminal)',
    },
    password: { type: 'string', valueName: 'P', description: 'Rejected: a password in argv is visible to other users; use --password-env or the prompt' },
    api: { type: 'string', valueName: '1|2|3', description: 'Get Posture Info version (3 is current; 1 and 2 also return SCA assets)' },
    policy: { type: 'string', multiple: true, valueName: 'ID', description: 'Policy ID to pull (repeatable, or comma-separated)' },
    'all-policies': { type: 'boolean', description: 'Pull every policy of the subscription' },
    evidence: { type: 'boolean', description: 'Include evidence (evidenceRequired=1); records get much larger' },
    'no-compression': { type: 'boolean', description: 'Ask for uncompressed responses (compressionRequired=0); slower' },
    'last-evaluation-date': { type: 'string', valueName: 'DATE', description: 'Postures evaluated on or after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)' },
    'last-scan-date': { type: 'string', valueName: 'DATE', description: 'Postures of assets last scanned on DATE' },
    'last-scan-date-from': { type: 'string', valueName: 'DATE', description: 'Start of a scan-date range (needs --last-scan-date-to)' },
    'last-scan-date-to': { type: 'string', valueName: 'DATE', description: 'End of a scan-date range, inclusive (needs --last-scan-date-from)' },
    'status-changed-since': { type: 'string', valueName: 'DATE', description: 'Postures whose status changed since DATE' },
    'exclude-inactive-control': { type: 'boolean', description: 'Leave out inactive controls (API 2 and 3)' },
    'cloud-metadata': { type: 'boolean', description: 'Include cloud metadata (API 3)' },
    status: { type: 'string', multiple: true, valueName: 'S', description: 'Current status: Passed, Failed, Error; comma-separated or repeated (API 3)' },
    'previous-status': { type: 'string', valueName: 'S', description: 'One previous status: Passed, Failed or Error (API 3)' },
    'criticality-values': { type: 'string', valueName: 'N,…', description: 'Criticality values 0 to 5, comma-separated (API 3; not with labels)' },
    'criticality-labels': { type: 'string', valueName: 'L,…', description: 'Criticality labels such as SERIOUS,CRITICAL (API 3; not with values)' },
    label: { type: 'string', valueName: 'TEXT', description: 'Snapshot label (default: platform or host and the time)' },
    note: { type: 'string', valueName: 'TEXT', description: 'Free-text note stored with the snapshot' },
    resume: { type: 'string', valueName: 'ID', description: 'Continue the unfinished pull in snapshot ID with its stored settings' },
    'no-archive': { type: 'boolean', description: 'Do not keep the raw response bodies (their SHA-256 digests are still kept)' },
    'slice-size': { type: 'string', valueName: 'N', description: `Host IDs per postureInfo request (default ${DEFAULT_SLICE_SIZE})` },
    concurrency: { type: 'string', valueName: 'N', description: `postureInfo requests in flight (default ${DEFAULT_CONCURRENCY}, at most 10)` },
    'rate-limit': {
      type: 'string',
      valueName: 'N',
      description: 'Requests per minute and API that the client sends at most (default 25, the API limit; 0 leaves pacing to the server)',
    },
    'ca-file': { type: 'string', valueName: 'PATH', description: 'Extra CA certificates (PEM) for a TLS-inspecting proxy; HTTPS_PROXY and NO_PROXY apply' },
  },
  details: `The password never goes on the command line: put it in an environment variable and
name it with --password-env, or type it at the prompt. Tokens and passwords are never
logged or stored.

Each slice of host IDs is committed as it completes. After a cancel (Ctrl-C), a network
failure or a crash, the snapshot stays unfinished and invisible; continue it with
--resume ID (the ID is in the error message and in \`snapshots --all\`).

--json prints one line: {"snapshotId", "resumed", "gateway", "apiVersion", "policies",
"hosts", "slices", "records", "duplicates", "byStatus", "bytes", "inputSha256",
"archived", "retries", "tokenRenewals", "durationMs"}.

Exit codes: 2 usage, 3 not found, 4 authentication, 5 network or rate limit, 6 API error,
7 data error, 9 conflict, 130 cancelled.`,
  async run(context) {
    const values = context.values;
    if (values.password !== undefined) {
      throw new AppError('USAGE', '--password is not accepted because argv is visible to other users. Use --password-env VAR or the prompt.');
    }

    // 1. Everything that can be checked offline, before asking for the password.
    const resume = values.resume === undefined ? undefined : parseInteger(values.resume, '--resume');
    const api = values.api === undefined ? undefined : parseApiVersion(String(values.api));
    if (resume === undefined && api === undefined) throw new AppError('USAGE', 'Missing --api: give 1, 2 or 3 (the Get Posture Info version).');
    if (resume === undefined && values.platform === undefined && values.gateway === undefined) {
      throw new AppError('USAGE', `Missing gateway: give --platform (${PLATFORMS.join(', ')}) or --gateway URL.`);
    }
    const policyIds = list(values.policy)?.map((id) => parseInteger(id, '--policy'));
    const params = readParams(values);
    if (resume !== undefined && Object.keys(params).length > 0) {
      throw new AppError('USAGE', 'Filters cannot change on --resume: the pull continues with the parameters it started with.');
    }
    const rateLimit = values['rate-limit'] === undefined ? undefined : parseInteger(values['rate-limit'], '--rate-limit', { min: 0, max: 10_000 });
    const options: PullJobOptions = {
      dbPath: resolveDbPath(values.db as string | undefined),
      connection: {
        platform: text(values.platform),
        gateway: text(values.gateway),
        username: text(values.username) ?? '',
        password: '',
        caFile: text(values['ca-file']),
      },
      api,
      policyIds,
      allPolicies: values['all-policies'] === true,
      params,
      label: text(values.label),
      note: text(values.note),
      resume,
      sliceSize: values['slice-size'] === undefined ? undefined : parseInteger(values['slice-size'], '--slice-size', { max: 10_000 }),
      concurrency: values.concurrency === undefined ? undefined : parseInteger(values.concurrency, '--concurrency', { max: 10 }),
      archive: values['no-archive'] !== true,
      rateLimit: pacing(rateLimit),
    };
    if (resume === undefined && !options.connection.username) throw new AppError('USAGE', 'Missing --username for the Qualys account.');
    options.connection.password = await readPassword(context);

    // 2. The pull itself, in a worker. Ctrl-C makes it stop and save; a second Ctrl-C exits at once.
    const abort = new AbortController();
    const onSignal = () => {
      if (abort.signal.aborted) process.exit(130);
      if (context.interactive && !context.json) context.err('\nStopping after saving the finished slices (Ctrl-C again to quit now)…\n');
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let lastDraw = 0;
    let drew = false;
    const onProgress = (progress: PullProgress) => {
      if (!context.interactive || context.json) return;
      const now = Date.now();
      if (now - lastDraw < 200 && progress.phase === 'fetch') return;
      lastDraw = now;
      drew = true;
      context.err(`\r${formatProgressLine(progress)}\u001b[K`);
    };
    try {
      const result = await runPullInWorker(options, onProgress, abort.signal);
      if (drew) context.err('\n');
      if (context.json) {
        context.out(summaryJson(result) + '\n');
      } else {
        context.out(
          `Snapshot ${result.snapshotId} complete: ${result.records.toLocaleString('en-US')} postures from ${result.policies} policies and ` +
            `${result.hosts} hosts, ${result.slices} slices, ${formatBytes(result.bytes)} received, ${result.retries} retries, ` +
            `${(result.durationMs / 1000).toFixed(1)} s${result.resumed ? ' (resumed)' : ''}.\n`,
        );
      }
      return 0;
    } catch (error) {
      if (drew) context.err('\n');
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
