import { describe, expect, it } from 'vitest';
import { AppError } from '../../db/errors.js';
import { parseApiDate, parseApiVersion, postureInfoUrl, validatePostureParams, type ApiVersion, type PostureParams } from '../../electron/pcrs/params.js';
import { PLATFORM_GATEWAYS, resolveGateway } from '../../electron/pcrs/platforms.js';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('USAGE');
    return (error as AppError).message;
  }
  throw new Error('expected a USAGE error');
}

describe('validatePostureParams', () => {
  const rejected: [string, ApiVersion, PostureParams, RegExp][] = [
    ['range without end', 3, { lastScanDateFrom: '2025-01-01' }, /lastScanDateFrom \(--last-scan-date-from\) needs lastScanDateTo/],
    ['range without start', 3, { lastScanDateTo: '2025-01-01' }, /lastScanDateTo .* needs lastScanDateFrom/],
    ['range with lastScanDate', 3, { lastScanDate: '2025-01-01', lastScanDateFrom: '2025-01-01', lastScanDateTo: '2025-01-02' }, /lastScanDate .* cannot be combined/],
    ['range reversed', 3, { lastScanDateFrom: '2025-02-01', lastScanDateTo: '2025-01-01' }, /later than/],
    ['values and labels', 3, { criticalityValues: [1], criticalityLabels: ['MEDIUM'] }, /cannot be used together/],
    ['criticality value 6', 3, { criticalityValues: [6] }, /Invalid criticalityValues/],
    ['unknown label', 3, { criticalityLabels: ['HIGH'] }, /Invalid criticalityLabels .*"HIGH"/],
    ['bad status', 3, { status: ['Passed', 'Skipped'] }, /Invalid status .*"Skipped"/],
    ['two previous statuses', 3, { previousStatus: 'Passed,Failed' }, /exactly one/],
    ['status on 1.0', 1, { status: ['Passed'] }, /not supported by postureInfo version 1\.0; use --api 3/],
    ['excludeInactiveControl on 1.0', 1, { excludeInactiveControl: true }, /use --api 2 or 3/],
    ['cloudMetaDataRequired on 2.0', 2, { cloudMetaDataRequired: true }, /version 2\.0; use --api 3/],
    ['criticality on 2.0', 2, { criticalityLabels: ['MEDIUM'] }, /version 2\.0/],
    ['slash date', 3, { lastEvaluationDate: '2025/01/01' }, /Invalid date for lastEvaluationDate \(--last-evaluation-date\)/],
    ['impossible date', 3, { statusChangedSince: '2025-02-30' }, /Invalid date for statusChangedSince/],
    ['local time without Z', 3, { lastScanDate: '2025-01-01T10:00:00' }, /Invalid date for lastScanDate/],
    ['hour 24', 3, { lastScanDate: '2025-01-01T24:00:00Z' }, /Invalid date/],
  ];
  for (const [name, version, params, pattern] of rejected) {
    it(`rejects ${name}`, () => {
      expect(usageMessage(() => validatePostureParams(version, params))).toMatch(pattern);
    });
  }

  it('accepts every 3.0 parameter together', () => {
    const params = validatePostureParams(3, {
      evidenceRequired: true,
      compressionRequired: false,
      lastEvaluationDate: '2025-06-01',
      lastScanDateFrom: '2025-05-01',
      lastScanDateTo: '2025-06-01T12:00:00Z',
      statusChangedSince: ' 2025-05-15 ',
      excludeInactiveControl: true,
      cloudMetaDataRequired: true,
      status: ['passed', 'Failed', 'Failed'],
      previousStatus: 'error',
      criticalityLabels: ['medium', 'CRITICAL'],
    });
    expect(params.status).toEqual(['Passed', 'Failed']);
    expect(params.previousStatus).toBe('Error');
    expect(params.criticalityLabels).toEqual(['MEDIUM', 'CRITICAL']);
    expect(params.statusChangedSince).toBe('2025-05-15');
  });

  it('accepts the 1.0 parameters', () => {
    expect(validatePostureParams(1, { lastScanDate: '2021-12-17T18:48:16Z', evidenceRequired: false })).toEqual({
      lastScanDate: '2021-12-17T18:48:16Z',
      evidenceRequired: false,
    });
  });
});

describe('postureInfoUrl', () => {
  it('builds the query with URLSearchParams', () => {
    const params = validatePostureParams(3, { evidenceRequired: true, status: ['Passed', 'Error'], criticalityValues: [2, 3], lastScanDate: '2025-01-01' });
    const url = postureInfoUrl(new URL('https://gateway.qg1.apps.qualys.eu/'), 3, params);
    expect(url.pathname).toBe('/pcrs/3.0/posture/postureInfo');
    expect(url.searchParams.get('evidenceRequired')).toBe('1');
    expect(url.searchParams.get('compressionRequired')).toBe('1');
    expect(url.searchParams.get('status')).toBe('Passed,Error');
    expect(url.searchParams.get('criticalityValues')).toBe('2,3');
    expect(url.searchParams.get('lastScanDate')).toBe('2025-01-01');
  });

  it('keeps a gateway path prefix', () => {
    const url = postureInfoUrl(resolveGateway({ gateway: 'https://proxy.example.com/qualys' }), 1, {});
    expect(url.toString()).toBe('https://proxy.example.com/qualys/pcrs/1.0/posture/postureInfo?evidenceRequired=0&compressionRequired=1');
  });
});

describe('resolveGateway', () => {
  it('maps every platform to https', () => {
    for (const [platform, host] of Object.entries(PLATFORM_GATEWAYS)) {
      expect(resolveGateway({ platform: platform.toLowerCase() }).toString()).toBe(`https://${host}/`);
    }
  });

  it('rejects an unknown platform', () => {
    expect(usageMessage(() => resolveGateway({ platform: 'US9' }))).toMatch(/Unknown platform "US9"/);
  });

  it('rejects both platform and gateway', () => {
    expect(usageMessage(() => resolveGateway({ platform: 'US1', gateway: 'https://x.example' }))).toMatch(/not both/);
  });

  it('rejects plain http off loopback', () => {
    expect(usageMessage(() => resolveGateway({ gateway: 'http://gateway.example.com' }))).toMatch(/Refusing plain http/);
  });

  it('accepts http on loopback', () => {
    expect(resolveGateway({ gateway: 'http://127.0.0.1:8080' }).toString()).toBe('http://127.0.0.1:8080/');
  });

  it('rejects credentials in the URL', () => {
    expect(usageMessage(() => resolveGateway({ gateway: 'https://user:pw@gateway.example.com' }))).toMatch(/must not contain credentials/);
  });
});

describe('parseApiVersion and parseApiDate', () => {
  it('reads versions with or without .0', () => {
    expect(parseApiVersion('2.0')).toBe(2);
    expect(parseApiVersion(3)).toBe(3);
    expect(usageMessage(() => parseApiVersion('4'))).toMatch(/Invalid --api "4"/);
  });

  it('parses both date formats', () => {
    expect(parseApiDate('2025-06-02')).toBe(Date.UTC(2025, 5, 2));
    expect(parseApiDate('2025-06-02T18:48:16Z')).toBe(Date.UTC(2025, 5, 2, 18, 48, 16));
    expect(parseApiDate('2024-02-29')).not.toBeNull();
    expect(parseApiDate('2025-02-29')).toBeNull();
  });
});
