/**
 * Connections, pulls and imports as the workbench runs them: connection tests and the
 * policy list through the PCRS client, and pulls and imports as jobs in worker threads,
 * so the main process stays responsive while records stream in.
 */
import { basename } from 'node:path';
import { AppError } from '../db/errors.js';
import type { AppServices } from './app-services.js';
import { DEMO_CONNECTION_ID, type ResolvedConnection } from './connections.js';
import type { ConnectionTestResult, JobInfo, ParsedInput, PolicySummary, PullParams, PullValidation } from './contract.js';
import { PcrsClient } from './pcrs/client.js';
import { PARAM_FLAGS, validatePostureParams, type ParamName } from './pcrs/params.js';
import { resolveGateway } from './pcrs/platforms.js';
import type { PullConnection, PullProgress } from './pcrs/pull.js';
import { runImportInWorker, runPullInWorker, type WorkerJobHooks } from './workers/client.js';

function clientFor(connection: ResolvedConnection, signal?: AbortSignal): PcrsClient {
  return new PcrsClient({
    gateway: new URL(connection.baseUrl),
    username: connection.username,
    password: connection.password,
    caFile: connection.caFile ?? undefined,
    proxy: connection.proxyUrl ? { httpProxy: connection.proxyUrl, httpsProxy: connection.proxyUrl } : undefined,
    // A test or a policy list is interactive: fail within a minute instead of retrying for long.
    timeouts: { connectMs: 15_000, headersMs: 60_000, bodyIdleMs: 60_000 },
    signal,
  });
}

function pullConnection(connection: ResolvedConnection): PullConnection {
  const named = connection.platform !== 'custom';
  return {
    ...(named ? { platform: connection.platform } : { gateway: resolveGateway({ gateway: connection.baseUrl }).href }),
    username: connection.username,
    password: connection.password,
    caFile: connection.caFile ?? undefined,
    proxy: connection.proxyUrl ? { httpProxy: connection.proxyUrl, httpsProxy: connection.proxyUrl } : undefined,
  };
}

/** Signs in and lists the policies: the cheapest call that proves URL, proxy, CA and credentials. */
export async function testConnection(services: AppServices, input: ParsedInput<'testConnection'>): Promise<ConnectionTestResult> {
  const connection = 'draft' in input ? services.connections.resolveDraft(input.draft) : services.connections.resolve(input.connectionId, input.password);
  const started = performance.now();
  const client = clientFor(connection, AbortSignal.timeout(90_000));
  try {
    const list = await client.listPolicies();
    services.logger.info({ connectionId: connection.id, policies: list.policies.length }, 'connection test passed');
    return { baseUrl: connection.baseUrl, policyCount: list.policies.length, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    await client.close();
  }
}

export async function listPolicies(services: AppServices, input: ParsedInput<'listPolicies'>): Promise<PolicySummary[]> {
  const connection = services.connections.resolve(input.connectionId, input.password);
  const client = clientFor(connection, AbortSignal.timeout(120_000));
  try {
    const list = await client.listPolicies();
    return list.policies.map((policy) => ({ id: policy.id, title: policy.title, status: policy.status, lastEvaluatedDate: policy.lastEvaluatedDate }));
  } finally {
    await client.close();
  }
}

/** Rewrites the client's messages, which name command-line flags, in the form's terms. */
function formWording(message: string): string {
  return message
    .replace(/ \(--[a-z-]+\)/g, '')
    .replace(/use --api ([0-9 or]+)/g, 'choose API version $1')
    .replace(/, or drop --[a-z-]+/g, ', or clear the field')
    .replace(/--last-scan-date-from\/--last-scan-date-to/g, 'lastScanDateFrom/lastScanDateTo');
}

/** Checks parameters with the client's own rules, so the form shows the same verdict a pull would. */
export function validatePull(input: ParsedInput<'validatePull'>): PullValidation {
  try {
    return { valid: true, params: validatePostureParams(input.api, input.params) as PullParams };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const field = (Object.keys(PARAM_FLAGS) as ParamName[]).find((name) => error.message.startsWith(`${name} `) || error.message.includes(` ${name} (`)) ?? null;
    return { valid: false, field, message: formWording(error.message) };
  }
}

function describeProgress(progress: PullProgress): string {
  const parts: string[] = [];
  if (progress.slicesTotal > 0) parts.push(`slice ${progress.slicesDone} of ${progress.slicesTotal}`);
  if (progress.retries > 0) parts.push(`${progress.retries} retr${progress.retries === 1 ? 'y' : 'ies'}`);
  if (progress.lastRetry) parts.push(`last: ${progress.lastRetry}`);
  return parts.join(', ');
}

function workerHooks(services: AppServices, jobTitle: string): WorkerJobHooks {
  const logger = services.logger.child({ job: jobTitle });
  return {
    onLog: (message) => logger[message.level]({ ...message.fields }, message.message),
  };
}

type PullRequest = { kind: 'new'; input: ParsedInput<'startPull'> } | { kind: 'resume'; input: ParsedInput<'resumePull'> };

function runPullJob(services: AppServices, title: string, request: PullRequest): JobInfo {
  if (services.jobs.hasRunning('pull')) {
    throw new AppError('CONFLICT', 'A pull is already running. Wait for it to finish or cancel it first.');
  }
  const connection = services.connections.resolve(request.input.connectionId, request.input.password);
  const common = { dbPath: services.store.path, connection: pullConnection(connection) };
  const options =
    request.kind === 'new'
      ? {
          ...common,
          api: request.input.api,
          policyIds: request.input.allPolicies ? undefined : request.input.policyIds,
          allPolicies: request.input.allPolicies,
          params: validatePostureParams(request.input.api, request.input.params),
          label: request.input.label?.trim() || undefined,
          note: request.input.note,
        }
      : { ...common, resume: request.input.snapshotId };

  return services.jobs.start('pull', title, async ({ signal, report }) => {
    // The core measures the rate only while fetching and reports 0 in the other phases, so
    // the job keeps the last rate measured and ends with it.
    let fetchRate = 0;
    const result = await runPullInWorker(
      options,
      (progress) => {
        if (progress.phase === 'fetch') fetchRate = progress.recordsPerSecond;
        report({
          phase: progress.phase,
          records: progress.records,
          bytes: progress.bytes,
          recordsPerSecond: fetchRate,
          etaSeconds: progress.etaSeconds,
          fraction: progress.slicesTotal > 0 ? progress.slicesDone / progress.slicesTotal : null,
          detail: describeProgress(progress) || null,
        });
      },
      signal,
      workerHooks(services, title),
    );
    // A pull too short for a progress report in its fetch phase gets its average rate.
    const averageRate = result.durationMs > 0 ? result.records / (result.durationMs / 1000) : 0;

    // Each demo pull moves the simulator's clock one day on, so two pulls differ as real ones would.
    if (connection.id === DEMO_CONNECTION_ID && services.simulator) services.simulator.setDay(services.simulator.day + 1);

    const resumed = result.resumed ? ' (resumed)' : '';
    return {
      snapshotId: result.snapshotId,
      summary: `Pulled ${result.records.toLocaleString('en-US')} postures from ${result.policies} policies and ${result.hosts} hosts into snapshot ${result.snapshotId}${resumed}.`,
      progress: { records: result.records, bytes: result.bytes, recordsPerSecond: fetchRate > 0 ? fetchRate : averageRate },
    };
  });
}

export function startPull(services: AppServices, input: ParsedInput<'startPull'>): JobInfo {
  const connection = services.connections.list().find((entry) => entry.id === input.connectionId);
  return runPullJob(services, `Pull from ${connection?.name ?? 'connection'}`, { kind: 'new', input });
}

export function resumePull(services: AppServices, input: ParsedInput<'resumePull'>): JobInfo {
  return runPullJob(services, `Resume pull into snapshot ${input.snapshotId}`, { kind: 'resume', input });
}

export function startImportJob(services: AppServices, input: ParsedInput<'importFiles'>): JobInfo {
  const title = `Import ${input.paths.map((path) => basename(path)).join(', ')}`;
  return services.jobs.start('import', title, async ({ signal, report }) => {
    const result = await runImportInWorker(
      { dbPath: services.store.path, files: input.paths, label: input.label, note: input.note, lenient: input.lenient },
      (progress) => {
        const bytesPerSecond = progress.records > 0 ? (progress.bytes / progress.records) * progress.recordsPerSecond : 0;
        report({
          phase: progress.phase,
          records: progress.records,
          bytes: progress.bytes,
          totalBytes: progress.totalBytes,
          recordsPerSecond: progress.recordsPerSecond,
          fraction: progress.totalBytes > 0 ? progress.bytes / progress.totalBytes : null,
          etaSeconds: bytesPerSecond > 0 ? (progress.totalBytes - progress.bytes) / bytesPerSecond : null,
          detail: progress.rejected > 0 ? `${progress.rejected} malformed records skipped` : null,
        });
      },
      signal,
      workerHooks(services, title),
    );
    const rejected = result.rejected > 0 ? `, ${result.rejected} rejected (see ${result.rejectsFile})` : '';
    const duplicates = result.duplicates > 0 ? `, ${result.duplicates} duplicates dropped` : '';
    return { snapshotId: result.snapshotId, summary: `Imported ${result.records.toLocaleString('en-US')} postures into snapshot ${result.snapshotId}${duplicates}${rejected}.` };
  });
}
