import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { expectedCount } from '../simulator/index.js';
import { buildRenderer, launchChromium, openWorkbench, pageProblems, serveRenderer, type Workbench } from './harness.js';

// Small enough for a quick pull, and with the rate limit off so pacing does not slow tests.
const SIMULATOR = { seed: 11, hosts: 24, policies: 2, controlsPerPolicy: 15, faults: { rateLimit: { mode: 'off' as const } } };

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let workbench: Workbench | null = null;

beforeAll(async () => {
  server = await serveRenderer(await buildRenderer());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

afterEach(async (context) => {
  await workbench?.close(context.task.result?.state === 'fail', context.task.name);
  workbench = null;
});

describe('connections and pull', () => {
  test('demo connection test and saved connection', async () => {
    workbench = await openWorkbench({ rendererUrl: server.url, browser, simulator: SIMULATOR });
    const { page } = workbench;

    await page.getByTestId('nav-connections').click();
    const demo = page.locator('[data-testid="connection-card"][data-connection-id="demo"]');
    await demo.getByTestId('connection-test').click();
    await page.getByTestId('connection-test-result').waitFor();
    expect(await page.getByTestId('connection-test-result').textContent()).toContain('2 policies visible');

    // A custom gateway over plain http to a non-loopback host is rejected inline.
    await page.getByTestId('connection-new').click();
    await page.getByTestId('connection-name').fill('Private cloud');
    await page.getByTestId('connection-platform').selectOption('custom');
    await page.getByTestId('connection-gateway').fill('http://qualys.example.com');
    await page.getByTestId('connection-username').fill('auditor');
    await page.getByTestId('connection-password').fill('s3cret-pass');
    await page.getByTestId('connection-save').click();
    await page.getByTestId('connection-form-error').waitFor();
    expect(await page.getByTestId('connection-form-error').textContent()).toContain('plain http');

    // The simulator's own address is loopback, so it is accepted; the password is stored encrypted.
    await page.getByTestId('connection-gateway').fill(workbench.services.simulator!.url);
    await page.getByTestId('connection-username').fill('demo');
    await page.getByTestId('connection-password').fill('demo');
    await page.getByTestId('connection-form-test').click();
    await expect.poll(() => page.getByTestId('connection-test-result').textContent()).toContain('policies visible');
    await page.getByTestId('connection-save').click();
    await expect.poll(() => page.getByTestId('connection-card').count()).toBe(2);
    const saved = readFileSync(join(workbench.dataDir, 'connections.json'), 'utf8');
    expect(saved).toContain('"encryptedPassword": "test:');
    expect(saved).not.toContain('"demo"\n');
    await workbench.screenshot('connections');
    expect(pageProblems(workbench.console)).toEqual([]);
  });

  test('pull with validation and progress', async () => {
    workbench = await openWorkbench({ rendererUrl: server.url, browser, simulator: SIMULATOR });
    const { page } = workbench;
    const expected = expectedCount(workbench.services.simulator!.data, { version: 3, params: { evidenceRequired: '1' } });

    await page.getByTestId('nav-pull').click();
    await expect.poll(() => page.getByTestId('pull-policy').count()).toBe(2);
    await page.getByTestId('pull-all-policies').check();

    await page.getByTestId('pull-lastScanDateFrom').fill('2025-06-01');
    await page.getByTestId('pull-validation').waitFor();
    expect(await page.getByTestId('pull-validation').textContent()).toContain('lastScanDateTo');
    expect(await page.getByTestId('pull-start').isDisabled()).toBe(true);
    await page.getByTestId('pull-lastScanDateFrom').fill('');
    await page.getByTestId('pull-validation').waitFor({ state: 'detached' });

    await page.getByTestId('pull-label').fill('Demo pull');
    await page.getByTestId('pull-start').click();
    const job = page.locator('[data-testid="job"][data-job-kind="pull"]');
    await job.locator('[data-testid="job-summary"]').waitFor({ timeout: 60_000 });
    expect(await job.getAttribute('data-job-state')).toBe('done');
    expect(await job.getByTestId('job-records').textContent()).toContain(`${expected.toLocaleString('en-US')} records`);
    // The rate measured while fetching stays once the pull has finished.
    expect(await job.getByTestId('job-rate').textContent()).not.toBe('0 records/s');
    expect(await job.getByTestId('job-progress').evaluate((element) => (element as HTMLProgressElement).value)).toBe(1);
    await workbench.screenshot('pull');

    await page.getByTestId('nav-snapshots').click();
    await expect.poll(() => page.getByTestId('snapshot-label').first().textContent()).toBe('Demo pull');
    expect(await page.getByTestId('snapshot-records').first().textContent()).toBe(expected.toLocaleString('en-US'));
    expect(pageProblems(workbench.console)).toEqual([]);
  });

  test('cancel then resume a pull', async () => {
    workbench = await openWorkbench({ rendererUrl: server.url, browser, simulator: SIMULATOR });
    const { page, services } = workbench;
    const simulator = services.simulator!;
    const expected = expectedCount(simulator.data, { version: 3, params: { evidenceRequired: '1' } });

    // Slow the posture stream so the pull is still running when Cancel is clicked.
    simulator.setFaults({ slow: { api: 'postureInfo', chunkDelayMs: 250, chunkBytes: 256 } });
    await page.getByTestId('nav-pull').click();
    await expect.poll(() => page.getByTestId('pull-policy').count()).toBe(2);
    await page.getByTestId('pull-all-policies').check();
    await page.getByTestId('pull-start').click();

    const job = page.locator('[data-testid="job"][data-job-kind="pull"]');
    await job.waitFor();
    await expect.poll(() => job.getAttribute('data-job-phase'), { timeout: 30_000 }).toBe('fetch');
    await job.getByTestId('job-cancel').click();
    await expect.poll(() => job.getAttribute('data-job-state'), { timeout: 45_000 }).toBe('cancelled');
    await workbench.screenshot('pull-cancelled');

    simulator.setFaults({ slow: null });
    const resume = page.getByTestId('resume-pull');
    await resume.waitFor();
    await resume.click();
    const resumed = page.locator('[data-testid="job"][data-job-kind="pull"][data-job-state="done"]');
    await resumed.waitFor({ timeout: 60_000 });
    expect(await resumed.getByTestId('job-summary').textContent()).toContain('(resumed)');

    const snapshots = await workbench.handlers.listSnapshots({ includeBuilding: true });
    expect(snapshots.ok).toBe(true);
    const list = snapshots.ok ? snapshots.value : [];
    expect(list).toHaveLength(1);
    expect(list[0]?.state).toBe('complete');
    expect(list[0]?.records).toBe(expected);
    await page.getByTestId('resume-list').waitFor({ state: 'detached' });
  });
});
