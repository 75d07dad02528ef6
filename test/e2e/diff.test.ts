import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { importFiles } from '../../electron/ingest/import.js';
import { generateFile } from '../simulator/index.js';
import { buildRenderer, launchChromium, openWorkbench, pageProblems, serveRenderer, type Workbench } from './harness.js';

const DATA = { seed: 5, hosts: 20, policies: 2, controlsPerPolicy: 15, statusChangeRate: 0.2, evidenceChangeRate: 0.1 };

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let filesDir: string;
let workbench: Workbench | null = null;

beforeAll(async () => {
  server = await serveRenderer(await buildRenderer());
  browser = await launchChromium();
  filesDir = mkdtempSync(join(tmpdir(), 'pw-e2e-diff-'));
  for (const day of [0, 2, 4]) await generateFile({ ...DATA, day }, join(filesDir, `day${day}.json.gz`), { version: 3, gzip: true, evidence: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(filesDir, { recursive: true, force: true });
});

afterEach(async (context) => {
  await workbench?.close(context.task.result?.state === 'fail', context.task.name);
  workbench = null;
});

async function openWithThreeDays(): Promise<Workbench> {
  return openWorkbench({
    rendererUrl: server.url,
    browser,
    prepare: async (services) => {
      for (const day of [0, 2, 4]) await importFiles(services.store, [join(filesDir, `day${day}.json.gz`)], { label: `Day ${day}` });
    },
  });
}

describe('diff and trends', () => {
  test('diff cards, roll-up, detail and export', async () => {
    workbench = await openWithThreeDays();
    const { page, handlers, dialogs } = workbench;

    await page.getByTestId('nav-diff').click();
    await page.getByTestId('diff-cards').waitFor();
    // Newest snapshot (3) against its default baseline (2).
    expect(await page.getByTestId('diff-target').inputValue()).toBe('3');
    expect(await page.getByTestId('diff-baseline').inputValue()).toBe('2');

    const summary = await handlers.diffSummary({ a: 2, b: 3 });
    expect(summary.ok).toBe(true);
    const counts = summary.ok ? summary.value.counts : null;
    expect(counts!.regressed + counts!.fixed + counts!.evidenceChanged).toBeGreaterThan(0);
    expect(await page.getByTestId('diff-card-regressed').textContent()).toContain(String(counts!.regressed));

    await page.getByTestId('diff-card-regressed').click();
    await expect.poll(() => page.getByTestId('diff-row').count()).toBe(Math.min(counts!.regressed, 200));
    await page.getByTestId('diff-row').first().click();
    await page.getByTestId('diff-detail').waitFor();
    expect(await page.getByTestId('diff-detail').textContent()).toContain('Passed → Failed');

    await page.getByTestId('diff-rollup-host').click();
    expect(await page.getByTestId('diff-rollup').locator('tbody tr').count()).toBeGreaterThan(0);
    await workbench.screenshot('diff');

    const csv = join(workbench.dataDir, 'regressed.csv');
    dialogs.saveAnswers.push(csv);
    await page.getByTestId('diff-export').click();
    await page.getByTestId('notice-info').filter({ hasText: 'Exported' }).waitFor();
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^class,policyId,/);
    expect(lines).toHaveLength(counts!.regressed + 1);
    expect(pageProblems(workbench.console)).toEqual([]);
  });

  test('trend chart over snapshots', async () => {
    workbench = await openWithThreeDays();
    const { page } = workbench;

    await page.getByTestId('nav-trends').click();
    await expect.poll(() => page.getByTestId('chart-point').count()).toBe(3);
    expect(await page.getByTestId('trend-table').locator('tbody tr').count()).toBe(3);

    await page.getByTestId('trend-scope').selectOption('policy');
    await expect.poll(() => page.getByTestId('chart-point').count()).toBe(3);
    await workbench.screenshot('trends');
    expect(pageProblems(workbench.console)).toEqual([]);
  });
});
