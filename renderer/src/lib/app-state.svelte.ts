/**
 * State shared by every screen: app info, the snapshot list, running jobs, the current
 * screen and short notices. Kept in sync with main through its events.
 */
import type { AppInfo, JobInfo, ScreenName, SnapshotInfo, WorkbenchEvent } from '../../../electron/contract';
import { describeError, workbench } from './api';

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

export const SCREENS: { name: ScreenName; label: string }[] = [
  { name: 'connections', label: 'Connections' },
  { name: 'pull', label: 'Pull' },
  { name: 'snapshots', label: 'Snapshots' },
  { name: 'search', label: 'Search' },
  { name: 'diff', label: 'Diff' },
  { name: 'trends', label: 'Trends' },
  { name: 'reports', label: 'Reports' },
];

function screenFromHash(): ScreenName | null {
  const name = window.location.hash.replace(/^#\/?/, '').split('?')[0];
  return SCREENS.some((screen) => screen.name === name) ? (name as ScreenName) : null;
}

class AppState {
  info = $state<AppInfo | null>(null);
  snapshots = $state<SnapshotInfo[]>([]);
  snapshotsLoaded = $state(false);
  jobs = $state<Record<string, JobInfo>>({});
  screen = $state<ScreenName>(screenFromHash() ?? 'snapshots');
  notices = $state<Notice[]>([]);
  /** Snapshot chosen on one screen and offered as the default on the next. */
  focusSnapshotId = $state<number | null>(null);
  private nextNoticeId = 1;

  async start(): Promise<void> {
    const api = workbench();
    api.onEvent((event) => this.handleEvent(event));
    window.addEventListener('hashchange', () => {
      const screen = screenFromHash();
      if (screen) this.screen = screen;
    });
    const info = await api.appInfo();
    if (info.ok) this.info = info.value;
    else this.notify('error', describeError(info.error));
    const jobs = await api.listJobs();
    if (jobs.ok) for (const job of jobs.value) this.jobs[job.id] = job;
    await this.refreshSnapshots();
  }

  go(screen: ScreenName): void {
    this.screen = screen;
    if (window.location.hash !== `#${screen}`) window.location.hash = screen;
  }

  async refreshSnapshots(): Promise<void> {
    const result = await workbench().listSnapshots({ includeBuilding: true });
    if (result.ok) this.snapshots = result.value;
    else this.notify('error', describeError(result.error));
    this.snapshotsLoaded = true;
  }

  get completeSnapshots(): SnapshotInfo[] {
    return this.snapshots.filter((snapshot) => snapshot.state === 'complete');
  }

  trackJob(job: JobInfo): void {
    this.jobs[job.id] = job;
  }

  notify(kind: Notice['kind'], text: string): void {
    const id = this.nextNoticeId++;
    this.notices = [...this.notices, { id, kind, text }];
    if (kind === 'info') setTimeout(() => this.dismiss(id), 6000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((notice) => notice.id !== id);
  }

  private handleEvent(event: WorkbenchEvent): void {
    if (event.type === 'job') {
      const previous = this.jobs[event.job.id];
      this.jobs[event.job.id] = event.job;
      if (previous?.state === 'running' && event.job.state === 'done' && event.job.summary) this.notify('info', event.job.summary);
      if (previous?.state === 'running' && event.job.state === 'failed' && event.job.error) this.notify('error', describeError(event.job.error));
    } else if (event.type === 'snapshots-changed') {
      void this.refreshSnapshots();
    } else if (event.type === 'navigate') {
      this.go(event.screen);
    }
  }
}

export const appState = new AppState();
