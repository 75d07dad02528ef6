import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AppError, ERROR_CODES } from '../../db/errors.js';
import { createAppServices, type AppServices } from '../../electron/app-services.js';
import { createHandlers } from '../../electron/handlers.js';
import { JobManager } from '../../electron/jobs.js';
import { silentLogger } from '../../electron/log.js';
import { desktopMessage } from '../../electron/ui-errors.js';
import { describeError, ERROR_SUMMARIES } from '../../renderer/src/lib/errors.js';

// Core messages as the core writes them for the command line, and what the app shows.
const CASES: [string, string][] = [
  [
    'Fetching slice 3 failed: connection reset. 2 of 5 slices are saved in snapshot 7; continue with --resume 7.',
    'Fetching slice 3 failed: connection reset. 2 of 5 slices are saved in snapshot 7. Resume snapshot 7 on the Pull screen.',
  ],
  ['Snapshot 4 does not exist. List snapshots with `posture-workbench snapshots`.', 'Snapshot 4 does not exist. The Snapshots screen lists the snapshots.'],
  [
    'Snapshot 2 is not complete (an interrupted pull). Resume it with `posture-workbench pull --resume 2` or delete it.',
    'Snapshot 2 is not complete (an interrupted pull). Resume it on the Pull screen, or delete it on the Snapshots screen.',
  ],
  [
    'Record 12 is not an object. Fix the input, or import with --lenient to skip malformed records.',
    'Record 12 is not an object. Fix the input, or import it again with "Skip malformed records" checked.',
  ],
  ['Snapshot 3 was pulled with --api 2; resume it without --api or with --api 2.', 'Snapshot 3 was pulled with API version 2; resume it with API version 2.'],
  ['Invalid --gateway URL "ftp://x". Give an absolute URL such as https://gateway.example.com.', 'Invalid gateway URL "ftp://x". Give an absolute URL such as https://gateway.example.com.'],
  ['The store has no complete snapshot to search. Import a file with `posture-workbench import FILE` or pull with `posture-workbench pull`.', 'The store has no complete snapshot to search. Import a file on the Snapshots screen, or pull one on the Pull screen.'],
  ['The export failed. Run `posture-workbench verify report.pdf` to check it.', 'The export failed.'],
  ['lastScanDate is not a date (--last-scan-date 2025-13-01).', 'lastScanDate is not a date.'],
];

describe('desktop error wording', () => {
  test.each(CASES)('rewrites %s', (core, desktop) => {
    expect(desktopMessage(core)).toBe(desktop);
  });

  test('rewrites leave no flag or command', () => {
    for (const [core] of CASES) {
      const shown = desktopMessage(core);
      expect(shown).not.toMatch(/--[a-z]/);
      expect(shown).not.toContain('posture-workbench');
    }
  });

  test('every code has a plain summary', () => {
    for (const code of ERROR_CODES) {
      const summary = ERROR_SUMMARIES[code];
      expect(summary, code).toMatch(/^[A-Z].*\.$/);
      expect(summary, code).not.toMatch(/--|`|\b[A-Z]{2,}_[A-Z]+\b/);
    }
  });

  test('describeError puts summary before detail', () => {
    expect(describeError({ code: 'AUTH', message: 'The API rejected user "auditor".' })).toBe(
      'Sign-in failed. Check the API user name and password on the Connections screen. The API rejected user "auditor".',
    );
    expect(describeError({ code: 'CANCELLED', message: '' })).toBe('Cancelled.');
  });
});

describe('errors through the handlers', () => {
  let folder: string;
  let services: AppServices;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'pw-errors-'));
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
  });

  afterEach(async () => {
    await services.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('handler error uses app wording', async () => {
    const handlers = createHandlers(services);
    const result = await handlers.getSnapshot({ id: 99 });
    expect(result).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'Snapshot 99 does not exist. The Snapshots screen lists the snapshots.' } });
  });

  test('failed job uses app wording', async () => {
    const jobs = new JobManager(() => {}, silentLogger);
    const job = jobs.start('pull', 'Pull', async () => {
      throw new AppError('NETWORK', 'Fetching slice 2 failed: timed out. 1 of 4 slices are saved in snapshot 5; continue with --resume 5.');
    });
    const finished = await jobs.wait(job.id);
    expect(finished.state).toBe('failed');
    expect(finished.error).toEqual({ code: 'NETWORK', message: 'Fetching slice 2 failed: timed out. 1 of 4 slices are saved in snapshot 5. Resume snapshot 5 on the Pull screen.' });
  });
});
