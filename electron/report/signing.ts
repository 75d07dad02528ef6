/**
 * Digital signatures with a PKCS#12 certificate. A PDF gets a standard PDF signature: an
 * `adbe.pkcs7.detached` CMS with SHA-256 over the file's byte ranges, which Acrobat and
 * poppler's `pdfsig` validate. The package manifest gets a detached CMS (./cms.ts verifies
 * both). This module also makes throwaway self-signed certificates for demos and tests.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import forge from 'node-forge';
import { AppError } from '../../db/errors.js';
import type { SignatureDescription } from './model.js';

export interface Certificate {
  p12: Buffer;
  password: string;
  /** Set for a throwaway certificate, which the sign-off page then labels as such. */
  demo?: boolean;
  /** Path the certificate was read from, named in error messages. */
  file?: string;
}

// Room for the CMS: a certificate chain of a few certificates fits in 16 KiB of DER.
const SIGNATURE_LENGTH = 16384;
const DEMO_MARKER = 'Posture Workbench demo certificate';

function certificateOf(certificate: Certificate): { cert: forge.pki.Certificate; key: forge.pki.PrivateKey } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(certificate.p12.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, certificate.password);
  } catch (error) {
    // node-forge's messages end with a period; the reason goes in brackets mid-sentence.
    const reason = (error as Error).message.replace(/\.+$/, '');
    const file = certificate.file ?? 'The certificate file';
    if (/password|MAC|mac/i.test(reason)) {
      throw new AppError(
        'AUTH',
        `The password does not open ${file} (${reason}). Check the password in the variable named by --p12-password-env, ` +
          'and that --p12 names the right certificate file.',
        { cause: error },
      );
    }
    throw new AppError(
      'INVALID_INPUT',
      `${file} is not a readable PKCS#12 (.p12/.pfx) file (${reason}). Check that --p12 names the PKCS#12 file with the ` +
        'certificate and its private key, not a PEM or DER certificate or key; convert PEM files with ' +
        '`openssl pkcs12 -export -in cert.pem -inkey key.pem -out auditor.p12`. A wrong password can also cause this.',
      { cause: error },
    );
  }
  const keyBagType = forge.pki.oids.pkcs8ShroudedKeyBag!;
  const certBagType = forge.pki.oids.certBag!;
  const keyBag = p12.getBags({ bagType: keyBagType })[keyBagType]?.[0];
  const certBags: forge.pkcs12.Bag[] = p12.getBags({ bagType: certBagType })[certBagType] ?? [];
  const key = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new AppError('INVALID_INPUT', 'The PKCS#12 file contains no private key; export the certificate together with its key.');
  const cert = certBags
    .map((bag) => bag.cert)
    .find((candidate): candidate is forge.pki.Certificate => {
      if (!candidate) return false;
      const publicKey = candidate.publicKey as forge.pki.rsa.PublicKey | undefined;
      return publicKey !== undefined && publicKey.n.equals(key.n) && publicKey.e.equals(key.e);
    });
  if (!cert) throw new AppError('INVALID_INPUT', 'The PKCS#12 file contains no certificate that matches its private key; export the matching pair.');
  return { cert, key };
}

function distinguishedName(attributes: forge.pki.CertificateField[]): string {
  return attributes.map((attribute) => `${attribute.shortName ?? attribute.name ?? attribute.type}=${String(attribute.value)}`).join(', ');
}

/** Describes the certificate for the sign-off page; throws AUTH on a wrong password. */
export function describeCertificate(certificate: Certificate): SignatureDescription {
  const { cert } = certificateOf(certificate);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const now = Date.now();
  if (cert.validity.notAfter.getTime() < now || cert.validity.notBefore.getTime() > now) {
    throw new AppError(
      'INVALID_INPUT',
      `The certificate is not valid now (valid ${cert.validity.notBefore.toISOString()} to ${cert.validity.notAfter.toISOString()}); use a current one.`,
    );
  }
  return {
    subject: distinguishedName(cert.subject.attributes),
    issuer: distinguishedName(cert.issuer.attributes),
    validFrom: cert.validity.notBefore.toISOString(),
    validTo: cert.validity.notAfter.toISOString(),
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
    demoCertificate: certificate.demo === true || distinguishedName(cert.subject.attributes).includes(DEMO_MARKER),
  };
}

/**
 * Reduces text to printable ASCII for the signature dictionary: placeholder-plain 3.3
 * encodes other characters wrongly there. Accents are dropped, anything else becomes `?`.
 * The report pages keep the full text.
 */
function asciiOnly(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

/** Adds a signature field and signs the whole PDF (except the signature value itself). */
export async function signPdf(pdf: Buffer, certificate: Certificate, details: { name: string; reason: string; location: string }): Promise<Buffer> {
  certificateOf(certificate);
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: asciiOnly(details.reason),
    contactInfo: '',
    name: asciiOnly(details.name),
    location: asciiOnly(details.location),
    signatureLength: SIGNATURE_LENGTH,
    // Written as a PDF name, so it must not contain spaces.
    appName: 'PostureWorkbench',
  });
  const signer = new P12Signer(certificate.p12, { passphrase: certificate.password });
  return new SignPdf().sign(withPlaceholder, signer);
}

/** Signs `data` as a detached CMS (PKCS#7) with SHA-256; returns the DER bytes. */
export async function signDetached(data: Buffer, certificate: Certificate): Promise<Buffer> {
  certificateOf(certificate);
  const signer = new P12Signer(certificate.p12, { passphrase: certificate.password });
  return signer.sign(data);
}

/**
 * Creates a throwaway self-signed certificate as PKCS#12, valid for `days` from now. Its
 * subject names it a demo certificate, so reports signed with it say so.
 */
export function createDemoCertificate(options: { commonName?: string; password: string; days?: number }): Certificate {
  // Node generates the RSA key in native code; node-forge's pure-JS generator takes seconds.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (options.days ?? 30) * 86_400_000);
  const attributes = [
    { name: 'commonName', value: options.commonName ?? DEMO_MARKER },
    { name: 'organizationName', value: DEMO_MARKER },
  ];
  cert.setSubject(attributes);
  cert.setIssuer(attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], options.password, { algorithm: '3des' });
  return { p12: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), password: options.password, demo: true };
}
