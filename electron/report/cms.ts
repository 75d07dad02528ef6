/**
 * Verification of the detached CMS SignedData (RFC 5652) that signs a report PDF and a
 * package manifest. The signature value covers only the signed attributes, so every
 * other byte of the structure is checked here on its own: the DER encoding must be
 * canonical, each field must have the type and value this tool writes, the signer
 * identifier must name the embedded certificate, and each certificate's own signature
 * must verify.
 */
import { createHash, createPublicKey, verify as verifySignature, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface CmsCheck {
  ok: boolean;
  problems: string[];
  signer: string | null;
  /** SHA-256 of the signer's DER certificate as hex. */
  signerCertificateSha256: string | null;
  signingTime: string | null;
}

const OIDS = {
  signedData: forge.pki.oids.signedData!,
  data: forge.pki.oids.data!,
  contentType: forge.pki.oids.contentType!,
  messageDigest: forge.pki.oids.messageDigest!,
  signingTime: forge.pki.oids.signingTime!,
  sha256: forge.pki.oids.sha256!,
};

/** Signature algorithms that `verify('sha256', …)` checks with the certificate's key. */
const SIGNATURE_ALGORITHMS = new Set([
  forge.pki.oids.rsaEncryption!,
  forge.pki.oids.sha256WithRSAEncryption!,
  '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
]);

const { Class, Type } = forge.asn1;

/** A structural problem; `verifyDetached` reports its message. */
class CmsError extends Error {}

function toBuffer(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

function children(node: forge.asn1.Asn1, what: string, count?: { min: number; max: number }): forge.asn1.Asn1[] {
  if (!Array.isArray(node.value)) throw new CmsError(`${what} is not a constructed value`);
  if (count && (node.value.length < count.min || node.value.length > count.max)) {
    throw new CmsError(`${what} has ${node.value.length} fields, expected ${count.min === count.max ? count.min : `${count.min} to ${count.max}`}`);
  }
  return node.value;
}

function expectUniversal(node: forge.asn1.Asn1 | undefined, type: number, what: string): forge.asn1.Asn1 {
  if (!node || node.tagClass !== Class.UNIVERSAL || node.type !== type) throw new CmsError(`${what} is missing or has the wrong type`);
  return node;
}

function expectContext(node: forge.asn1.Asn1 | undefined, tag: number, what: string): forge.asn1.Asn1 {
  if (!node || node.tagClass !== Class.CONTEXT_SPECIFIC || node.type !== tag || !node.constructed) {
    throw new CmsError(`${what} is missing or has the wrong tag`);
  }
  return node;
}

function oidOf(node: forge.asn1.Asn1 | undefined, what: string): string {
  return forge.asn1.derToOid(expectUniversal(node, Type.OID, what).value as string);
}

function expectOid(node: forge.asn1.Asn1 | undefined, oid: string, what: string): void {
  const found = oidOf(node, what);
  if (found !== oid) throw new CmsError(`${what} is ${found}, expected ${oid}`);
}

function expectVersion(node: forge.asn1.Asn1 | undefined, version: number, what: string): void {
  const value = expectUniversal(node, Type.INTEGER, what).value as string;
  if (value !== String.fromCharCode(version)) throw new CmsError(`${what} is not ${version}`);
}

/** Returns the algorithm OID of an AlgorithmIdentifier whose parameters are absent or NULL. */
function algorithmOf(node: forge.asn1.Asn1 | undefined, what: string): string {
  const fields = children(expectUniversal(node, Type.SEQUENCE, what), what, { min: 1, max: 2 });
  if (fields.length === 2 && (fields[1]!.tagClass !== Class.UNIVERSAL || fields[1]!.type !== Type.NULL || fields[1]!.value !== '')) {
    throw new CmsError(`${what} has parameters other than NULL`);
  }
  return oidOf(fields[0], what);
}

/** The fields of the one SignerInfo, after the checks that need no data or key. */
interface ParsedSignedData {
  certificates: Buffer[];
  sidIssuer: Buffer;
  sidSerial: Buffer;
  attributes: forge.asn1.Asn1[];
  signature: Buffer;
}

/** Checks the structure as this tool writes it: one signer, SHA-256, detached data, signed attributes, no CRLs. */
function parseSignedData(root: forge.asn1.Asn1): ParsedSignedData {
  // 1. ContentInfo: the signedData type and its content.
  const contentInfo = children(expectUniversal(root, Type.SEQUENCE, 'ContentInfo'), 'ContentInfo', { min: 2, max: 2 });
  expectOid(contentInfo[0], OIDS.signedData, 'The content type');
  const wrapper = children(expectContext(contentInfo[1], 0, 'The SignedData content'), 'The SignedData content', { min: 1, max: 1 });

  // 2. SignedData: version 1, SHA-256 only, detached data, certificates, one signer.
  const signedData = children(expectUniversal(wrapper[0], Type.SEQUENCE, 'SignedData'), 'SignedData', { min: 5, max: 5 });
  expectVersion(signedData[0], 1, 'The SignedData version');
  const digestAlgorithms = children(expectUniversal(signedData[1], Type.SET, 'The digest algorithms'), 'The digest algorithms', { min: 1, max: 1 });
  if (algorithmOf(digestAlgorithms[0], 'The digest algorithm') !== OIDS.sha256) throw new CmsError('the digest algorithm is not SHA-256');
  const encapsulated = children(expectUniversal(signedData[2], Type.SEQUENCE, 'The encapsulated content'), 'The encapsulated content', { min: 1, max: 1 });
  expectOid(encapsulated[0], OIDS.data, 'The encapsulated content type');
  const certificates = children(expectContext(signedData[3], 0, 'The certificate set'), 'The certificate set', { min: 1, max: 16 });
  const signerInfos = children(expectUniversal(signedData[4], Type.SET, 'The signer infos'), 'The signer infos', { min: 1, max: 1 });

  // 3. SignerInfo: version 1 with issuer and serial number, signed attributes, no unsigned ones.
  const signerInfo = children(expectUniversal(signerInfos[0], Type.SEQUENCE, 'The signer info'), 'The signer info', { min: 6, max: 6 });
  expectVersion(signerInfo[0], 1, 'The signer info version');
  const sid = children(expectUniversal(signerInfo[1], Type.SEQUENCE, 'The signer identifier'), 'The signer identifier', { min: 2, max: 2 });
  expectUniversal(sid[0], Type.SEQUENCE, 'The signer issuer');
  expectUniversal(sid[1], Type.INTEGER, 'The signer serial number');
  if (algorithmOf(signerInfo[2], 'The signer digest algorithm') !== OIDS.sha256) throw new CmsError('the signer digest algorithm is not SHA-256');
  const attributes = children(expectContext(signerInfo[3], 0, 'The signed attributes'), 'The signed attributes', { min: 3, max: 16 });
  const signatureAlgorithm = algorithmOf(signerInfo[4], 'The signature algorithm');
  if (!SIGNATURE_ALGORITHMS.has(signatureAlgorithm)) throw new CmsError(`the signature algorithm ${signatureAlgorithm} is not supported`);
  const signature = expectUniversal(signerInfo[5], Type.OCTETSTRING, 'The signature value');

  return {
    certificates: certificates.map((certificate) => toBuffer(expectUniversal(certificate, Type.SEQUENCE, 'A certificate'))),
    sidIssuer: toBuffer(sid[0]!),
    sidSerial: toBuffer(sid[1]!),
    attributes,
    signature: Buffer.from(signature.value as string, 'binary'),
  };
}

/** Returns the DER of the serial number and issuer fields of a certificate's TBSCertificate. */
function certificateIdentity(der: Buffer): { serial: Buffer; issuer: Buffer } {
  const certificate = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const tbs = children(children(certificate, 'A certificate')[0]!, 'A TBSCertificate');
  // The version field [0] is optional; the serial number follows it.
  const offset = tbs[0]!.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { serial: toBuffer(tbs[offset]!), issuer: toBuffer(tbs[offset + 2]!) };
}

/** Reads the three attributes that must be signed; other attributes are allowed because the signature covers them. */
function readAttributes(attributes: forge.asn1.Asn1[]): { messageDigest: string; signingTime: string | null } {
  const seen = new Map<string, forge.asn1.Asn1>();
  for (const attribute of attributes) {
    const [oidNode, valueSet] = children(expectUniversal(attribute, Type.SEQUENCE, 'A signed attribute'), 'A signed attribute', { min: 2, max: 2 });
    const oid = oidOf(oidNode, 'A signed attribute type');
    if (seen.has(oid)) throw new CmsError(`the signed attribute ${oid} occurs twice`);
    const values = children(expectUniversal(valueSet, Type.SET, `The values of attribute ${oid}`), `The values of attribute ${oid}`, { min: 1, max: 1 });
    seen.set(oid, values[0]!);
  }
  expectOid(seen.get(OIDS.contentType), OIDS.data, 'The content-type attribute');
  const digest = expectUniversal(seen.get(OIDS.messageDigest), Type.OCTETSTRING, 'The message-digest attribute');
  const time = seen.get(OIDS.signingTime);
  const signingTime = time ? forge.asn1.utcTimeToDate(expectUniversal(time, Type.UTCTIME, 'The signing-time attribute').value as string).toISOString() : null;
  return { messageDigest: Buffer.from(digest.value as string, 'binary').toString('hex'), signingTime };
}

/**
 * Checks each certificate's own signature against its issuer's key, when the issuer is
 * the certificate itself or another certificate in the set. Returns the problems found.
 * NOTE: a certificate whose issuer is not in the set cannot be checked here, so changes
 * to its fields other than the key, serial number and issuer go unnoticed.
 */
function checkCertificateSignatures(certificates: X509Certificate[]): string[] {
  const problems: string[] = [];
  for (const certificate of certificates) {
    // OpenSSL's issuer check also wants the keyCertSign usage, which a self-signed
    // signing certificate (such as the demo's) lacks, so a self-issued one is matched by name.
    const issuer = certificate.issuer === certificate.subject ? certificate : certificates.find((candidate) => certificate.checkIssued(candidate));
    if (issuer && !certificate.verify(issuer.publicKey)) {
      problems.push(`the signature of the certificate "${certificate.subject.replace(/\n/g, ', ')}" does not verify with its issuer's key`);
    }
  }
  return problems;
}

/**
 * Verifies a detached CMS SignedData over `data`: canonical DER, the structure described
 * above, the message digest attribute equal to SHA-256 of the data, the signature over
 * the signed attributes verified with the certificate the signer identifier names, and
 * that certificate's own signature. Trust in the certificate's issuer is not checked.
 */
export function verifyDetached(cms: Buffer, data: Buffer): CmsCheck {
  const problems: string[] = [];
  let signer: string | null = null;
  let signerCertificateSha256: string | null = null;
  let signingTime: string | null = null;
  try {
    // 1. Canonical DER: re-encoding what was parsed must give the same bytes, so no byte
    // can change without changing a value that the checks below read.
    const root = forge.asn1.fromDer(forge.util.createBuffer(cms.toString('binary')), true);
    if (!toBuffer(root).equals(cms)) throw new CmsError('its DER encoding is not canonical');
    const parsed = parseSignedData(root);

    // 2. The signed message digest must equal the digest of the data.
    const attributes = readAttributes(parsed.attributes);
    signingTime = attributes.signingTime;
    const digest = createHash('sha256').update(data).digest('hex');
    if (attributes.messageDigest !== digest) problems.push(`the signed digest ${attributes.messageDigest} does not match the data's SHA-256 ${digest}`);

    // 3. The signer identifier must name one of the certificates, and each certificate
    // must carry a valid signature from its issuer when the issuer is at hand.
    const certificates = parsed.certificates.map((der) => new X509Certificate(der));
    const index = parsed.certificates.findIndex((der) => {
      const identity = certificateIdentity(der);
      return identity.serial.equals(parsed.sidSerial) && identity.issuer.equals(parsed.sidIssuer);
    });
    if (index < 0) throw new CmsError('no certificate in the signature matches the issuer and serial number of its signer');
    const certificate = certificates[index]!;
    signer = certificate.subject.replace(/\n/g, ', ');
    signerCertificateSha256 = createHash('sha256').update(parsed.certificates[index]!).digest('hex');
    problems.push(...checkCertificateSignatures(certificates));

    // 4. The signature covers the attributes re-encoded as a SET (RFC 5652, section 5.4).
    const signedAttributes = toBuffer(forge.asn1.create(Class.UNIVERSAL, Type.SET, true, parsed.attributes));
    const key = createPublicKey(certificate.publicKey.export({ type: 'spki', format: 'pem' }));
    if (!verifySignature('sha256', signedAttributes, key, parsed.signature)) {
      problems.push("the signature value does not verify with the signer's certificate");
    }
  } catch (error) {
    const reason = error instanceof CmsError ? error.message : `it cannot be read (${(error as Error).message})`;
    problems.push(`the signature is not a valid CMS structure: ${reason}`);
  }
  return { ok: problems.length === 0, problems, signer, signerCertificateSha256, signingTime };
}
