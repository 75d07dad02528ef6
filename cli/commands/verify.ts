/** `verify FILE`: checks a report PDF or an audit package and, with a store, its snapshots. */
import { existsSync } from 'node:fs';
import { AppError } from '../../db/errors.js';
import { openStore, resolveDbPath, type Store } from '../../db/store.js';
import { verifyFile } from '../../electron/report/verify.js';
import { EXIT_CODES, type CommandSpec } from '../args.js';

export const verifyCommand: CommandSpec = {
  name: 'verify',
  summary: 'Verify a report PDF or audit package: signature and byte ranges, manifest hashes, and snapshot content.',
  usage: 'verify FILE [--db PATH] [--no-store] [--json]',
  options: {
    'no-store': { type: 'boolean', description: 'Check the file alone, without recomputing hashes from the database' },
  },
  details: `The store is used when the database file exists (--db, $POSTURE_WORKBENCH_DB or
the default); it is opened read-only. Exit code 8 when any check fails.

--json prints {"file", "kind": "pdf"|"package", "ok", "reportId", "revision", "signed",
"store": path or null, "checks": [{"check", "ok", "message"}]}.`,
  async run(context) {
    const file = context.positionals[0];
    if (file === undefined) throw new AppError('USAGE', 'Give the PDF or package to verify: posture-workbench verify FILE.');
    const dbPath = resolveDbPath(context.values.db as string | undefined);
    const useStore = context.values['no-store'] !== true && existsSync(dbPath);
    if (context.values.db !== undefined && !existsSync(dbPath)) {
      throw new AppError('NOT_FOUND', `Database not found: ${dbPath}. Check --db, or use --no-store to check the file alone.`);
    }
    let store: Store | null = null;
    try {
      store = useStore ? openStore(dbPath, { readonly: true }) : null;
      const result = await verifyFile(file, store);
      if (context.json) {
        context.out(JSON.stringify({ ...result, store: store ? dbPath : null }) + '\n');
      } else {
        for (const check of result.checks) context.out(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.message}\n`);
        if (!store) context.out('(no database at hand: snapshot content was not recomputed)\n');
        context.out(result.ok ? `Verified: ${file} is intact.\n` : '');
      }
      if (!result.ok) {
        const failed = result.checks.filter((check) => !check.ok);
        context.err(`posture-workbench verify: ${file} failed ${failed.length} check(s): ${failed[0]!.message}\n`);
        return EXIT_CODES.VERIFY_FAILED;
      }
    } finally {
      store?.close();
    }
  },
};
