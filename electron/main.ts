/**
 * Electron main process: one hardened window, the handlers of the contract registered
 * on ipcMain, and the native pieces (dialogs, safeStorage, menu, drag and drop paths).
 * Everything else is plain Node in electron/, db/ and the workers.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BrowserWindow, Menu, app, dialog, ipcMain, safeStorage, screen, session, shell, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { resolveDbPath } from '../db/store.js';
import { createAppLogger } from './app-log.js';
import { createAppServices, type AppServices, type Dialogs } from './app-services.js';
import type { SecretBox } from './connections.js';
import { CHANNEL_PREFIX, EVENT_CHANNEL, METHODS, type MethodName, type ScreenName, type WorkbenchEvent } from './contract.js';
import { createHandlers } from './handlers.js';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, isTrustedSenderUrl } from './security.js';
import { loadWindowBounds, saveWindowBounds } from './window-state.js';

const here = dirname(fileURLToPath(import.meta.url));
const rendererIndex = join(here, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
const preloadPath = join(here, 'preload.cjs');

let mainWindow: BrowserWindow | null = null;
let services: AppServices | null = null;

if (!app.requestSingleInstanceLock()) {
  // A second start focuses the first window instead of opening the store twice.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.whenReady().then(start, (error: unknown) => {
    console.error('Posture Workbench failed to start:', error);
    app.exit(1);
  });
}

const secretBox: SecretBox = {
  isAvailable: () => safeStorage.isEncryptionAvailable(),
  encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
  decrypt: (stored) => safeStorage.decryptString(Buffer.from(stored, 'base64')),
};

const dialogs: Dialogs = {
  async openFiles({ title, filters }) {
    const result = await dialog.showOpenDialog(windowOrThrow(), { title, filters, properties: ['openFile', 'multiSelections'] });
    return result.canceled ? [] : result.filePaths;
  },
  async openFile({ title, filters }) {
    const result = await dialog.showOpenDialog(windowOrThrow(), { title, filters, properties: ['openFile'] });
    return result.canceled ? null : (result.filePaths[0] ?? null);
  },
  async saveFile({ title, defaultName, filters }) {
    const result = await dialog.showSaveDialog(windowOrThrow(), { title, defaultPath: join(app.getPath('documents'), defaultName), filters });
    return result.canceled ? null : (result.filePath ?? null);
  },
};

function windowOrThrow(): BrowserWindow {
  if (!mainWindow) throw new Error('The main window is closed.');
  return mainWindow;
}

function emit(event: WorkbenchEvent): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, event);
}

async function start(): Promise<void> {
  const logDir = app.getPath('logs');
  const { logger, close: closeLog } = await createAppLogger(logDir);
  logger.info({ version: app.getVersion(), electron: process.versions.electron }, 'app starting');

  hardenSessions();

  const userData = app.getPath('userData');
  services = await createAppServices({
    dataDir: userData,
    // The same store as the CLI: POSTURE_WORKBENCH_DB, else the OS data folder.
    dbPath: resolveDbPath(),
    logDir,
    version: readVersion(),
    logger,
    secretBox,
    dialogs,
    openPath: async (path) => {
      const failure = await shell.openPath(path);
      if (failure) throw new Error(`Cannot open ${path}: ${failure}`);
    },
    emit,
    demo: {},
  });

  registerHandlers(services);
  Menu.setApplicationMenu(buildMenu(services, logDir));
  createWindow(join(userData, 'window-state.json'));

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (!services) return;
    event.preventDefault();
    const closing = services;
    services = null;
    closing
      .close()
      .catch((error: unknown) => logger.error({ err: error }, 'closing services failed'))
      .finally(() => {
        logger.info('app stopped');
        closeLog();
        app.exit(0);
      });
  });
}

function readVersion(): string {
  const manifest = JSON.parse(readFileSync(join(app.getAppPath(), 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? app.getVersion();
}

/** Registers each contract method on `workbench:<name>`; a call from any other page is rejected. */
function registerHandlers(current: AppServices): void {
  const handlers = createHandlers(current);
  for (const name of Object.keys(METHODS) as MethodName[]) {
    ipcMain.handle(`${CHANNEL_PREFIX}${name}`, async (event: IpcMainInvokeEvent, input: unknown) => {
      if (!isTrustedSender(event)) {
        current.logger.warn({ method: name, url: event.senderFrame?.url }, 'IPC call from an untrusted sender rejected');
        return { ok: false, error: { code: 'USAGE', message: 'This page may not call the workbench API.' } };
      }
      return handlers[name](input);
    });
  }
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!mainWindow || event.sender !== mainWindow.webContents || !frame || frame.parent !== null) return false;
  return isTrustedSenderUrl(frame.url, rendererUrl);
}

/** Denies every permission, applies the CSP header and blocks remote requests. */
function hardenSessions(): void {
  const defaultSession = session.defaultSession;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  defaultSession.webRequest.onBeforeRequest((details, callback) => {
    // The renderer is packaged files: anything else (http, https, ws) is a bug or an attack.
    const allowed = details.url.startsWith('file:') || details.url.startsWith('devtools:') || details.url.startsWith('data:');
    callback({ cancel: !allowed });
  });
}

function createWindow(stateFile: string): void {
  const workAreas = screen.getAllDisplays().map((display) => display.workArea);
  const bounds = loadWindowBounds(stateFile, workAreas);
  const window = new BrowserWindow({
    ...bounds,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Posture Workbench',
    backgroundColor: '#1d2126',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  mainWindow = window;
  if (bounds.maximized) window.maximize();

  const contents = window.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());

  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    const { x, y, width, height } = window.getNormalBounds();
    saveWindowBounds(stateFile, { x, y, width, height, maximized: window.isMaximized() });
  });
  window.on('closed', () => {
    mainWindow = null;
  });

  void window.loadFile(rendererIndex);
}

function navigate(screenName: ScreenName): void {
  emit({ type: 'navigate', screen: screenName });
}

function buildMenu(current: AppServices, logDir: string): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Import Posture Files…', accelerator: 'CmdOrCtrl+O', click: () => navigate('snapshots') },
        { type: 'separator' },
        {
          label: 'Open Log Folder',
          click: () => {
            void shell.openPath(logDir).then((failure) => {
              if (failure) current.logger.error({ logDir, failure }, 'opening the log folder failed');
            });
          },
        },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Connections', accelerator: 'CmdOrCtrl+1', click: () => navigate('connections') },
        { label: 'Pull', accelerator: 'CmdOrCtrl+2', click: () => navigate('pull') },
        { label: 'Snapshots', accelerator: 'CmdOrCtrl+3', click: () => navigate('snapshots') },
        { label: 'Search', accelerator: 'CmdOrCtrl+4', click: () => navigate('search') },
        { label: 'Diff', accelerator: 'CmdOrCtrl+5', click: () => navigate('diff') },
        { label: 'Trends', accelerator: 'CmdOrCtrl+6', click: () => navigate('trends') },
        { label: 'Reports', accelerator: 'CmdOrCtrl+7', click: () => navigate('reports') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
