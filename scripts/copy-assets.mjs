// Copies the non-TypeScript files the build needs next to the compiled code.
import { cpSync } from 'node:fs';

cpSync('electron/workers/ts-boot.mjs', 'dist/electron/workers/ts-boot.mjs');
