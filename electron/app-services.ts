/**
 * The workbench's services in plain Node: the store, the saved connections, the job
 * manager and the embedded PCRS simulator (the default connection). Electron's main
 * process and the end-to-end tests build the same services; only the dialogs, the
 * secret box and the event sink differ.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { openStore, type Store } from '../db/store.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../test/simulator/index.js';
import { ConnectionStore, type DemoEndpoint, type SecretBox } from './connections.js';
import type { WorkbenchEvent } from './contract.js';
import { JobManager } from './jobs.js';
import { SearchReader } from './search-reader.js';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** Native file dialogs: main implements them with Electron's `dialog`, and tests return queued paths. */
export interface Dialogs {
  openFiles(options: { title: string; filters: FileFilter[] }): Promise<string[]>;
  openFile(options: { title: string; filters: FileFilter[] }): Promise<string | null>;
  saveFile(options: { title: string; defaultName: string; filters: FileFilter[] }): Promise<string | null>;
}

export interface AppServicesOptions {
  /** Folder for connections.json and other app state. */
  dataDir: string;
  dbPath: string;
  logDir: string;
  version: string;
  platform?: string;
  logger: Logger;
  secretBox: SecretBox;
  dialogs: Dialogs;
  openPath(path: string): Promise<void>;
  emit(event: WorkbenchEvent): void;
  /** Options of the embedded simulator, or false to run without it. */
  demo: SimulatorOptions | false;
}

export const DEMO_USERNAME = 'demo';
export const DEMO_PASSWORD = 'demo';

export interface AppServices {
  readonly options: AppServicesOptions;
  readonly store: Store;
  readonly connections: ConnectionStore;
  readonly jobs: JobManager;
  /** Runs search pages and facet counts off the main thread. */
  readonly searchReader: SearchReader;
  readonly logger: Logger;
  readonly simulator: Simulator | null;
  demoEndpoint(): DemoEndpoint | null;
  close(): Promise<void>;
}

export async function createAppServices(options: AppServicesOptions): Promise<AppServices> {
  const logger = options.logger;
  const store = openStore(options.dbPath);
  logger.info({ dbPath: options.dbPath }, 'store opened');

  let simulator: Simulator | null = null;
  if (options.demo !== false) {
    try {
      simulator = await startSimulator({ port: 0, username: DEMO_USERNAME, password: DEMO_PASSWORD, ...options.demo });
      logger.info({ url: simulator.url }, 'embedded simulator started');
    } catch (error) {
      // The app stays usable without the demo: saved connections and imports still work.
      logger.error({ err: error }, 'embedded simulator failed to start');
    }
  }

  const demoEndpoint = (): DemoEndpoint | null =>
    simulator ? { url: `${simulator.url}/`, username: DEMO_USERNAME, password: DEMO_PASSWORD } : null;

  const connections = new ConnectionStore({ file: join(options.dataDir, 'connections.json'), secretBox: options.secretBox, demo: demoEndpoint });
  const jobs = new JobManager(options.emit, logger);
  const searchReader = new SearchReader(options.dbPath, logger);
  // Not awaited: the window opens meanwhile, and a search sent earlier waits for its thread.
  void searchReader.start();

  return {
    options,
    store,
    connections,
    jobs,
    searchReader,
    logger,
    simulator,
    demoEndpoint,
    async close() {
      await jobs.cancelAll();
      await searchReader.close();
      if (simulator) await simulator.close();
      store.close();
      logger.info('services closed');
    },
  };
}
