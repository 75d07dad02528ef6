import PDFDocument from 'pdfkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerFonts } from '../../electron/report/pdf/layout.js';
import { FontFace } from '../../electron/report/pdf/text.js';

const SIZE = 8;

function face(name: string): FontFace {
  const doc = new PDFDocument({ autoFirstPage: false });
  registerFonts(doc);
  doc.font(name);
  return new FontFace(name, (doc as unknown as { _font: unknown })._font);
}

describe('report text wrapping', () => {
  let regular: FontFace;
  let mono: FontFace;

  beforeAll(() => {
    regular = face('regular');
    mono = face('mono');
  });

  it('keeps every line within the width', () => {
    const text = 'Status of the minimum password length setting for local accounts on every host in the policy scope. '.repeat(6);
    const lines = regular.wrap(text, SIZE, 120);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(regular.width(line, SIZE)).toBeLessThanOrEqual(120);
  });

  it('loses no character', () => {
    const text = 'alpha beta-gamma /etc/security/pwquality.conf minlen=14\n\nsecond paragraph  with  spaces';
    const lines = regular.wrap(text, SIZE, 60);
    expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    expect(lines).toContain('');
  });

  it('splits a word wider than the line', () => {
    const word = 'x'.repeat(200);
    const lines = mono.wrap(word, SIZE, 50);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.join('')).toBe(word);
    for (const line of lines) expect(mono.width(line, SIZE)).toBeLessThanOrEqual(50);
  });

  it('breaks after a hyphen before letters', () => {
    const width = mono.width('aaaa well-', SIZE);
    expect(mono.wrap('aaaa well-known', SIZE, width)).toEqual(['aaaa well-', 'known']);
  });

  it('keeps a hyphen before a digit', () => {
    const width = mono.width('evaluated 2025-', SIZE);
    expect(mono.wrap('evaluated 2025-06-02', SIZE, width)).toEqual(['evaluated', '2025-06-02']);
  });

  it('breaks host names at separators', () => {
    const width = mono.width('lnx-app-0007.corp.example', SIZE);
    expect(mono.wrap('lnx-app-0007.corp.example.com', SIZE, width)).toEqual(['lnx-app-0007.corp.', 'example.com']);
    expect(mono.wrap('C:\\Windows\\System32\\drivers', SIZE, mono.width('C:\\Windows\\System', SIZE))).toEqual(['C:\\Windows\\', 'System32\\drivers']);
    expect(mono.wrap('/etc/security/pwquality.conf', SIZE, mono.width('/etc/security/pwq', SIZE))).toEqual(['/etc/security/', 'pwquality.conf']);
    expect(mono.wrap('max_auth_tries_value', SIZE, mono.width('max_auth_tries_va', SIZE))).toEqual(['max_auth_tries_', 'value']);
  });

  it('splits only a token wider than the line', () => {
    const width = mono.width('lnx-', SIZE);
    const lines = mono.wrap('lnx-application.corp', SIZE, width);
    expect(lines).toEqual(['lnx-', 'appl', 'icat', 'ion.', 'corp']);
    for (const line of lines) expect(mono.width(line, SIZE)).toBeLessThanOrEqual(width);
  });

  it('keeps decimal numbers and addresses whole', () => {
    const width = mono.width('version 10.20.', SIZE);
    expect(mono.wrap('version 10.20.30.40', SIZE, width)).toEqual(['version', '10.20.30.40']);
  });

  it('never splits a surrogate pair', () => {
    const text = '𠀋'.repeat(30);
    const lines = regular.wrap(text, SIZE, 20);
    for (const line of lines) expect(line.length % 2).toBe(0);
    expect(lines.join('')).toBe(text);
  });

  it('counts a tab as four spaces', () => {
    expect(mono.wrap('a\tb', SIZE, 500)).toEqual(['a    b']);
  });

  it('cuts one line with an ellipsis', () => {
    const line = regular.fitLine('Report 5404eeb1-7346-4d82-b8fd-d94a166aad82 of a long title', SIZE, 80);
    expect(line.endsWith('…')).toBe(true);
    expect(regular.width(line, SIZE)).toBeLessThanOrEqual(80);
    expect(regular.fitLine('short', SIZE, 80)).toBe('short');
  });

  it('encodes four hex digits per character', () => {
    expect(regular.encode('Aé€')).toMatch(/^[0-9a-f]{12}$/);
    expect(regular.encode('AA')).toBe(regular.encode('A').repeat(2));
  });
});
