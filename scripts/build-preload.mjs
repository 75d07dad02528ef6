// Bundles the preload into one CommonJS file, as sandboxed Electron preloads require.
import { build } from 'esbuild';

await build({
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'chrome130',
  external: ['electron'],
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
