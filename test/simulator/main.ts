// Command-line entry: runs the PCRS simulator until SIGINT or SIGTERM.
// The first stdout line is `listening on URL` so that scripts can read the address.

import { parseArgs } from 'node:util';

import { startSimulator } from './server.js';
import type { SimulatorOptions } from './server.js';
import type { FaultSettings, FaultTarget } from './faults.js';

const HELP = `Usage: npm run simulator -- [options]

Runs a local imitation of the Qualys PCRS API on 127.0.0.1.

Data set
  --port N                 TCP port; 0 or absent picks a free port
  --seed S                 seed of all generated data (integer, default 1)
  --hosts H                number of hosts (default 60)
  --policies P             number of policies (default 3)
  --controls C             controls per policy (default 40)
  --day D                  day of the simulated timeline, 0 = 2025-06-02 (default 0)
  --batch-hosts N          hosts per currentBatch/totalBatches batch (default 250)
  --big-evidence-host I    host index (0-based) whose first control per policy has huge extended evidence
  --big-evidence-mb M      size of that evidence in MiB (default 4)
  --username NAME          accepted user name (default demo)
  --password PASS          accepted password (default demo)

Limits
  --token-ttl SEC          token lifetime in seconds (default 14400)
  --rate-limit N           requests per window and API (default 25)
  --rate-window SEC        rate-limit window in seconds (default 60)
  --rate-mode MODE         429, 409 or off (default 429)
  --empty-204              answer empty posture results with 204 instead of []

Faults (postureInfo requests; --fault-nth restricts the stream faults to listed requests)
  --server-error-first N   answer the first N postureInfo requests with a JSON 503
  --server-error-every N   answer every Nth postureInfo request with a JSON 503
  --html-error-first N     answer the first N postureInfo requests with an HTML error page
  --html-error-status S    status of the HTML error page: 502, 504 or 414 (default 502)
  --slow-chunk-ms MS       delay in milliseconds before each 16 KiB chunk of the body
  --stall-after BYTES      stop sending after BYTES body bytes and hold the socket open
  --reset-after BYTES      reset the connection after BYTES body bytes
  --gzip-cut-after BYTES   end the response cleanly after BYTES body bytes (truncated gzip)
  --early-end-after BYTES  close the connection after BYTES of a body sent without length or chunking
  --fault-nth LIST         comma-separated postureInfo request numbers (from 1) that the
                           slow, stall, reset, gzip-cut and early-end faults hit (default: all)

Output
  --verbose                log each request to stderr
  --help                   show this text
`;

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) {
    throw new Error(`Invalid value for --${name}: '${text}' is not an integer.`);
  }
  return value;
}

function parseCommandLine(argv: string[]): { help: boolean; verbose: boolean; options: SimulatorOptions } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' }, seed: { type: 'string' }, hosts: { type: 'string' }, policies: { type: 'string' },
      controls: { type: 'string' }, day: { type: 'string' }, 'batch-hosts': { type: 'string' },
      'big-evidence-host': { type: 'string' }, 'big-evidence-mb': { type: 'string' },
      username: { type: 'string' }, password: { type: 'string' },
      'token-ttl': { type: 'string' }, 'rate-limit': { type: 'string' }, 'rate-window': { type: 'string' },
      'rate-mode': { type: 'string' }, 'empty-204': { type: 'boolean' },
      'server-error-first': { type: 'string' }, 'server-error-every': { type: 'string' },
      'html-error-first': { type: 'string' }, 'html-error-status': { type: 'string' },
      'slow-chunk-ms': { type: 'string' }, 'stall-after': { type: 'string' }, 'reset-after': { type: 'string' },
      'gzip-cut-after': { type: 'string' }, 'early-end-after': { type: 'string' }, 'fault-nth': { type: 'string' },
      verbose: { type: 'boolean' }, help: { type: 'boolean' },
    },
  });

  const target: FaultTarget = {};
  if (values['fault-nth'] !== undefined) {
    target.nth = values['fault-nth'].split(',').map((part) => integer('fault-nth', part.trim())!);
  }
  const faults: FaultSettings = {};
  const ttl = integer('token-ttl', values['token-ttl']);
  if (ttl !== undefined) faults.tokenTtlSec = ttl;
  const rateMode = values['rate-mode'];
  if (rateMode !== undefined && rateMode !== '429' && rateMode !== '409' && rateMode !== 'off') {
    throw new Error(`Invalid value for --rate-mode: '${rateMode}'. Use 429, 409 or off.`);
  }
  faults.rateLimit = {
    ...(values['rate-limit'] !== undefined ? { limit: integer('rate-limit', values['rate-limit'])! } : {}),
    ...(values['rate-window'] !== undefined ? { windowSec: integer('rate-window', values['rate-window'])! } : {}),
    ...(rateMode !== undefined ? { mode: rateMode } : {}),
  };
  if (values['empty-204']) faults.emptyAs204 = true;

  const serverFirst = integer('server-error-first', values['server-error-first']);
  const serverEvery = integer('server-error-every', values['server-error-every']);
  if (serverFirst !== undefined) faults.serverError = { next: serverFirst };
  else if (serverEvery !== undefined) faults.serverError = { every: serverEvery };
  const htmlFirst = integer('html-error-first', values['html-error-first']);
  if (htmlFirst !== undefined) faults.htmlError = { next: htmlFirst, status: integer('html-error-status', values['html-error-status']) ?? 502 };

  const slow = integer('slow-chunk-ms', values['slow-chunk-ms']);
  if (slow !== undefined) faults.slow = { ...target, chunkDelayMs: slow };
  const cuts = [
    ['stall', 'stall-after'], ['reset', 'reset-after'], ['gzipCut', 'gzip-cut-after'], ['earlyEnd', 'early-end-after'],
  ] as const;
  for (const [fault, flag] of cuts) {
    const afterBytes = integer(flag, values[flag]);
    if (afterBytes !== undefined) faults[fault] = { ...target, afterBytes };
  }

  const options: SimulatorOptions = { faults };
  const numbers = [
    ['port', 'port'], ['seed', 'seed'], ['hosts', 'hosts'], ['policies', 'policies'], ['controlsPerPolicy', 'controls'],
    ['day', 'day'], ['batchHosts', 'batch-hosts'], ['bigEvidenceHost', 'big-evidence-host'], ['bigEvidenceMb', 'big-evidence-mb'],
  ] as const;
  for (const [key, flag] of numbers) {
    const value = integer(flag, values[flag]);
    if (value !== undefined) options[key] = value;
  }
  if (values.username !== undefined) options.username = values.username;
  if (values.password !== undefined) options.password = values.password;
  return { help: values.help ?? false, verbose: values.verbose ?? false, options };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun with --help to list the options.\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const simulator = await startSimulator({ ...parsed.options, ...(parsed.verbose ? { log } : {}) });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`received ${signal}, stopping`);
    simulator.close().then(
      () => log('simulator stopped'),
      (error: unknown) => {
        log(`failed to stop cleanly: ${String(error)}`);
        process.exitCode = 1;
      },
    );
  };
  // Handlers go in before the address is printed: a script may send a signal as soon as it reads it.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  process.stdout.write(`listening on ${simulator.url}\n`);
  const { hosts, policies, seed, day } = simulator.data.options;
  log(`simulator started: seed ${seed}, ${hosts} hosts, ${policies} policies, day ${day}`);
}

await main();
