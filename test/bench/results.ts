/** Writes a benchmark's JSON result and markdown table under test/bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';

export function writeResults(name: string, json: unknown, markdown: string): void {
  const folder = new URL('./results/', import.meta.url);
  mkdirSync(folder, { recursive: true });
  writeFileSync(new URL(`${name}.json`, folder), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(new URL(`${name}.md`, folder), markdown);
}
