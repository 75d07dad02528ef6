// Functions passed to page.evaluate run in the browser, so this file also needs the DOM types.
/// <reference lib="dom" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { generateFile } from '../simulator/index.js';
import { buildRenderer, launchChromium, openWorkbench, pageProblems, serveRenderer, type Workbench } from './harness.js';

const DATA = { seed: 7, hosts: 12, policies: 2, controlsPerPolicy: 12 };

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let rendererDir: string;
let filesDir: string;
let gzipFile: string;
let expectedRecords: number;
let workbench: Workbench | null = null;

beforeAll(async () => {
  rendererDir = await buildRenderer();
  server = await serveRenderer(rendererDir);
  browser = await launchChromium();
  filesDir = mkdtempSync(join(tmpdir(), 'pw-e2e-files-'));
  gzipFile = join(filesDir, 'posture-day0.json.gz');
  expectedRecords = (await generateFile(DATA, gzipFile, { version: 3, gzip: true, evidence: true })).records;
  await generateFile({ ...DATA, day: 3 }, join(filesDir, 'posture-day3.json'), { version: 3, evidence: true });
  writeFileSync(join(filesDir, 'notes.txt'), 'not posture data');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(rendererDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
});

afterEach(async (context) => {
  const failed = context.task.result?.state === 'fail';
  await workbench?.close(failed, context.task.name);
  workbench = null;
});

describe('snapshots screen', () => {
  test('empty state guides a new user', async () => {
    workbench = await openWorkbench({ rendererUrl: server.url, browser, colorScheme: 'dark' });
    const { page } = workbench;

    await expect.poll(() => page.getByTestId('snapshots-empty').isVisible()).toBe(true);
    expect(await page.getByTestId('snapshots-empty').textContent()).toContain('demo connection');
    await workbench.screenshot('snapshots-empty-dark');
    expect(pageProblems(workbench.console)).toEqual([]);
  });

  test('import by file dialog with progress', async () => {
    workbench = await openWorkbench({ rendererUrl: server.url, browser });
    const { page, dialogs } = workbench;

    dialogs.openFilesAnswers.push([gzipFile]);
    await page.getByTestId('import-label').fill('Day zero baseline');
    await page.getByTestId('import-button').click();

    const job = page.locator('[data-testid="job"][data-job-kind="import"]');
    await job.locator('[data-testid="job-summary"]').waitFor({ timeout: 30_000 });
    expect(await job.getAttribute('data-job-state')).toBe('done');
    expect(await job.getByTestId('job-records').textContent()).toContain(expectedRecords.toLocaleString('en-US'));

    const row = page.getByTestId('snapshot-row');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getByTestId('snapshot-label').textContent()).toBe('Day zero baseline');
    expect(await row.getByTestId('snapshot-records').textContent()).toBe(expectedRecords.toLocaleString('en-US'));

    await row.click();
    await page.getByTestId('snapshot-by-policy').waitFor();
    expect(await page.getByTestId('snapshot-content-hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await workbench.screenshot('snapshots');
    expect(pageProblems(workbench.console)).toEqual([]);
  });

  test('drop imports files and rejects others', async () => {
    workbench = await openWorkbench({ rendererUrl: server.url, browser });
    const { page } = workbench;
    await page.evaluate((folder) => ((window as unknown as Record<string, unknown>).__workbenchDropDir = folder), filesDir);

    const drop = async (name: string, content: string) => {
      const transfer = await page.evaluateHandle(
        ([fileName, text]) => {
          const data = new DataTransfer();
          data.items.add(new File([text], fileName));
          return data;
        },
        [name, content] as const,
      );
      await page.getByTestId('drop-zone').dispatchEvent('dragover', { dataTransfer: transfer });
      await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
    };

    await drop('notes.txt', 'x');
    await page.getByTestId('notice-error').waitFor();
    expect(await page.getByTestId('notice-error').textContent()).toContain('notes.txt');

    await drop('posture-day3.json', '[]');
    // The import runs in a worker thread, which starts slowly on a loaded machine.
    await expect.poll(() => page.getByTestId('snapshot-row').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('snapshot-label').textContent()).toBe('posture-day3.json');
  });

  test('rename, annotate and delete', async () => {
    workbench = await openWorkbench({
      rendererUrl: server.url,
      browser,
      prepare: async (services) => {
        const { importFiles } = await import('../../electron/ingest/import.js');
        await importFiles(services.store, [gzipFile], { label: 'first' });
      },
    });
    const { page } = workbench;

    await page.getByTestId('snapshot-row').click();
    await page.getByTestId('snapshot-label-input').fill('Quarter 3 audit');
    await page.getByTestId('snapshot-note-input').fill('Pulled before the patch window.');
    await page.getByTestId('snapshot-save').click();
    await expect.poll(() => page.getByTestId('snapshot-label').textContent()).toBe('Quarter 3 audit');
    const stored = await workbench.handlers.listSnapshots(undefined);
    expect(stored.ok && stored.value[0]?.note).toBe('Pulled before the patch window.');

    await page.getByTestId('snapshot-label-input').fill('   ');
    await page.getByTestId('snapshot-save').click();
    await page.getByTestId('notice-error').waitFor();
    expect(await page.getByTestId('notice-error').textContent()).toContain('label cannot be empty');

    await page.getByTestId('snapshot-delete').click();
    await page.getByTestId('snapshot-delete-confirm').click();
    await page.getByTestId('snapshots-empty').waitFor();
    expect(pageProblems(workbench.console).filter((line) => !line.includes('[error]'))).toEqual([]);
  });
});
