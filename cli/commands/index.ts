/** Every CLI command, in the order `--help` lists them. */
import type { CommandSpec } from '../args.js';
import { diffCommand, historyCommand, trendCommand } from './diff.js';
import { pullCommand } from './pull.js';
import { deleteCommand, importCommand, labelCommand, showCommand, snapshotsCommand } from './snapshots.js';

export const COMMANDS: CommandSpec[] = [importCommand, pullCommand, snapshotsCommand, showCommand, labelCommand, deleteCommand, diffCommand, historyCommand, trendCommand];
