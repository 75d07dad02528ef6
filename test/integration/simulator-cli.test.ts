import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import { afterEach, describe, expect, it } from 'vitest';

const MAIN = new URL('../simulator/main.ts', import.meta.url).pathname;

let child: ChildProcessWithoutNullStreams | undefined;

function run(args: string[]): ChildProcessWithoutNullStreams {
  child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: 'pipe' });
  return child;
}

async function firstLine(process: ChildProcessWithoutNullStreams): Promise<string> {
  const lines = createInterface({ input: process.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return line;
}

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});

describe('simulator command line', () => {
  it('prints the address first and serves the API', async () => {
    const process = run(['--port', '0', '--hosts', '5', '--policies', '1', '--seed', '3']);
    const line = await firstLine(process);
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const base = line.slice('listening on '.length);
    const auth = await fetch(new URL('/auth', base), { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo', token: 'true' }) });
    expect(auth.status).toBe(201);
    const token = await auth.text();
    const list = await fetch(new URL('/pcrs/1.0/posture/policy/list', base), { headers: { Authorization: `Bearer ${token}` } });
    const body = (await list.json()) as { policyList: unknown[] };
    expect(body.policyList).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM', async () => {
    const process = run(['--hosts', '5']);
    await firstLine(process);
    const errors: Buffer[] = [];
    process.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    process.kill('SIGTERM');
    const [code, signal] = (await once(process, 'exit')) as [number | null, string | null];
    expect(signal, Buffer.concat(errors).toString('utf8')).toBeNull();
    expect(code).toBe(0);
  });

  it('applies fault flags', async () => {
    const process = run(['--hosts', '5', '--server-error-first', '1', '--rate-limit', '7']);
    const base = (await firstLine(process)).slice('listening on '.length);
    const token = await (await fetch(new URL('/auth', base), { method: 'POST', body: new URLSearchParams({ username: 'demo', password: 'demo', token: 'true' }) })).text();
    const post = () => fetch(new URL('/pcrs/2.0/posture/postureInfo', base), { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '[]' });
    expect((await post()).status).toBe(503);
    const second = await post();
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-limit')).toBe('7');
  });

  it('lists every flag with --help', async () => {
    const process = run(['--help']);
    const chunks: Buffer[] = [];
    process.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const [code] = (await once(process, 'exit')) as [number | null];
    const help = Buffer.concat(chunks).toString('utf8');
    expect(code).toBe(0);
    for (const flag of ['--port', '--seed', '--hosts', '--policies', '--day', '--token-ttl', '--rate-limit', '--rate-mode', '--stall-after', '--reset-after', '--gzip-cut-after', '--early-end-after', '--big-evidence-mb']) {
      expect(help).toContain(flag);
    }
  });

  it('rejects an invalid flag value', async () => {
    const process = run(['--hosts', 'many']);
    const chunks: Buffer[] = [];
    process.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const [code] = (await once(process, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(Buffer.concat(chunks).toString('utf8')).toContain('--hosts');
  });
});
