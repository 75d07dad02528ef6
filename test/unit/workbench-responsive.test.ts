/**
 * The main process must keep its event loop turning while an import or a heavy search
 * runs: IPC replies, job progress and window events all wait on it. Each test samples a
 * 5 ms interval timer and checks the largest gap between two ticks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppServices, type AppServices } from '../../electron/app-services.js';
import { createHandlers, type Handlers } from '../../electron/handlers.js';
import { silentLogger } from '../../electron/log.js';
import { generateFile } from '../simulator/index.js';

// About 37,000 postures per file: importing one on the main thread blocks the event loop
// for over half a second at a time, and counting its facets cold takes a few hundred ms.
const DATA = { seed: 5, hosts: 1200, policies: 2, controlsPerPolicy: 40 };
// The largest gap tolerated between timer ticks. On a 2-core machine with a load average
// of 16, a ready timer waited up to about 420 ms with nothing in this process blocking
// it. An import on this thread blocks it for 700 to 1,000 ms at a time.
const MAX_GAP_MS = 500;
// Ticks per millisecond that prove the loop kept turning: one per 50 ms on average, where
// the timer requests one per 5 ms. Work on this thread would leave it almost none.
const MIN_TICK_RATE = 1 / 50;

let folder: string;
let services: AppServices;
let handlers: Handlers;

/** Starts sampling the event loop; the returned function stops and reports. */
function watchEventLoop(): () => { maxGapMs: number; ticks: number } {
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 5);
  return () => {
    clearInterval(timer);
    return { maxGapMs: Math.max(maxGapMs, performance.now() - last), ticks };
  };
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'pw-responsive-'));
  for (const day of [0, 1]) await generateFile({ ...DATA, day }, join(folder, `day${day}.json.gz`), { version: 3, gzip: true, evidence: false });
  services = await createAppServices({
    dataDir: folder,
    dbPath: join(folder, 'store.db'),
    logDir: join(folder, 'logs'),
    version: '0.0.0-test',
    logger: silentLogger,
    secretBox: { isAvailable: () => false, encrypt: () => '', decrypt: () => '' },
    dialogs: { openFiles: async () => [], openFile: async () => null, saveFile: async () => null },
    openPath: async () => {},
    emit: () => {},
    demo: false,
  });
  handlers = createHandlers(services);
}, 60_000);

afterAll(async () => {
  await services?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('main process responsiveness', () => {
  test('import job leaves event loop free', async () => {
    for (const day of [0, 1]) {
      const stop = watchEventLoop();
      const startedAt = performance.now();
      const started = await handlers.importFiles({ paths: [join(folder, `day${day}.json.gz`)], label: `Day ${day}` });
      expect(started.ok).toBe(true);
      if (!started.ok) return;
      const finished = await services.jobs.wait(started.value.id);
      const elapsedMs = performance.now() - startedAt;
      const loop = stop();
      expect(finished.state).toBe('done');
      expect(finished.progress.records).toBeGreaterThan(30_000);
      expect(loop.maxGapMs).toBeLessThan(MAX_GAP_MS);
      expect(loop.ticks).toBeGreaterThan(elapsedMs * MIN_TICK_RATE);
    }
  }, 90_000);

  test('facet counts leave event loop free', async () => {
    // The column cache of a reader keeps one snapshot's scope, so alternating between
    // the two snapshots makes every count scan its scope again: a heavy query each time.
    const stop = watchEventLoop();
    const started = performance.now();
    const totals: number[] = [];
    for (const snapshotId of [1, 2, 1, 2, 1, 2]) {
      const result = await handlers.search({ snapshotId, query: '', withFacets: true, limit: 1 });
      expect(result.ok).toBe(true);
      if (result.ok) totals.push(result.value.total ?? 0);
    }
    const elapsedMs = performance.now() - started;
    const loop = stop();

    expect(totals.every((total) => total > 30_000)).toBe(true);
    expect(loop.maxGapMs).toBeLessThan(MAX_GAP_MS);
    expect(loop.ticks).toBeGreaterThan(elapsedMs * MIN_TICK_RATE);
  }, 60_000);

  test('newer search supersedes older ones', async () => {
    const request = { snapshotId: 1, query: 'password', limit: 1 };
    const running = services.searchReader.pageWithFacets(request);
    const waiting = services.searchReader.pageWithFacets({ ...request, snapshotId: 2 });
    const latest = services.searchReader.pageWithFacets({ ...request, query: 'status:failed' });

    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    const result = await latest;
    expect(result.total).toBeGreaterThan(0);
    expect(result.snapshotIds).toEqual([1]);
  });
});
