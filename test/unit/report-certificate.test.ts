import { describe, expect, it } from 'vitest';
import { createDemoCertificate, describeCertificate } from '../../electron/report/signing.js';

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
