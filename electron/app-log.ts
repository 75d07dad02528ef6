/**
 * The desktop app's log: pino (with the redaction rules of log.ts) into a file in the
 * app's log folder that rolls over daily or at 10 MB, keeping the last 7 files.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import { createLogger } from './log.js';

interface RollOptions {
  file: string;
  frequency?: 'daily' | 'hourly' | number;
  size?: string | number;
  mkdir?: boolean;
  limit?: { count?: number; removeOtherLogFiles?: boolean };
}

// pino-roll ships no type declarations; this is the one function it exports.
const require = createRequire(import.meta.url);
const pinoRoll = require('pino-roll') as (options: RollOptions) => Promise<DestinationStream & { flushSync?(): void; end?(): void }>;

export const LOG_FILE_BASE = 'workbench';

export async function createAppLogger(logDir: string, options: { level?: string } = {}): Promise<{ logger: Logger; close(): void }> {
  const stream = await pinoRoll({
    file: join(logDir, LOG_FILE_BASE),
    frequency: 'daily',
    size: '10m',
    mkdir: true,
    limit: { count: 7, removeOtherLogFiles: true },
  });
  const logger = createLogger({ name: 'workbench', level: options.level, destination: stream });
  return {
    logger,
    close() {
      stream.flushSync?.();
      stream.end?.();
    },
  };
}
