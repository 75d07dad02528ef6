import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { importFiles } from '../../electron/ingest/import.js';
import { generateFile } from '../simulator/index.js';
import { buildRenderer, launchChromium, openWorkbench, pageProblems, serveRenderer, type Workbench } from './harness.js';

const DATA = { seed: 3, hosts: 10, policies: 2, controlsPerPolicy: 10 };

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let filesDir: string;
let workbench: Workbench | null = null;

beforeAll(async () => {
  server = await serveRenderer(await buildRenderer());
  browser = await launchChromium();
  filesDir = mkdtempSync(join(tmpdir(), 'pw-e2e-report-'));
  for (const day of [0, 1]) await generateFile({ ...DATA, day }, join(filesDir, `day${day}.json.gz`), { version: 3, gzip: true, evidence: true });
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

describe('reports screen', () => {
  test('build, sign off, export and verify', async () => {
    workbench = await openWorkbench({
      rendererUrl: server.url,
      browser,
      prepare: async (services) => {
        for (const day of [0, 1]) await importFiles(services.store, [join(filesDir, `day${day}.json.gz`)], { label: `Day ${day}` });
      },
    });
    const { page, dialogs, dataDir } = workbench;

    await page.getByTestId('nav-reports').click();
    await page.getByTestId('report-save').click();
    await page.getByTestId('report-builder-error').waitFor();
    expect(await page.getByTestId('report-builder-error').textContent()).toContain('title');

    await expect.poll(() => page.getByTestId('report-baseline').inputValue()).toBe('1');
    await page.getByTestId('report-title').fill('Quarterly hardening review');
    await page.getByTestId('report-client').fill('Example Bank');
    await page.getByTestId('report-auditor').fill('A. Auditor');
    await page.getByTestId('report-save').click();
    await page.getByTestId('report-detail').waitFor();

    await page.getByTestId('signoff-name').fill('C. Officer');
    await page.getByTestId('signoff-role').fill('CISO');
    await page.getByTestId('signoff-submit').click();
    await page.getByTestId('signoff-error').waitFor();
    expect(await page.getByTestId('signoff-error').textContent()).toContain('organisation');
    await page.getByTestId('signoff-organisation').fill('Example Bank');
    await page.getByTestId('signoff-submit').click();
    await page.getByTestId('report-signoff').waitFor();

    const pdf = join(dataDir, 'report.pdf');
    dialogs.saveAnswers.push(pdf);
    await page.getByTestId('export-pdf').click();
    const pdfJob = page.locator('[data-testid="job"][data-job-kind="report"][data-job-state="done"]');
    await pdfJob.waitFor({ timeout: 60_000 });
    expect(existsSync(pdf)).toBe(true);
    expect(await pdfJob.getByTestId('job-progress').evaluate((element) => (element as HTMLProgressElement).value)).toBe(1);
    expect(await pdfJob.getByTestId('job-bytes').textContent()).toMatch(/\d+(\.\d)? (KiB|MiB)/);

    const zip = join(dataDir, 'audit.zip');
    dialogs.saveAnswers.push(zip);
    await page.getByTestId('export-package').click();
    await expect.poll(() => pdfJob.count(), { timeout: 60_000 }).toBe(2);
    expect(existsSync(zip)).toBe(true);
    await workbench.screenshot('reports');

    dialogs.openFileAnswers.push(pdf);
    await page.getByTestId('verify-file').click();
    await page.getByTestId('verify-result').waitFor();
    expect(await page.getByTestId('verify-result').textContent()).toContain('Verified');

    // The sign-off locks both snapshots of the report.
    await page.getByTestId('nav-snapshots').click();
    await page.getByTestId('snapshot-row').first().click();
    await page.getByTestId('snapshot-locked').waitFor();
    expect(await page.getByTestId('snapshot-delete').isDisabled()).toBe(true);
    const refused = await workbench.handlers.deleteSnapshot({ id: 2 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    expect(pageProblems(workbench.console)).toEqual([]);
  });
});
