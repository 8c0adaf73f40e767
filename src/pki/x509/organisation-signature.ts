/**
 * A detached CMS signature (RFC 5652 §5, eContent absent, §5.2) made with an
 * organisation certificate — the business certificate 工商憑證 (MOEACA), the
 * organisation certificate 組織憑證 (XCA) or the government-agency certificate
 * 政府機關憑證 (GCA) — over content the verifier holds (the canonical
 * application of seed 004 表8). Checks, in order:
 *
 * 1. the SignedData parses, has one signer with signed attributes, eContentType id-data;
 * 2. the signer certificate (by its sid) is in the SignedData;
 * 3. it was issued by one of the configured issuing CAs (issuer name, AuthorityKeyIdentifier
 *    implied by the issuer's key verifying the certificate's signature), which is a CA;
 * 4. it and its issuing CA are valid now, and it allows digitalSignature or nonRepudiation (RFC 5280 §4.2.1.3);
 * 5. the issuing CA's CRL is present, signed by the CA, current (nextUpdate in the future), and
 *    does not list the certificate — no current CRL refuses (fail closed);
 * 6. messageDigest equals the hash of the content, contentType attribute id-data, and the signature
 *    over the signed attributes verifies with the certificate's key;
 * 7. the subject carries the organisation identifier (統一編號, or the agency code of a
 *    government agency) in its serialNumber attribute (X.520 2.5.4.5), as the Taiwanese
 *    certification authorities write it.
 */
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { readOid, TAG } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import { childrenOf, parseTlv } from '../../tlv/tlv.js';
import { decodeSignatureAlgorithm, verifyData } from './algorithms.js';
import { keyUsageAllows, type ParsedCertificate, parseCertificate } from './certificate-parser.js';
import { type ParsedCms, parseCms } from './cms-parser.js';
import { type ParsedCrl, verifyCrl } from './crl.js';
import { serialHex } from './der.js';
import { X509_OID } from './oids.js';

export type OrganisationSignatureErrorCode =
  /** Not a SignedData, or not one this check understands. */
  | 'malformed'
  /** The signature, the digest or the certificate's own signature does not verify. */
  | 'bad-signature'
  /** The signer certificate was not issued by a configured organisation CA. */
  | 'unknown-ca'
  | 'expired'
  | 'revoked'
  /** No current, correctly signed CRL of the issuing CA: revocation cannot be checked. */
  | 'revocation-unknown'
  /** The certificate does not allow signatures, or names no organisation. */
  | 'unsuitable-certificate';

export class OrganisationSignatureError extends Error {
  override readonly name = 'OrganisationSignatureError';
  constructor(
    readonly code: OrganisationSignatureErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const fail = (code: OrganisationSignatureErrorCode, message: string): never => {
  throw new OrganisationSignatureError(code, message);
};

export interface OrganisationTrust {
  /** The issuing CAs (DER certificates) whose organisation certificates are accepted. */
  readonly issuers: readonly Buffer[];
  /** Their CRLs (parsed); each issuer needs a current one. */
  readonly crls: readonly ParsedCrl[];
}

export interface VerifiedOrganisationSignature {
  /** The organisation identifier of the subject (統一編號 or agency code). */
  readonly organisationId: string;
  readonly certificate: X509Certificate;
  readonly issuer: X509Certificate;
  readonly signingTime?: Date;
}

/** The string value of the first attribute `type` in a DER Name, or undefined. */
export function nameAttribute(name: Buffer, type: string): string | undefined {
  for (const rdn of childrenOf(parseTlv(name))) {
    for (const atv of childrenOf(rdn)) {
      const [t, v] = childrenOf(atv);
      if (t?.tag === TAG.OID && v && readOid(t, 'attribute type') === type) return v.value.toString('utf8');
    }
  }
  return undefined;
}

function signerOf(cms: ParsedCms): { parsed: ParsedCertificate; x509: X509Certificate } {
  const sid = cms.signer.sid;
  for (const raw of cms.certificates) {
    const parsed = parseCertificate(raw);
    const match =
      'serial' in sid
        ? parsed.serial === sid.serial && parsed.issuer.equals(sid.issuer)
        : subjectKeyIdMatches(parsed, sid.subjectKeyIdentifier);
    if (match) return { parsed, x509: new X509Certificate(raw) };
  }
  return fail('malformed', 'the signer certificate is not in the SignedData (openssl cms -sign embeds it)');
}

function subjectKeyIdMatches(cert: ParsedCertificate, ski: Buffer): boolean {
  const ext = cert.extensions.find((e) => e.oid === X509_OID.subjectKeyIdentifier);
  if (!ext) return false;
  const t = parseTlv(ext.value);
  return t.tag === TAG.OCTET_STRING && t.value.equals(ski);
}

/** Verifies `signature` (DER ContentInfo) over `content`; OrganisationSignatureError says why not. */
export function verifyOrganisationSignature(
  signature: Buffer,
  content: Buffer,
  trust: OrganisationTrust,
  at: Date,
): VerifiedOrganisationSignature {
  let cms: ParsedCms;
  let signer: { parsed: ParsedCertificate; x509: X509Certificate };
  try {
    cms = parseCms(signature, { allowDetached: true });
    signer = signerOf(cms);
  } catch (e) {
    if (e instanceof OrganisationSignatureError) throw e;
    return fail('malformed', `the signature is not a CMS SignedData: ${(e as Error).message}`);
  }
  if (!cms.detached && !cms.content.equals(content))
    fail('bad-signature', 'the SignedData carries other content than the application');
  if (cms.contentType !== OID.idData || cms.signer.contentTypeAttr !== OID.idData)
    fail('malformed', 'eContentType must be id-data');

  const { parsed, x509 } = signer;
  const who = `certificate ${x509.subject.replace(/\n/g, ', ')} (serial ${serialHex(parsed.serial)})`;
  const issuer = trust.issuers
    .map((d) => new X509Certificate(d))
    .find(
      (ca) => ca.ca && parseCertificate(ca.raw).subject.equals(parsed.issuer) && x509.verify(ca.publicKey),
    );
  if (!issuer)
    fail('unknown-ca', `${who} was not issued by a configured organisation CA (registry.filing.issuers)`);
  const ca = issuer as X509Certificate;
  if (at < new Date(ca.validFrom) || at > new Date(ca.validTo))
    fail(
      'expired',
      `the issuing CA ${ca.subject.replace(/\n/g, ', ')} is valid from ${ca.validFrom} to ${ca.validTo}, not now`,
    );
  if (at < new Date(x509.validFrom) || at > new Date(x509.validTo))
    fail('expired', `${who} is valid from ${x509.validFrom} to ${x509.validTo}, not now`);
  if (!keyUsageAllows(parsed, 'digitalSignature') && !keyUsageAllows(parsed, 'nonRepudiation'))
    fail('unsuitable-certificate', `${who} does not allow signatures (keyUsage)`);

  const caName = parseCertificate(ca.raw).subject;
  const crl = trust.crls
    .filter((c) => c.issuerDer.equals(caName) && verifyCrl(c, ca))
    .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())[0];
  if (!crl || (crl.nextUpdate && crl.nextUpdate < at) || crl.thisUpdate > at)
    fail(
      'revocation-unknown',
      `no current CRL of ${ca.subject.replace(/\n/g, ', ')}: revocation of ${who} cannot be checked`,
    );
  if ((crl as ParsedCrl).revokedSerials.has(serialHex(parsed.serial))) fail('revoked', `${who} is revoked`);

  const s = cms.signer;
  const digest = createHash(s.digestAlgorithm).update(content).digest();
  if (digest.length !== s.messageDigest.length || !timingSafeEqual(digest, s.messageDigest))
    fail('bad-signature', 'the signature is over other content than this application (messageDigest)');
  const scheme = decodeSignatureAlgorithm(parseTlv(s.signatureAlgorithm), s.digestAlgorithm);
  if (!scheme) return fail('malformed', 'unsupported signature algorithm');
  if (!verifyData(scheme, x509.publicKey, s.signedAttrsDer, s.signature))
    fail('bad-signature', `the signature does not verify with the key of ${who}`);

  const organisationId = nameAttribute(parsed.subject, X509_OID.serialNumber);
  if (!organisationId)
    fail('unsuitable-certificate', `${who} names no organisation identifier (subject serialNumber)`);
  return {
    organisationId: organisationId as string,
    certificate: x509,
    issuer: ca,
    ...(s.signingTime ? { signingTime: s.signingTime } : {}),
  };
}
