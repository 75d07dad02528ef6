/**
 * Long-running work (pulls, imports, report exports) as jobs: each has an id, progress
 * the page can watch, and a cancel that aborts the work through an AbortSignal. Progress
 * events are throttled so a fast import does not flood the IPC channel.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, toErrorInfo } from '../db/errors.js';
import type { JobInfo, JobKind, JobProgress, WorkbenchEvent } from './contract.js';
import { desktopError } from './ui-errors.js';

export interface JobContext {
  signal: AbortSignal;
  report(progress: Partial<JobProgress>): void;
}

export interface JobOutcome {
  snapshotId?: number | null;
  outputPath?: string | null;
  summary: string;
  /** Final figures that replace the last progress report (an average rate, say). */
  progress?: Partial<JobProgress>;
}

const PROGRESS_INTERVAL_MS = 150;
const FINISHED_JOBS_KEPT = 50;

interface RunningJob {
  info: JobInfo;
  controller: AbortController;
  done: Promise<JobInfo>;
  lastEmit: number;
  trailing: NodeJS.Timeout | null;
}

export class JobManager {
  private readonly jobs = new Map<string, RunningJob>();

  constructor(
    private readonly emit: (event: WorkbenchEvent) => void,
    private readonly logger: Logger,
  ) {}

  start(kind: JobKind, title: string, work: (context: JobContext) => Promise<JobOutcome>): JobInfo {
    const info: JobInfo = {
      id: randomUUID(),
      kind,
      title,
      state: 'running',
      startedAt: new Date().toISOString(),
      progress: { phase: 'start', records: 0, bytes: 0, totalBytes: null, totalRecords: null, recordsPerSecond: 0, etaSeconds: null, fraction: null, detail: null },
      snapshotId: null,
      outputPath: null,
      summary: null,
      error: null,
    };
    const controller = new AbortController();
    const job: RunningJob = { info, controller, done: Promise.resolve(info), lastEmit: 0, trailing: null };
    this.jobs.set(info.id, job);
    this.logger.info({ jobId: info.id, kind, title }, 'job started');

    const context: JobContext = {
      signal: controller.signal,
      report: (progress) => {
        if (job.info.state !== 'running') return;
        const phaseChanged = progress.phase !== undefined && progress.phase !== job.info.progress.phase;
        job.info = { ...job.info, progress: { ...job.info.progress, ...progress } };
        const wait = PROGRESS_INTERVAL_MS - (Date.now() - job.lastEmit);
        if (phaseChanged || wait <= 0) this.emitProgress(job);
        // A held update goes out when the interval ends, so the last progress is never lost.
        else job.trailing ??= setTimeout(() => this.emitProgress(job), wait);
      },
    };

    job.done = this.run(job, work, context);
    this.emit({ type: 'job', job: info });
    return info;
  }

  private emitProgress(job: RunningJob): void {
    if (job.trailing) clearTimeout(job.trailing);
    job.trailing = null;
    if (job.info.state !== 'running') return;
    job.lastEmit = Date.now();
    this.emit({ type: 'job', job: job.info });
  }

  private async run(job: RunningJob, work: (context: JobContext) => Promise<JobOutcome>, context: JobContext): Promise<JobInfo> {
    // Let `start` return (and the page see the running job) before the work begins.
    await Promise.resolve();
    try {
      const outcome = await work(context);
      job.info = {
        ...job.info,
        state: 'done',
        snapshotId: outcome.snapshotId ?? null,
        outputPath: outcome.outputPath ?? null,
        summary: outcome.summary,
        progress: { ...job.info.progress, ...outcome.progress, etaSeconds: 0, fraction: 1 },
      };
      this.logger.info({ jobId: job.info.id, kind: job.info.kind, snapshotId: job.info.snapshotId }, 'job finished');
    } catch (error) {
      const info = toErrorInfo(error);
      const cancelled = info.code === 'CANCELLED' || job.controller.signal.aborted;
      job.info = {
        ...job.info,
        state: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? { code: 'CANCELLED', message: info.code === 'CANCELLED' ? info.message : 'Cancelled by the user.' } : desktopError(info),
      };
      if (cancelled) this.logger.info({ jobId: job.info.id, kind: job.info.kind }, 'job cancelled');
      else this.logger.error({ jobId: job.info.id, kind: job.info.kind, err: error }, 'job failed');
    }
    if (job.trailing) clearTimeout(job.trailing);
    job.trailing = null;
    this.emit({ type: 'job', job: job.info });
    if (job.info.snapshotId !== null || job.info.kind !== 'report') this.emit({ type: 'snapshots-changed' });
    this.forgetOldJobs();
    return job.info;
  }

  cancel(id: string): JobInfo {
    const job = this.jobs.get(id);
    if (!job) throw new AppError('NOT_FOUND', `Job ${id} does not exist; it may have finished long ago.`);
    if (job.info.state === 'running') {
      this.logger.info({ jobId: id }, 'job cancel requested');
      job.controller.abort(new AppError('CANCELLED', 'Cancelled by the user.'));
    }
    return job.info;
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((job) => job.info);
  }

  /** Resolves when the job ends, with its final state. */
  wait(id: string): Promise<JobInfo> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(new AppError('NOT_FOUND', `Job ${id} does not exist.`));
    return job.done;
  }

  hasRunning(kind?: JobKind): boolean {
    return [...this.jobs.values()].some((job) => job.info.state === 'running' && (kind === undefined || job.info.kind === kind));
  }

  /** Cancels every running job and waits for them to stop (on quit). */
  async cancelAll(): Promise<void> {
    const running = [...this.jobs.values()].filter((job) => job.info.state === 'running');
    for (const job of running) job.controller.abort(new AppError('CANCELLED', 'The application is closing.'));
    await Promise.allSettled(running.map((job) => job.done));
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter((job) => job.info.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - FINISHED_JOBS_KEPT))) this.jobs.delete(job.info.id);
  }
}
