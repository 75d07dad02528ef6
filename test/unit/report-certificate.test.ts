import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyDetached } from '../../electron/report/cms.js';
import { createDemoCertificate, describeCertificate, signDetached } from '../../electron/report/signing.js';
import { makeTempDir } from '../helpers/temp.js';

describe('certificate errors', () => {
  it('bad file names the file and the fix', () => {
    const certificate = { p12: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n'), password: 'x', file: 'auditor.pem' };
    expect(() => describeCertificate(certificate)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    try {
      describeCertificate(certificate);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^auditor\.pem is not a readable PKCS#12/);
      expect(message).toContain('--p12');
      expect(message).toContain('openssl pkcs12 -export');
      expect(message).toMatch(/password/);
      expect(message).toMatch(/\.$/);
      expect(message).not.toMatch(/\.\)/);
    }
  });

  it('wrong password names the file', () => {
    const certificate = { ...createDemoCertificate({ password: 'right' }), password: 'wrong', file: 'auditor.p12' };
    expect(() => describeCertificate(certificate)).toThrow(expect.objectContaining({ code: 'AUTH' }));
    expect(() => describeCertificate(certificate)).toThrow(/does not open auditor\.p12 .*--p12-password-env/);
  });
});

describe('certificate names outside ASCII', () => {
  const data = Buffer.from('manifest bytes');

  it('demo certificate signs and verifies', async () => {
    const certificate = createDemoCertificate({ commonName: 'Jürgen Müller', password: 'test-only' });
    expect(describeCertificate(certificate).subject).toBe('CN=Jürgen Müller, O=Posture Workbench demo certificate');

    const check = verifyDetached(await signDetached(data, certificate), data);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.signer).toContain('CN=Jürgen Müller');
  });

  it('OpenSSL certificate signs and verifies', async () => {
    // A certificate from the tool auditors use to make one, with UTF8String names.
    const dir = makeTempDir('pw-cert-');
    try {
      const key = join(dir.path, 'key.pem');
      const pem = join(dir.path, 'cert.pem');
      const p12 = join(dir.path, 'auditor.p12');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', pem, '-days', '30', '-utf8', '-subj', '/CN=Åsa Ødegård/O=Prüfung GmbH/C=DE'], { stdio: 'ignore' });
      execFileSync('openssl', ['pkcs12', '-export', '-in', pem, '-inkey', key, '-out', p12, '-passout', 'pass:test-only'], { stdio: 'ignore' });
      const certificate = { p12: readFileSync(p12), password: 'test-only' };
      expect(describeCertificate(certificate).subject).toBe('CN=Åsa Ødegård, O=Prüfung GmbH, C=DE');

      const check = verifyDetached(await signDetached(data, certificate), data);
      expect(check.problems).toEqual([]);
      expect(check.signer).toBe('CN=Åsa Ødegård, O=Prüfung GmbH, C=DE');
    } finally {
      dir.remove();
    }
  });
});

describe('certificate key types', () => {
  it('EC key names the supported type', () => {
    const dir = makeTempDir('pw-cert-ec-');
    try {
      const key = join(dir.path, 'key.pem');
      const pem = join(dir.path, 'cert.pem');
      const p12 = join(dir.path, 'ec.p12');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', pem, '-days', '30', '-subj', '/CN=EC auditor'], { stdio: 'ignore' });
      execFileSync('openssl', ['pkcs12', '-export', '-in', pem, '-inkey', key, '-out', p12, '-passout', 'pass:test-only'], { stdio: 'ignore' });
      expect(() => describeCertificate({ p12: readFileSync(p12), password: 'test-only' })).toThrow(/not an RSA key, and only RSA keys can sign here/);
    } finally {
      dir.remove();
    }
  });
});
