#!/usr/bin/env node
// Runs the CLI from the TypeScript sources through tsx when they are present (a
// checkout), else from the build in dist/ (an installed package).
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
const built = new URL('../dist/cli/main.js', import.meta.url);

if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write('posture-workbench: neither the sources nor dist/ were found. Run `npm run build`.\n');
  process.exit(1);
}
