// Opens the built workbench in Electron (`npm start` builds first). The Electron binary
// is downloaded on first use; without network access this prints how to get it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let electronBinary;
try {
  // The electron package exports the binary's path, downloading it on the first call.
  electronBinary = require('electron');
} catch (error) {
  console.error(
    [
      'Cannot start Posture Workbench: the Electron binary is missing and could not be downloaded.',
      `  ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      'Run `npm start` once on a machine with network access (the first run downloads Electron),',
      'or use the command-line tool meanwhile: `npx posture-workbench --help`.',
    ].join('\n'),
  );
  process.exit(1);
}

if (!existsSync('dist/electron/main.js') || !existsSync('dist/renderer/index.html')) {
  console.error('The build is missing: run `npm run build` (or `npm start`, which builds first).');
  process.exit(1);
}

// better-sqlite3 is built for Node (tests and the CLI use it); Electron needs its own build.
// `npm rebuild better-sqlite3` restores the Node build afterwards.
if (process.env.POSTURE_WORKBENCH_SKIP_REBUILD !== '1') {
  console.log('Rebuilding better-sqlite3 for Electron (run `npm rebuild better-sqlite3` before the tests or the CLI)…');
  const rebuild = spawnSync('npx', ['electron-builder', 'install-app-deps'], { stdio: 'inherit' });
  if (rebuild.status !== 0) {
    console.error('Rebuilding the native SQLite module for Electron failed; see the output above.');
    process.exit(1);
  }
}

const child = spawn(electronBinary, ['dist/electron/main.js'], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
