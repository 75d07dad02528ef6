/**
 * Search reader thread: runs search pages and facet counts on its own read-only
 * connection, so a query that reads a million postures never blocks the main process's
 * event loop. The messages are defined in search-protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../db/errors.js';
import { search, searchPostures } from '../../db/search/search.js';
import { openStore, type Store } from '../../db/store.js';
import { isSearchQueryMessage, type SearchReaderData, type SearchReaderReady, type SearchReply } from './search-protocol.js';

const port = parentPort;
if (!port) throw new Error('search-worker.ts must run in a worker thread; start it through SearchReader.');

const { dbPath } = workerData as SearchReaderData;

// Opened at start, so the first search does not wait for it. When that fails, each query
// tries again and returns the failure as its error.
let store: Store | null = null;
let startError: SearchReaderReady['error'] = null;
try {
  store = openStore(dbPath, { readonly: true });
} catch (error) {
  startError = toErrorInfo(error);
}
port.postMessage({ type: 'ready', error: startError } satisfies SearchReaderReady);

function reply(message: SearchReply): void {
  port!.postMessage(message);
}

port.on('message', (message: unknown) => {
  if (!isSearchQueryMessage(message)) return;
  try {
    store ??= openStore(dbPath, { readonly: true });
    const value = message.kind === 'page' ? searchPostures(store, message.request) : search(store, message.request);
    reply({ type: 'result', seq: message.seq, ok: true, value });
  } catch (error) {
    reply({ type: 'result', seq: message.seq, ok: false, error: toErrorInfo(error) });
  }
});

port.on('close', () => store?.close());
