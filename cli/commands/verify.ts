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
the default); it is opened read-only. Exit code 8 when any check fails, or when the
file is not a PDF or zip at all. An unsigned file can only be checked against its own
hashes (and the PDF against the store): sign exports with --p12 to prove their origin.

--json prints {"file", "kind": "pdf"|"package", "ok", "reportId", "revision", "signed",
"store": path or null, "checks": [{"check", "ok", "message"}]}.`,
  async run(context) {
    const file = context.positionals[0];
    if (file === undefined) throw new AppError('USAGE', 'Give the PDF or package to verify: posture-workbench verify FILE.');
    if (context.positionals.length > 1) {
      throw new AppError('USAGE', `verify checks one file at a time, got ${context.positionals.length}; run it once per file, as in \`for f in *.zip; do posture-workbench verify "$f"; done\`.`);
    }
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
        if (!store) {
          context.out(
            context.values['no-store'] === true
              ? '(--no-store: snapshot content was not recomputed from the database)\n'
              : `(no database at ${dbPath}: snapshot content was not recomputed)\n`,
          );
        }
        if (result.ok && result.signed) context.out(`Verified: ${file} is intact.\n`);
        else if (result.ok) {
          // Without a signature, anyone can change a file and its hash in the manifest together.
          const packageNote = result.kind === 'package' ? '; its CSV and raw files are checked only against its manifest' : '';
          context.out(`Verified: ${file} matches its own hashes${store ? ' and the store' : ''}. It is not signed, so this does not prove who made it${packageNote}.\n`);
        }
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
