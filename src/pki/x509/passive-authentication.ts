/**
 * Passive authentication of EF.CardSecurity (ICAO 9303-11 §5.1, BSI TR-03110-3
 * A.1.2.5): the SecurityInfos are a CMS SignedData with content type
 * id-SecurityObject, signed by a Document Signer whose certificate is embedded
 * and issued by a trusted CSCA.
 *
 * Checks, in order: CMS structure → eContentType → signer certificate (sid)
 * → issued by a trusted CSCA (name + signature; key usages keyCertSign of the
 * CSCA and digitalSignature of the DS when KeyUsage is present) → validity of DS and CSCA at
 * `at` → revocation in a current CRL issued and signed by that CSCA → signed
 * attributes (contentType, messageDigest) → signature over the signed
 * attributes → SecurityInfos decoding. All signatures are checked with
 * node:crypto on the bytes as received.
 */
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { OID } from '../../asn1/oids.js';
import { decodeSecurityInfos, type SecurityInfo } from '../../asn1/security-infos.js';
import { parseTlv } from '../../tlv/tlv.js';
import { decodeSignatureAlgorithm, usablePublicKey, verifyData } from './algorithms.js';
import {
  keyUsageAllows,
  type ParsedCertificate,
  parseCertificate,
  subjectKeyIdentifierOf,
} from './certificate-parser.js';
import { type ParsedCms, parseCms } from './cms-parser.js';
import { type ParsedCrl, parseCrl, verifyCrl } from './crl.js';
import { serialHex } from './der.js';
import { PassiveAuthError } from './errors.js';

export interface PassiveAuthTrust {
  /** Trusted CSCA certificates (DER). */
  readonly cscaCerts: readonly Buffer[];
  /** CRLs (DER); only current ones issued and signed by the DS's CSCA count. */
  readonly crls: readonly Buffer[];
  /** Time of the check; default now. */
  readonly at?: Date;
}

export interface PassiveAuthResult {
  readonly securityInfos: SecurityInfo[];
  readonly documentSigner: X509Certificate;
  readonly csca: X509Certificate;
  /** The signed SecurityInfos bytes. */
  readonly content: Buffer;
}

interface Cert {
  readonly parsed: ParsedCertificate;
  readonly x509: X509Certificate;
}

/** A certificate both parsed here (raw names) and by OpenSSL; undefined when either fails. */
function load(der: Buffer): Cert | undefined {
  try {
    return { parsed: parseCertificate(der), x509: new X509Certificate(der) };
  } catch {
    return undefined;
  }
}

function findSigner(cms: ParsedCms): Cert {
  const sid = cms.signer.sid;
  for (const der of cms.certificates) {
    const c = load(der);
    if (!c) continue;
    const hit =
      'issuer' in sid
        ? c.parsed.issuer.equals(sid.issuer) && c.parsed.serial === sid.serial
        : subjectKeyIdentifierOf(c.parsed).equals(sid.subjectKeyIdentifier);
    if (hit) return c;
  }
  throw new PassiveAuthError('untrusted-signer', 'the Document Signer certificate is not in the SignedData');
}

function findCsca(ds: Cert, cscaCerts: readonly Buffer[]): Cert {
  for (const der of cscaCerts) {
    const csca = load(der);
    if (!csca?.parsed.subject.equals(ds.parsed.issuer)) continue;
    if (!keyUsageAllows(csca.parsed, 'keyCertSign')) continue;
    let ok = false;
    try {
      ok = ds.x509.verify(usablePublicKey(csca.x509.publicKey));
    } catch {
      ok = false;
    }
    if (ok) return csca;
  }
  throw new PassiveAuthError(
    'untrusted-signer',
    `Document Signer is not issued by a trusted CSCA (${ds.x509.issuer})`,
  );
}

function checkValidity(c: Cert, at: Date, what: string): void {
  if (at < c.parsed.notBefore) throw new PassiveAuthError('expired', `${what} certificate is not yet valid`);
  if (at > c.parsed.notAfter) throw new PassiveAuthError('expired', `${what} certificate expired`);
}

function checkRevocation(ds: Cert, csca: Cert, crls: readonly Buffer[], at: Date): void {
  const usable: ParsedCrl[] = [];
  for (const der of crls) {
    let crl: ParsedCrl;
    try {
      crl = parseCrl(der);
    } catch {
      continue;
    }
    if (!crl.issuerDer.equals(csca.parsed.subject) || !verifyCrl(crl, csca.x509)) continue;
    if (crl.thisUpdate > at || (crl.nextUpdate && crl.nextUpdate < at)) continue;
    usable.push(crl);
  }
  if (usable.length === 0) throw new PassiveAuthError('crl-missing', 'no current CRL of the issuing CSCA');
  const serial = serialHex(ds.parsed.serial);
  if (usable.some((crl) => crl.revokedSerials.has(serial))) {
    throw new PassiveAuthError('revoked', `Document Signer ${serial} is revoked`);
  }
}

function checkSignedAttributes(cms: ParsedCms): void {
  const { signer } = cms;
  if (signer.contentTypeAttr !== cms.contentType) {
    throw new PassiveAuthError('wrong-content-type', 'contentType attribute differs from eContentType');
  }
  const digest = createHash(signer.digestAlgorithm).update(cms.content).digest();
  if (digest.length !== signer.messageDigest.length || !timingSafeEqual(digest, signer.messageDigest)) {
    throw new PassiveAuthError('digest-mismatch', 'messageDigest does not match the content');
  }
}

function checkSignature(cms: ParsedCms, ds: Cert): void {
  const { signer } = cms;
  let scheme: ReturnType<typeof decodeSignatureAlgorithm>;
  try {
    scheme = decodeSignatureAlgorithm(parseTlv(signer.signatureAlgorithm), signer.digestAlgorithm);
  } catch {
    scheme = undefined;
  }
  if (!scheme) throw new PassiveAuthError('bad-signature', 'unsupported signature algorithm');
  if (scheme.hash !== signer.digestAlgorithm) {
    throw new PassiveAuthError('bad-signature', 'signature algorithm hash differs from digestAlgorithm');
  }
  if (!verifyData(scheme, ds.x509.publicKey, signer.signedAttrsDer, signer.signature)) {
    throw new PassiveAuthError('bad-signature', 'signature over the signed attributes is invalid');
  }
}

/** Verifies EF.CardSecurity (or EF.ChipSecurity); throws PassiveAuthError. */
export function verifyCardSecurity(der: Buffer, trust: PassiveAuthTrust): PassiveAuthResult {
  const at = trust.at ?? new Date();
  let cms: ParsedCms;
  try {
    cms = parseCms(der);
  } catch (e) {
    throw new PassiveAuthError('malformed', e instanceof Error ? e.message : 'unparsable CMS');
  }
  if (cms.contentType !== OID.idSecurityObject) {
    throw new PassiveAuthError(
      'wrong-content-type',
      `eContentType is ${cms.contentType}, not id-SecurityObject`,
    );
  }
  const ds = findSigner(cms);
  const csca = findCsca(ds, trust.cscaCerts);
  if (!keyUsageAllows(ds.parsed, 'digitalSignature')) {
    throw new PassiveAuthError(
      'untrusted-signer',
      'the Document Signer certificate does not allow digitalSignature',
    );
  }
  checkValidity(ds, at, 'Document Signer');
  checkValidity(csca, at, 'CSCA');
  checkRevocation(ds, csca, trust.crls, at);
  checkSignedAttributes(cms);
  checkSignature(cms, ds);
  let securityInfos: SecurityInfo[];
  try {
    securityInfos = decodeSecurityInfos(cms.content);
  } catch (e) {
    throw new PassiveAuthError('malformed', e instanceof Error ? e.message : 'bad SecurityInfos');
  }
  return { securityInfos, documentSigner: ds.x509, csca: csca.x509, content: cms.content };
}
