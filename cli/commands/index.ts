/** Every CLI command, in the order `--help` lists them. */
import type { CommandSpec } from '../args.js';
import { diffCommand, historyCommand, trendCommand } from './diff.js';
import { exportCommand } from './export.js';
import { pullCommand } from './pull.js';
import { reportsCommand, signoffCommand } from './signoff.js';
import { searchCommand } from './search.js';
import { deleteCommand, importCommand, labelCommand, showCommand, snapshotsCommand } from './snapshots.js';
import { verifyCommand } from './verify.js';

export const COMMANDS: CommandSpec[] = [importCommand, pullCommand, snapshotsCommand, showCommand, labelCommand, deleteCommand, searchCommand, diffCommand, historyCommand, trendCommand, exportCommand, signoffCommand, reportsCommand, verifyCommand];
