import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { importFiles } from '../../electron/ingest/import.js';
import { generateFile } from '../simulator/index.js';
import { buildRenderer, launchChromium, openWorkbench, pageProblems, serveRenderer, type Workbench } from './harness.js';

// Enough postures that the results table needs more than one page and must virtualise.
const DATA = { seed: 9, hosts: 120, policies: 2, controlsPerPolicy: 20 };

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let filesDir: string;
let workbench: Workbench | null = null;

beforeAll(async () => {
  server = await serveRenderer(await buildRenderer());
  browser = await launchChromium();
  filesDir = mkdtempSync(join(tmpdir(), 'pw-e2e-search-'));
  for (const day of [0, 1]) await generateFile({ ...DATA, day }, join(filesDir, `day${day}.json.gz`), { version: 3, gzip: true, evidence: true, params: { cloudMetaDataRequired: '1' } });
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

describe('search screen', () => {
  test('query, facets, scrolling and detail', async () => {
    workbench = await openWorkbench({
      rendererUrl: server.url,
      browser,
      prepare: async (services) => {
        for (const day of [0, 1]) await importFiles(services.store, [join(filesDir, `day${day}.json.gz`)], { label: `Day ${day}` });
      },
    });
    const { page, handlers } = workbench;
    const all = await handlers.search({ snapshotId: 2, query: '', withFacets: true, limit: 1 });
    const failed = await handlers.search({ snapshotId: 2, query: '', statuses: ['Failed'], withFacets: true, limit: 1 });
    expect(all.ok).toBe(true);
    expect(failed.ok).toBe(true);
    const total = all.ok ? all.value.total! : 0;
    const failedTotal = failed.ok ? failed.value.total! : 0;
    expect(total).toBeGreaterThan(1000);

    await page.getByTestId('nav-search').click();
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe(`${total.toLocaleString('en-US')} postures`);
    const rendered = await page.getByTestId('results-row').count();
    expect(rendered).toBeLessThan(60);

    // Facet click filters by status and the count follows.
    await page.getByTestId('facet-status').filter({ hasText: 'Failed' }).first().click();
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe(`${failedTotal.toLocaleString('en-US')} postures`);
    await page.getByTestId('facet-status').filter({ hasText: 'Failed' }).first().click();
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe(`${total.toLocaleString('en-US')} postures`);

    // The next page is fetched before the user reaches it: row 200 is past the first page
    // of 100 rows, yet it is loaded without any scrolling.
    await expect.poll(() => page.locator('[data-testid="results-row"]').count()).toBeGreaterThan(20);
    await page.waitForTimeout(1000);
    await page.getByTestId('results-scroller').evaluate((element) => (element.scrollTop = 200 * 28));
    await page.locator('[data-testid="results-row"][data-index="200"]').waitFor();
    expect(await page.locator('[data-testid="results-row"][data-index="200"]').textContent()).not.toContain('Loading');

    // Scrolling past the first page loads the next one.
    await page.getByTestId('results-scroller').evaluate((element) => (element.scrollTop = 1200 * 28));
    await expect.poll(() => page.locator('[data-testid="results-row"][data-index="1210"]').textContent()).not.toContain('Loading');

    await page.getByTestId('results-scroller').evaluate((element) => (element.scrollTop = 0));
    await page.locator('[data-testid="results-row"][data-index="0"]').click();
    await page.getByTestId('posture-history').waitFor();
    expect(await page.getByTestId('posture-history').locator('tbody tr').count()).toBe(2);
    await page.getByTestId('evidence-expected').waitFor();
    for (const field of ['statement', 'rationale', 'remediation', 'category', 'sub-category', 'last-evaluated', 'ip', 'tracking-method']) {
      expect(await page.getByTestId(`detail-${field}`).textContent(), field).not.toBe('–');
    }

    // Keyboard: the grid moves the selection.
    await page.getByTestId('results').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('[data-testid="results-row"][aria-selected="true"]').getAttribute('data-index')).toBe('1');

    await page.getByTestId('search-help-toggle').click();
    await page.getByTestId('search-help').waitFor();
    await page.getByTestId('search-query').fill('status:failed');
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe(`${failedTotal.toLocaleString('en-US')} postures`);
    await workbench.screenshot('search');
    expect(pageProblems(workbench.console)).toEqual([]);
  });

  test('detail of a failed cloud posture', async () => {
    workbench = await openWorkbench({
      rendererUrl: server.url,
      browser,
      prepare: async (services) => {
        await importFiles(services.store, [join(filesDir, 'day0.json.gz')], { label: 'Day 0' });
      },
    });
    const { page, handlers, services } = workbench;
    const found = services.store.sqlite
      .prepare(
        `SELECT m.posture_id AS postureId, p.host_id AS hostId, p.control_id AS controlId FROM snapshot_members m
           JOIN posture_states s ON s.id = m.state_id JOIN postures p ON p.id = m.posture_id
           JOIN host_revisions h ON h.id = s.host_revision_id
          WHERE m.snapshot_id = 1 AND h.cloud_provider IS NOT NULL AND s.status = 'Failed' AND s.cause_of_failure IS NOT NULL
            AND (SELECT count(*) FROM postures o WHERE o.host_id = p.host_id AND o.control_id = p.control_id) = 1
          ORDER BY m.posture_id LIMIT 1`,
      )
      .get() as { postureId: number; hostId: number; controlId: number } | undefined;
    expect(found).toBeDefined();
    const expected = await handlers.postureDetail({ snapshotId: 1, postureId: found!.postureId });
    expect(expected.ok).toBe(true);
    if (!expected.ok) return;
    const cloud = expected.value.detail.host.cloud as { provider: string; resourceId: string; resourceType: string; accountId: string; resourceMetadata: Record<string, string> | null };

    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-query').fill(`host:${found!.hostId} control:${found!.controlId} status:failed`);
    await expect.poll(() => page.getByTestId('search-total').textContent()).toBe('1 postures');
    await page.locator('[data-testid="results-row"][data-index="0"]').click();
    await page.getByTestId('detail-cloud').waitFor();

    expect(await page.getByTestId('detail-cloud-provider').textContent()).toBe(cloud.provider);
    expect(await page.getByTestId('detail-cloud-resource-id').textContent()).toBe(cloud.resourceId);
    expect(await page.getByTestId('detail-cloud-resource-type').textContent()).toBe(cloud.resourceType);
    expect(await page.getByTestId('detail-cloud-account').textContent()).toBe(cloud.accountId);
    expect(cloud.resourceMetadata).not.toBeNull();
    const metadataRows = page.getByTestId('detail-cloud-metadata').locator('tbody tr');
    expect(await metadataRows.count()).toBe(Object.keys(cloud.resourceMetadata!).length);

    expect(await page.getByTestId('detail-remediation').textContent()).toBe(expected.value.detail.control.remediation);
    expect(await page.getByTestId('detail-rationale').textContent()).toBe(expected.value.detail.control.rationale);
    expect(await page.getByTestId('detail-status').textContent()).toContain('Failed');
    await page.getByTestId('detail-cause-of-failure').waitFor();
    expect(await page.getByTestId('detail-cause-of-failure').textContent()).toContain('Missing');

    // Extended evidence arrives as "Row N:" lines; the panel shows it as a table.
    const table = expected.value.detail.evidence.extendedTable;
    expect(table).not.toBeNull();
    const rendered = page.getByTestId('evidence-extended-table');
    expect(await rendered.locator('thead th').allTextContents()).toEqual(table!.header);
    expect(await rendered.locator('tbody tr').count()).toBe(Math.min(500, table!.rows.length));
    await workbench.screenshot('search-detail-cloud');
    expect(pageProblems(workbench.console)).toEqual([]);
  });
});
