/**
 * The main-process side of the contract: one plain async function per method. Each
 * validates its input with the contract's schema, calls the core, and returns a `Result`.
 * Nothing here imports Electron, so tests call these functions directly and main
 * registers the same functions on `ipcMain`.
 */
import { toErrorInfo, type Result } from '../db/errors.js';
import { deleteSnapshot, getSnapshotDetails, listSnapshots, updateSnapshot } from '../db/snapshots.js';
import type { AppServices } from './app-services.js';
import { listPlatforms } from './connections.js';
import { METHODS, parseInput, type FeatureName, type MethodName, type MethodOutput, type ParsedInput } from './contract.js';
import { diffImplementations } from './diff-handlers.js';
import { reportImplementations } from './report-handlers.js';
import { searchImplementations } from './search-handlers.js';
import { listPolicies, resumePull, startImportJob, startPull, testConnection, validatePull } from './pull-job.js';
import { desktopError } from './ui-errors.js';

export type Handler<M extends MethodName> = (input: unknown) => Promise<Result<MethodOutput<M>>>;
export type Handlers = { [M in MethodName]: Handler<M> };
type Implementations = { [M in MethodName]: (input: ParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M> };

/** Screens whose core has landed in this build; the renderer disables the others. */
const FEATURES: Record<FeatureName, boolean> = { pull: true, search: true, diff: true, trends: true, reports: true };

const IMPORT_FILTERS = [
  { name: 'Posture files (JSON, gzip)', extensions: ['json', 'gz', 'jsonl'] },
  { name: 'All files', extensions: ['*'] },
];

function implementations(services: AppServices): Implementations {
  const { store, connections, jobs, options } = services;
  return {
    appInfo: () => ({
      version: options.version,
      dbPath: store.path,
      logDir: options.logDir,
      features: FEATURES,
      demo: services.demoEndpoint(),
      canSavePasswords: options.secretBox.isAvailable(),
      platform: options.platform ?? process.platform,
    }),
    openLogFolder: async () => {
      await options.openPath(options.logDir);
      return null;
    },

    listPlatforms: () => listPlatforms(),
    listConnections: () => connections.list(),
    saveConnection: (draft) => connections.save(draft),
    deleteConnection: ({ id }) => {
      connections.delete(id);
      return null;
    },
    testConnection: (input) => testConnection(services, input),

    listPolicies: (input) => listPolicies(services, input),
    validatePull: (input) => validatePull(input),
    startPull: (input) => startPull(services, input),
    resumePull: (input) => resumePull(services, input),

    listSnapshots: (input) => listSnapshots(store, { includeBuilding: input?.includeBuilding ?? false }),
    getSnapshot: ({ id }) => getSnapshotDetails(store, id),
    updateSnapshot: ({ id, label, note }) => updateSnapshot(store, id, { label, note }),
    deleteSnapshot: ({ id }) => {
      deleteSnapshot(store, id);
      options.emit({ type: 'snapshots-changed' });
      return null;
    },

    chooseImportFiles: () => options.dialogs.openFiles({ title: 'Import posture files', filters: IMPORT_FILTERS }),
    importFiles: (input) => startImportJob(services, input),
    listJobs: () => jobs.list(),
    cancelJob: ({ jobId }) => jobs.cancel(jobId),

    ...diffImplementations(services),
    ...searchImplementations(services),
    ...reportImplementations(services),

    chooseSavePath: (input) => options.dialogs.saveFile(input),
    chooseOpenFile: (input) => options.dialogs.openFile({ title: input.title, filters: input.filters }),
  };
}

/** Builds the validated, error-catching handler of every contract method. */
export function createHandlers(services: AppServices): Handlers {
  const impl = implementations(services);
  const handlers = {} as Record<MethodName, Handler<MethodName>>;
  for (const name of Object.keys(METHODS) as MethodName[]) {
    handlers[name] = async (input: unknown) => {
      const parsed = parseInput(name, input);
      if (!parsed.ok) return parsed;
      try {
        const run = impl[name] as (value: unknown) => unknown;
        return { ok: true, value: (await run(parsed.value)) as MethodOutput<typeof name> };
      } catch (error) {
        const info = toErrorInfo(error);
        if (info.code === 'INTERNAL') services.logger.error({ method: name, err: error }, 'handler failed');
        else services.logger.warn({ method: name, code: info.code, message: info.message }, 'handler returned an error');
        return { ok: false, error: desktopError(info) };
      }
    };
  }
  return handlers as Handlers;
}
