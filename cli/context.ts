/** Opens the store named by `--db` (or the environment) for the length of one command. */
import { openStore, resolveDbPath, type Store } from '../db/store.js';
import type { CommandContext } from './args.js';

/**
 * Only commands that add data (import) create a missing database; the others report a
 * mistyped --db path instead of creating an empty file there.
 */
export async function withStore<T>(
  context: CommandContext,
  work: (store: Store) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const store = openStore(resolveDbPath(context.values.db as string | undefined), { create: options.create ?? false });
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
