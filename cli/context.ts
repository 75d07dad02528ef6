/** Opens the store named by `--db` (or the environment) for the length of one command. */
import { openStore, resolveDbPath, type Store } from '../db/store.js';
import type { CommandContext } from './args.js';

export async function withStore<T>(context: CommandContext, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(resolveDbPath(context.values.db as string | undefined));
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
