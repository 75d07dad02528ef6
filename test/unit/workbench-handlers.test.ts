import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createAppServices, type AppServices } from '../../electron/app-services.js';
import type { SecretBox } from '../../electron/connections.js';
import type { Result, WorkbenchEvent } from '../../electron/contract.js';
import { createHandlers, type Handlers } from '../../electron/handlers.js';
import { JobManager } from '../../electron/jobs.js';
import { silentLogger } from '../../electron/log.js';
import { generateFile } from '../simulator/index.js';

/** Asserts that a handler succeeded and returns its value, so a failure shows the error. */
function valueOf<T>(result: Result<T>): T {
  expect(result).toMatchObject({ ok: true });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const box: SecretBox = {
  isAvailable: () => true,
  encrypt: (plain) => `sealed:${Buffer.from(plain).toString('hex')}`,
  decrypt: (stored) => Buffer.from(stored.slice(7), 'hex').toString(),
};

let folder: string;
let services: AppServices;
let handlers: Handlers;
let events: WorkbenchEvent[];

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'pw-handlers-'));
  events = [];
  services = await createAppServices({
    dataDir: folder,
    dbPath: join(folder, 'store.db'),
    logDir: join(folder, 'logs'),
    version: '1.2.3',
    logger: silentLogger,
    secretBox: box,
    dialogs: { openFiles: async () => [], openFile: async () => null, saveFile: async () => null },
    openPath: async () => {},
    emit: (event) => events.push(event),
    demo: false,
  });
  handlers = createHandlers(services);
});

afterEach(async () => {
  await services.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('workbench handlers', () => {
  test('app info without the demo', async () => {
    const result = await handlers.appInfo(undefined);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.version).toBe('1.2.3');
    expect(result.value.demo).toBeNull();
    expect(result.value.canSavePasswords).toBe(true);
  });

  test('invalid input never reaches the core', async () => {
    const result = await handlers.getSnapshot({ id: 'drop table' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  test('core errors keep their code', async () => {
    const missing = await handlers.getSnapshot({ id: 99 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const job = await handlers.cancelJob({ jobId: 'nope' });
    expect(job).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  test('connection password stored sealed', async () => {
    const saved = await handlers.saveConnection({ name: 'EU', platform: 'EU1', username: 'auditor', password: 'hunter2', savePassword: true });
    expect(saved.ok).toBe(true);
    const file = readFileSync(join(folder, 'connections.json'), 'utf8');
    expect(file).not.toContain('hunter2');
    expect(file).toContain('sealed:');
    if (!saved.ok) return;
    expect(saved.value.baseUrl).toBe('https://gateway.qg1.apps.qualys.eu/');
    expect(services.connections.resolve(saved.value.id).password).toBe('hunter2');

    const unsaved = await handlers.saveConnection({ id: saved.value.id, name: 'EU', platform: 'EU1', username: 'auditor', savePassword: false });
    expect(valueOf(unsaved).hasSavedPassword).toBe(false);
    expect(() => services.connections.resolve(saved.value.id)).toThrow(/No password is saved/);
  });

  test('plain http gateway rejected', async () => {
    const result = await handlers.saveConnection({ name: 'x', platform: 'custom', gatewayUrl: 'http://qualys.example.com', username: 'u', savePassword: false });
    expect(result).toMatchObject({ ok: false });
  });

  test('import job, rename and delete', async () => {
    const file = join(folder, 'posture.json.gz');
    const generated = await generateFile({ hosts: 5, policies: 1, controlsPerPolicy: 6 }, file, { version: 3, gzip: true, evidence: true });
    const started = await handlers.importFiles({ paths: [file], label: 'Unit' });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const finished = await services.jobs.wait(started.value.id);
    expect(finished.state).toBe('done');
    expect(finished.snapshotId).not.toBeNull();
    expect(events.some((event) => event.type === 'job' && event.job.state === 'done')).toBe(true);

    const list = await handlers.listSnapshots(undefined);
    expect(valueOf(list)[0]?.records).toBe(generated.records);

    const renamed = await handlers.updateSnapshot({ id: finished.snapshotId, label: 'Renamed', note: 'n' });
    expect(valueOf(renamed).label).toBe('Renamed');

    const deleted = await handlers.deleteSnapshot({ id: finished.snapshotId });
    expect(deleted).toEqual({ ok: true, value: null });
    const after = await handlers.listSnapshots(undefined);
    expect(valueOf(after)).toEqual([]);
  });

  test('report job shows step then result', async () => {
    const seen: WorkbenchEvent[] = [];
    const jobs = new JobManager((event) => seen.push(event), silentLogger);
    const job = jobs.start('report', 'Export', async ({ report }) => {
      report({ phase: 'render', totalRecords: 40, detail: 'Rendering the PDF' });
      await new Promise((done) => setTimeout(done, 20));
      return { outputPath: '/tmp/r.pdf', summary: 'done', progress: { bytes: 2048 } };
    });
    const finished = await jobs.wait(job.id);
    const running = seen.find((event) => event.type === 'job' && event.job.progress.phase === 'render');
    expect(running?.type === 'job' && running.job.progress.detail).toBe('Rendering the PDF');
    expect(finished.progress.fraction).toBe(1);
    expect(finished.progress.bytes).toBe(2048);
    expect(finished.progress.totalRecords).toBe(40);
  });

  test('pull parameters checked like the client', async () => {
    const bad = await handlers.validatePull({ api: 1, params: { status: ['Passed'] } });
    const badCheck = valueOf(bad);
    expect(badCheck.valid).toBe(false);
    expect(badCheck.valid ? null : badCheck.field).toBe('status');
    const good = await handlers.validatePull({ api: 3, params: { status: ['passed'], lastScanDate: '2025-06-01' } });
    const goodCheck = valueOf(good);
    expect(goodCheck.valid).toBe(true);
    expect(goodCheck.valid ? goodCheck.params.status : null).toEqual(['Passed']);
  });
});
