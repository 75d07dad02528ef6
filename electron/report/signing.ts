/**
 * Digital signatures with a PKCS#12 certificate. A PDF gets a standard PDF signature: an
 * `adbe.pkcs7.detached` CMS with SHA-256 over the file's byte ranges, which Acrobat and
 * poppler's `pdfsig` validate. The package manifest gets a detached CMS (./cms.ts verifies
 * both). This module also makes throwaway self-signed certificates for demos and tests.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf, Signer } from '@signpdf/signpdf';
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

interface OpenedCertificate {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  /** Every certificate in the file, the signer's among them, to embed in the signature. */
  all: forge.pki.Certificate[];
}

function certificateOf(certificate: Certificate): OpenedCertificate {
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
  if (keyBag && !key) {
    // node-forge reads RSA keys only; it leaves other key types (EC, Ed25519) unparsed.
    throw new AppError(
      'INVALID_INPUT',
      'The private key in the PKCS#12 file is not an RSA key, and only RSA keys can sign here (EC keys cannot); ' +
        'export an RSA key and its certificate, e.g. made with `openssl req -x509 -newkey rsa:3072 …`.',
    );
  }
  if (!key) throw new AppError('INVALID_INPUT', 'The PKCS#12 file contains no private key; export the certificate together with its key.');
  const all = certBags.map((bag) => bag.cert).filter((candidate): candidate is forge.pki.Certificate => candidate !== undefined && candidate !== null);
  const cert = all.find((candidate) => {
    const publicKey = candidate.publicKey as forge.pki.rsa.PublicKey | undefined;
    return publicKey !== undefined && publicKey.n.equals(key.n) && publicKey.e.equals(key.e);
  });
  if (!cert) throw new AppError('INVALID_INPUT', 'The PKCS#12 file contains no certificate that matches its private key; export the matching pair.');
  return { cert, key, all };
}

/**
 * Returns name attributes with UTF8String values decoded. node-forge keeps a parsed
 * value as its raw bytes but encodes UTF8String values to UTF-8 again when it writes a
 * name, so only decoded values write back the certificate's own bytes.
 */
function decodedAttributes(attributes: forge.pki.CertificateField[]): forge.pki.CertificateField[] {
  return attributes.map((attribute) => ({ ...attribute, value: attributeText(attribute) }));
}

/** Returns the text of a name attribute: UTF8String and BMPString values decoded, others as they are. */
function attributeText(attribute: forge.pki.CertificateField): string {
  const raw = String(attribute.value);
  // The declarations type the tag as a class, but node-forge stores the universal type.
  const tag = attribute.valueTagClass as unknown as number;
  try {
    if (tag === forge.asn1.Type.UTF8) return forge.util.decodeUtf8(raw);
    if (tag === forge.asn1.Type.BMPSTRING) return Buffer.from(raw, 'binary').swap16().toString('utf16le');
  } catch {
    // Bytes that are not valid in their declared encoding are shown as they are.
  }
  return raw;
}

function distinguishedName(attributes: forge.pki.CertificateField[]): string {
  return attributes.map((attribute) => `${attribute.shortName ?? attribute.name ?? attribute.type}=${attributeText(attribute)}`).join(', ');
}

/**
 * Signs with the key and certificates of a PKCS#12 file: a detached CMS with SHA-256 and
 * the content-type, signing-time and message-digest attributes, as @signpdf's P12Signer
 * writes it. Unlike P12Signer, it writes the signer's issuer name from decoded values
 * (see decodedAttributes), so a name such as "Jürgen Müller" still matches the certificate.
 */
class CertificateSigner extends Signer {
  constructor(private readonly certificate: Certificate) {
    super();
  }

  override async sign(data: Buffer, signingTime?: Date): Promise<Buffer> {
    const { cert, key, all } = certificateOf(this.certificate);
    const signedData = forge.pkcs7.createSignedData();
    signedData.content = forge.util.createBuffer(data.toString('binary'));
    for (const embedded of all) signedData.addCertificate(embedded);

    // node-forge accepts an issuer and serial number in place of the certificate. Its type
    // declarations list only the certificate form and a string time, so the cast.
    const signer = {
      key,
      issuer: decodedAttributes(cert.issuer.attributes),
      serialNumber: cert.serialNumber,
      digestAlgorithm: forge.pki.oids.sha256!,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType!, value: forge.pki.oids.data! },
        { type: forge.pki.oids.signingTime!, value: signingTime ?? new Date() },
        { type: forge.pki.oids.messageDigest! },
      ],
    };
    signedData.addSigner(signer as unknown as Parameters<typeof signedData.addSigner>[0]);
    signedData.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(signedData.toAsn1()).getBytes(), 'binary');
  }
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
  return new SignPdf().sign(withPlaceholder, new CertificateSigner(certificate));
}

/** Signs `data` as a detached CMS (PKCS#7) with SHA-256; returns the DER bytes. */
export async function signDetached(data: Buffer, certificate: Certificate): Promise<Buffer> {
  return new CertificateSigner(certificate).sign(data);
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
  // UTF8String, which RFC 5280 requires of new certificates, so a name such as "Jürgen" fits.
  const attributes = [
    { name: 'commonName', value: options.commonName ?? DEMO_MARKER, valueTagClass: forge.asn1.Type.UTF8 },
    { name: 'organizationName', value: DEMO_MARKER, valueTagClass: forge.asn1.Type.UTF8 },
  ] as unknown as forge.pki.CertificateField[];
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
