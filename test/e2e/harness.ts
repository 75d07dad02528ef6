// Functions passed to page.evaluate run in the browser, so this file also needs the DOM types.
/// <reference lib="dom" />
/**
 * End-to-end harness: the real renderer (built with Vite) in Debian's Chromium, driven
 * by playwright-core. In place of Electron's preload, `page.exposeBinding` calls the
 * same handler functions main registers, against a real store in a temp folder and the
 * embedded PCRS simulator, so the page exercises the real core over loopback.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { createAppLogger } from '../../electron/app-log.js';
import { createAppServices, type AppServices, type Dialogs } from '../../electron/app-services.js';
import type { SecretBox } from '../../electron/connections.js';
import { METHODS, isMethodName, type WorkbenchEvent } from '../../electron/contract.js';
import { createHandlers, type Handlers } from '../../electron/handlers.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/security.js';
import type { SimulatorOptions } from '../simulator/index.js';

export const ARTIFACTS = resolve('test-artifacts', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Builds the renderer into a temp folder (so a stale dist/ never hides a change). */
export async function buildRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'pw-renderer-'));
  await build({ configFile: resolve('vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true, sourcemap: false } });
  return outDir;
}

/** Serves the built renderer on loopback with the app's CSP as a header. */
export async function serveRenderer(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CONTENT_SECURITY_POLICY });
    response.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Dialog results queued by a test; an empty queue behaves as a cancelled dialog. */
export class ScriptedDialogs implements Dialogs {
  readonly openFilesAnswers: string[][] = [];
  readonly openFileAnswers: (string | null)[] = [];
  readonly saveAnswers: (string | null)[] = [];

  async openFiles(): Promise<string[]> {
    return this.openFilesAnswers.shift() ?? [];
  }

  async openFile(): Promise<string | null> {
    return this.openFileAnswers.shift() ?? null;
  }

  async saveFile(): Promise<string | null> {
    return this.saveAnswers.shift() ?? null;
  }
}

/**
 * Stands in for safeStorage: reversible, and visibly not clear text, so a test can check
 * that the connections file never contains the password itself.
 */
export const TEST_SECRET_BOX: SecretBox = {
  isAvailable: () => true,
  encrypt: (plain) => `test:${Buffer.from(plain, 'utf8').reverse().toString('base64')}`,
  decrypt: (stored) => Buffer.from(stored.slice(5), 'base64').reverse().toString('utf8'),
};

export interface Workbench {
  page: Page;
  services: AppServices;
  handlers: Handlers;
  dialogs: ScriptedDialogs;
  dataDir: string;
  logDir: string;
  console: string[];
  /** Saves a screenshot as test-artifacts/e2e/NAME.png. */
  screenshot(name: string): Promise<void>;
  close(failed: boolean, testName: string): Promise<void>;
}

export interface OpenOptions {
  rendererUrl: string;
  browser: Browser;
  simulator?: SimulatorOptions;
  /** Prepares the store before the page opens (imports, sign-offs). */
  prepare?(services: AppServices): Promise<void>;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** An existing database to open (kept on close); default a new one in the data folder. */
  dbPath?: string;
  /** Start the embedded simulator (default true). */
  demo?: boolean;
}

const shim = (names: string[]): void => {
  type Listener = (event: unknown) => void;
  const listeners = new Set<Listener>();
  const target = window as unknown as Record<string, unknown>;
  const invoke = target.workbenchInvoke as (name: string, input: unknown) => Promise<unknown>;
  const api: Record<string, unknown> = {};
  for (const name of names) api[name] = (input?: unknown) => invoke(name, input === undefined ? null : input);
  api.onEvent = (listener: Listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  // Chromium gives a page no file paths; tests drop files from a folder they name here.
  api.pathForFile = (file: File) => (typeof target.__workbenchDropDir === 'string' ? `${target.__workbenchDropDir}/${file.name}` : '');
  target.__workbenchDispatch = (event: unknown) => {
    for (const listener of listeners) listener(event);
  };
  target.workbench = api;
};

/** Opens the workbench page on its own data folder, store, simulator and log. */
export async function openWorkbench(options: OpenOptions): Promise<Workbench> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pw-e2e-'));
  const logDir = join(dataDir, 'logs');
  const { logger, close: closeLog } = await createAppLogger(logDir, { level: 'debug' });
  const dialogs = new ScriptedDialogs();
  const consoleLines: string[] = [];
  let page: Page | null = null;
  const pending: WorkbenchEvent[] = [];

  const deliver = (event: WorkbenchEvent): void => {
    if (!page) {
      pending.push(event);
      return;
    }
    page.evaluate((payload) => (window as unknown as { __workbenchDispatch?(event: unknown): void }).__workbenchDispatch?.(payload), event).catch(() => {
      // The page may be closing, and an event sent after that has no listener.
    });
  };

  const services = await createAppServices({
    dataDir,
    dbPath: options.dbPath ?? join(dataDir, 'posture-workbench.db'),
    logDir,
    version: '0.0.0-test',
    platform: 'linux',
    logger,
    secretBox: TEST_SECRET_BOX,
    dialogs,
    openPath: async () => {},
    emit: deliver,
    demo: options.demo === false ? false : (options.simulator ?? {}),
  });
  await options.prepare?.(services);
  // The app starts the search reader threads at launch; waiting here keeps their start-up
  // out of the time a test allows for its first search.
  await services.searchReader.start();
  const handlers = createHandlers(services);

  const context = await options.browser.newContext({ viewport: options.viewport ?? { width: 1360, height: 860 }, colorScheme: options.colorScheme ?? 'light' });
  page = await context.newPage();
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  await page.exposeBinding('workbenchInvoke', async (_source, name: string, input: unknown) => {
    if (!isMethodName(name)) return { ok: false, error: { code: 'USAGE', message: `Unknown method ${name}.` } };
    return handlers[name](input === null ? undefined : input);
  });
  await page.addInitScript(shim, Object.keys(METHODS));
  await page.goto(options.rendererUrl);
  await page.waitForSelector('[data-testid="app"][data-ready="true"]');
  for (const event of pending.splice(0)) deliver(event);

  const opened = page;
  return {
    page: opened,
    services,
    handlers,
    dialogs,
    dataDir,
    logDir,
    console: consoleLines,
    async screenshot(name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await opened.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async close(failed, testName) {
      const folder = join(ARTIFACTS, 'failures', testName.replace(/[^A-Za-z0-9_-]+/g, '-'));
      if (failed) {
        mkdirSync(folder, { recursive: true });
        await opened.screenshot({ path: join(folder, 'page.png'), fullPage: true }).catch(() => {});
        writeFileSync(join(folder, 'console.txt'), consoleLines.join('\n'));
      }
      await context.close();
      await services.close();
      closeLog();
      // The log stream flushes asynchronously after end(); give it a moment before copying.
      await new Promise((done) => setTimeout(done, 100));
      if (failed) cpSync(logDir, join(folder, 'logs'), { recursive: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Console lines that report a CSP violation or an uncaught error: each test expects none. */
export function pageProblems(lines: readonly string[]): string[] {
  return lines.filter((line) => /Content Security Policy|Refused to|\[pageerror\]/i.test(line));
}

export function appendArtifactLog(name: string, text: string): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  appendFileSync(join(ARTIFACTS, name), text);
}
