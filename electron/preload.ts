/**
 * The preload of the sandboxed renderer: exposes `window.workbench`, one function per
 * contract method, each a call on `workbench:<method>`. Sandboxed preloads must be
 * CommonJS, so this file is bundled on its own into dist/electron/preload.cjs.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CHANNEL_PREFIX, EVENT_CHANNEL, METHODS, type WorkbenchEvent } from './contract.js';

const api: Record<string, unknown> = {};
for (const name of Object.keys(METHODS)) {
  api[name] = (input?: unknown) => ipcRenderer.invoke(`${CHANNEL_PREFIX}${name}`, input);
}

api.onEvent = (listener: (event: WorkbenchEvent) => void) => {
  const forward = (_event: IpcRendererEvent, payload: WorkbenchEvent) => listener(payload);
  ipcRenderer.on(EVENT_CHANNEL, forward);
  return () => {
    ipcRenderer.off(EVENT_CHANNEL, forward);
  };
};

// Electron 32 removed File.path; a dropped file's path comes from webUtils instead.
api.pathForFile = (file: File) => webUtils.getPathForFile(file);

contextBridge.exposeInMainWorld('workbench', api);
