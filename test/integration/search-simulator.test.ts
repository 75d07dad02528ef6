import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasScopeColumns } from '../../db/search/columns.js';
import { searchFacets, searchPostures, type SearchRequest } from '../../db/search/search.js';
import { latestSnapshotId } from '../../db/snapshots.js';
import { openStore, type Store } from '../../db/store.js';
import { importFiles } from '../../electron/ingest/import.js';
import { generateFile } from '../simulator/index.js';
import { makeTempDir } from '../helpers/temp.js';

/**
 * Checks search against an oracle written independently of SQL: the simulator's records,
 * split into words the way the FTS5 unicode61 tokenizer splits them (runs of letters and
 * digits, case-folded), and matched field by field in JavaScript.
 */
type RawRecord = Record<string, unknown>;

function words(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).flatMap(words);
  return (String(value).toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** Returns the words of every searchable field of a record, as the search indexes see them. */
function searchableWords(record: RawRecord): Set<string> {
  const evidence = (record.evidence ?? {}) as RawRecord;
  const technology = (record.technology ?? {}) as RawRecord;
  const criticality = (record.criticality ?? {}) as RawRecord;
  const fields = [
    record.controlStatement,
    record.rationale,
    record.remediation,
    record.category,
    record.subCategory,
    technology.name,
    criticality.label,
    record.controlId,
    record.ip,
    record.dns,
    record.netBios,
    record.domainName,
    record.os,
    record.osCpe,
    record.networkName,
    record.hostId,
    record.policyTitle,
    evidence.expectedValues,
    evidence.extendedEvidence,
    evidence.description,
    evidence.currentValues,
    record.causeOfFailure,
  ];
  return new Set(fields.flatMap(words));
}

function identity(record: { policyId: unknown; hostId: unknown; controlId: unknown; instance: unknown }): string {
  return `${Number(record.policyId)}/${Number(record.hostId)}/${Number(record.controlId)}/${String(record.instance)}`;
}

describe('search on a simulator import', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let store: Store;
  let records: RawRecord[];

  beforeAll(async () => {
    dir = makeTempDir('pw-search-sim-');
    const file = join(dir.path, 'postures.json');
    await generateFile({ seed: 11, hosts: 40, policies: 2, controlsPerPolicy: 30 }, file, { version: 3, evidence: true });
    records = JSON.parse(readFileSync(file, 'utf8')) as RawRecord[];
    store = openStore(join(dir.path, 'store.db'));
    await importFiles(store, [file]);
  });

  afterAll(() => {
    store.close();
    dir.remove();
  });

  function all(request: SearchRequest): string[] {
    const found: string[] = [];
    let cursor: string | null = null;
    do {
      const page = searchPostures(store, { ...request, limit: 1000, cursor });
      found.push(...page.rows.map(identity));
      cursor = page.nextCursor;
    } while (cursor);
    return found.sort();
  }

  function expected(match: (record: RawRecord) => boolean): string[] {
    return records.filter(match).map((record) => identity(record as Parameters<typeof identity>[0])).sort();
  }

  it('imports a data set large enough to matter', () => {
    expect(records.length).toBeGreaterThan(500);
  });

  for (const word of ['password', 'ssh', 'kernel', 'login', 'audit', 'telnet', 'permissions']) {
    it(`finds every record with the word ${word}`, () => {
      const want = expected((record) => searchableWords(record).has(word));
      expect(want.length).toBeGreaterThan(0);
      for (const strategy of ['auto', 'walk'] as const) {
        expect({ word, strategy, found: all({ query: word, strategy }) }).toEqual({ word, strategy, found: want });
      }
      expect(searchFacets(store, { query: word }).total).toBe(want.length);
    });
  }

  it('counts the same facets in one-shot mode without loading the columns', () => {
    // A second connection, as a CLI process opens: its columns start cold.
    const fresh = openStore(store.path);
    try {
      for (const query of ['', 'status:Failed', '-password', 'password', 'criticality:4,5 -ssh', 'evidence:collected', 'previous:Passed exception:no']) {
        expect({ query, counts: searchFacets(fresh, { query, oneShot: true }) }).toEqual({ query, counts: searchFacets(store, { query }) });
      }
      expect(hasScopeColumns(fresh.sqlite, `one:${latestSnapshotId(fresh)}`)).toBe(false);
    } finally {
      fresh.close();
    }
  });

  it('finds the failed postures of one host', () => {
    const ip = String(records.find((record) => record.status === 'Failed')!.ip);
    const want = expected((record) => record.ip === ip && record.status === 'Failed');
    expect(all({ query: `host:${ip} status:Failed` })).toEqual(want);
    expect(all({ query: ip, statuses: ['Failed'] })).toEqual(want);
  });

  it('matches filters on criticality and policy', () => {
    const policyId = Number(records[0]!.policyId);
    const want = expected(
      (record) => Number(record.policyId) === policyId && [4, 5].includes(Number((record.criticality as RawRecord).value)),
    );
    expect(all({ query: `criticality:4,5 policy:${policyId}` })).toEqual(want);
  });

  it('excludes a word from a filter', () => {
    const want = expected((record) => record.status === 'Failed' && !searchableWords(record).has('password'));
    expect(all({ query: 'status:Failed -password' })).toEqual(want);
    expect(searchFacets(store, { query: 'status:Failed -password' }).total).toBe(want.length);
  });

  it('counts statuses like the records do', () => {
    const byStatus = new Map<string, number>();
    for (const record of records) byStatus.set(String(record.status), (byStatus.get(String(record.status)) ?? 0) + 1);
    const facets = searchFacets(store, {}).facets.status;
    expect(Object.fromEntries(facets.map((entry) => [entry.value, entry.count]))).toEqual(Object.fromEntries(byStatus));
  });
});
