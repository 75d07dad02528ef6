import { describe, expect, test } from 'vitest';
import { METHODS, isMethodName, parseInput } from '../../electron/contract.js';
import { isAllowedNavigation, isTrustedSenderUrl } from '../../electron/security.js';
import { fitToDisplays } from '../../electron/window-state.js';

describe('contract validation', () => {
  test('accepts valid inputs', () => {
    expect(parseInput('getSnapshot', { id: 3 })).toEqual({ ok: true, value: { id: 3 } });
    expect(parseInput('appInfo', undefined).ok).toBe(true);
    expect(parseInput('listSnapshots', { includeBuilding: true }).ok).toBe(true);
    expect(parseInput('diffRows', { a: 1, b: 2, classes: ['regressed'], limit: 50 }).ok).toBe(true);
  });

  test('rejects malformed inputs with INVALID_INPUT', () => {
    const cases: [Parameters<typeof parseInput>[0], unknown][] = [
      ['getSnapshot', { id: -1 }],
      ['getSnapshot', { id: 1.5 }],
      ['getSnapshot', { id: '1' }],
      ['getSnapshot', undefined],
      ['appInfo', { extra: true }],
      ['updateSnapshot', { id: 1 }],
      ['importFiles', { paths: [] }],
      ['diffRows', { a: 1, b: 2, classes: ['everything'] }],
      ['diffRows', { a: 1, b: 2, limit: 100_000 }],
      ['startPull', { connectionId: 'demo', api: 4, policyIds: [1], allPolicies: false, params: {} }],
      ['startPull', { connectionId: 'demo', api: 3, policyIds: [], allPolicies: false, params: {} }],
    ];
    for (const [name, input] of cases) {
      const result = parseInput(name, input);
      expect(result.ok, `${name} ${JSON.stringify(input)}`).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('INVALID_INPUT');
    }
  });

  test('names the invalid field', () => {
    const result = parseInput('saveConnection', { name: 'x', platform: 'custom', gatewayUrl: 'not a url', username: 'u', savePassword: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/^gatewayUrl: /);
  });

  test('method names are known', () => {
    expect(isMethodName('listSnapshots')).toBe(true);
    expect(isMethodName('constructor')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
    expect(Object.keys(METHODS).length).toBeGreaterThan(20);
  });
});

describe('sender and navigation checks', () => {
  const page = 'file:///opt/Posture%20Workbench/resources/app.asar/dist/renderer/index.html';

  test('trusts only the app page', () => {
    expect(isTrustedSenderUrl(page, page)).toBe(true);
    expect(isTrustedSenderUrl(`${page}#diff`, page)).toBe(true);
    expect(isTrustedSenderUrl('file:///tmp/evil.html', page)).toBe(false);
    expect(isTrustedSenderUrl('https://example.com/index.html', page)).toBe(false);
    expect(isTrustedSenderUrl(`http://127.0.0.1/dist/renderer/index.html`, page)).toBe(false);
    expect(isTrustedSenderUrl('not a url', page)).toBe(false);
  });

  test('navigation stays on the page', () => {
    expect(isAllowedNavigation(`${page}#search`, page)).toBe(true);
    expect(isAllowedNavigation('https://qualys.com/', page)).toBe(false);
  });
});

describe('window bounds', () => {
  const display = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  test('keeps a visible position', () => {
    expect(fitToDisplays({ x: 100, y: 80, width: 1200, height: 800 }, display)).toEqual({ x: 100, y: 80, width: 1200, height: 800, maximized: false });
  });

  test('drops a position off every display', () => {
    expect(fitToDisplays({ x: 4000, y: 80, width: 1200, height: 800 }, display)).toEqual({ width: 1200, height: 800, maximized: false });
  });

  test('enforces the minimum size', () => {
    expect(fitToDisplays({ width: 10, height: Number.NaN }, display)).toEqual({ width: 800, height: 820, maximized: false });
  });
});
