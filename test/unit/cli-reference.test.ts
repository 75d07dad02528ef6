import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_REFERENCE_PATH, renderCliReference } from '../../scripts/cli-reference.js';

describe('docs/cli.md', () => {
  it('matches every command help', () => {
    // On failure, regenerate with `npx tsx scripts/cli-reference.ts` and review the diff.
    expect(readFileSync(CLI_REFERENCE_PATH, 'utf8')).toBe(renderCliReference());
  });
});
