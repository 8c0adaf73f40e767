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
import { parseTlv } from '../../tlv/tlv.js';
import { decodeSecurityInfos, type SecurityInfo } from '../security-infos.js';
import { decodeSignatureAlgorithm, usablePublicKey, verifyData } from './algorithms.js';
import {
  extKeyUsageIncludes,
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

/** Who signs a SignedData under a CSCA, and the extended key usage its certificate must carry. */
export interface SignerRole {
  readonly name: string;
  readonly extKeyUsage?: string;
}

export const DOCUMENT_SIGNER: SignerRole = { name: 'Document Signer' };

export interface SignedDataResult {
  readonly signer: X509Certificate;
  readonly csca: X509Certificate;
  /** The signed eContent bytes. */
  readonly content: Buffer;
  /** The signingTime attribute, when present. */
  readonly signingTime?: Date;
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

/**
 * Certificates embedded in SignedData, parsed once per distinct DER (a certificate is immutable:
 * the same bytes parse the same). Every card of one issuing period carries the same Document
 * Signer, so each authentication otherwise parsed it again. Bounded: cleared when full.
 */
class ParsedCertificates {
  private readonly byDer = new Map<string, Cert | undefined>();
  constructor(private readonly max: number) {}

  get(der: Buffer): Cert | undefined {
    const key = createHash('sha256').update(der).digest('base64');
    if (this.byDer.has(key)) return this.byDer.get(key);
    if (this.byDer.size >= this.max) this.byDer.clear();
    const c = load(der);
    this.byDer.set(key, c);
    return c;
  }
}

function findSigner(cms: ParsedCms, role: string, certs: ParsedCertificates): Cert {
  const sid = cms.signer.sid;
  for (const der of cms.certificates) {
    const c = certs.get(der);
    if (!c) continue;
    const hit =
      'issuer' in sid
        ? c.parsed.issuer.equals(sid.issuer) && c.parsed.serial === sid.serial
        : subjectKeyIdentifierOf(c.parsed).equals(sid.subjectKeyIdentifier);
    if (hit) return c;
  }
  throw new PassiveAuthError('untrusted-signer', `the ${role} certificate is not in the SignedData`);
}

/** The trusted CSCA that issued `ds` (name, key usage and signature). */
function findCsca(ds: Cert, cscas: readonly Cert[], role: string): Cert {
  for (const csca of cscas) {
    if (!csca.parsed.subject.equals(ds.parsed.issuer)) continue;
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
    `the ${role} is not issued by a trusted CSCA (${ds.x509.issuer})`,
  );
}

function checkValidity(c: Cert, at: Date, what: string): void {
  if (at < c.parsed.notBefore) throw new PassiveAuthError('expired', `${what} certificate is not yet valid`);
  if (at > c.parsed.notAfter) throw new PassiveAuthError('expired', `${what} certificate expired`);
}

interface VerifiedCrl {
  readonly crl: ParsedCrl;
  readonly issuer: Cert;
}

function checkRevocation(ds: Cert, csca: Cert, crls: readonly VerifiedCrl[], at: Date, role: string): void {
  const usable = crls.filter(
    (c) => c.issuer === csca && c.crl.thisUpdate <= at && (!c.crl.nextUpdate || c.crl.nextUpdate >= at),
  );
  if (usable.length === 0) throw new PassiveAuthError('crl-missing', 'no current CRL of the issuing CSCA');
  const serial = serialHex(ds.parsed.serial);
  if (usable.some((c) => c.crl.revokedSerials.has(serial))) {
    throw new PassiveAuthError('revoked', `${role} ${serial} is revoked`);
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

/**
 * Passive authentication against one set of trust anchors. What is immutable
 * is done once: the CSCA certificates are parsed and the CRLs parsed and
 * their signatures verified when the context is built, and a Document
 * Signer's certificate chain (issuer signature, key usage) is verified once
 * per Document Signer. Validity dates and revocation are checked on every
 * call, for its `at`.
 */
export class PassiveAuthenticationContext {
  private readonly cscas: readonly Cert[];
  private readonly crls: readonly VerifiedCrl[];
  private readonly chains = new Map<string, { readonly ds: Cert; readonly csca: Cert }>();
  private readonly embedded: ParsedCertificates;

  constructor(
    trust: Omit<PassiveAuthTrust, 'at'>,
    private readonly maxChains = 1024,
  ) {
    this.embedded = new ParsedCertificates(maxChains);
    this.cscas = trust.cscaCerts.map(load).filter((c): c is Cert => c !== undefined);
    const crls: VerifiedCrl[] = [];
    for (const der of trust.crls) {
      let crl: ParsedCrl;
      try {
        crl = parseCrl(der);
      } catch {
        continue;
      }
      const issuer = this.cscas.find((c) => c.parsed.subject.equals(crl.issuerDer) && verifyCrl(crl, c.x509));
      if (issuer) crls.push({ crl, issuer });
    }
    this.crls = crls;
  }

  private chainOf(cms: ParsedCms, signer: SignerRole): { ds: Cert; csca: Cert } {
    const ds = findSigner(cms, signer.name, this.embedded);
    // Per role: a certificate checked as a Document Signer is not thereby a Master List Signer.
    const key = `${signer.name}|${signer.extKeyUsage ?? ''}|${ds.x509.fingerprint256}`;
    const hit = this.chains.get(key);
    if (hit) return hit;
    const csca = findCsca(ds, this.cscas, signer.name);
    if (!keyUsageAllows(ds.parsed, 'digitalSignature')) {
      throw new PassiveAuthError(
        'untrusted-signer',
        `the ${signer.name} certificate does not allow digitalSignature`,
      );
    }
    if (signer.extKeyUsage && !extKeyUsageIncludes(ds.parsed, signer.extKeyUsage)) {
      throw new PassiveAuthError(
        'untrusted-signer',
        `the ${signer.name} certificate lacks the extended key usage ${signer.extKeyUsage}`,
      );
    }
    if (this.chains.size >= this.maxChains) this.chains.delete(this.chains.keys().next().value!);
    const chain = { ds, csca };
    this.chains.set(key, chain);
    return chain;
  }

  /**
   * Verifies a CMS SignedData of `contentType` signed by a certificate a
   * trusted CSCA issued (the Document Signer of EF.CardSecurity, the Master
   * List Signer of a CSCA Master List), at `at`; throws PassiveAuthError.
   */
  verifySignedData(
    der: Buffer,
    contentType: string,
    signer: SignerRole = DOCUMENT_SIGNER,
    at: Date = new Date(),
  ): SignedDataResult {
    let cms: ParsedCms;
    try {
      cms = parseCms(der);
    } catch (e) {
      throw new PassiveAuthError('malformed', e instanceof Error ? e.message : 'unparsable CMS');
    }
    if (cms.contentType !== contentType) {
      throw new PassiveAuthError(
        'wrong-content-type',
        `eContentType is ${cms.contentType}, not ${contentType}`,
      );
    }
    const { ds, csca } = this.chainOf(cms, signer);
    checkValidity(ds, at, signer.name);
    checkValidity(csca, at, 'CSCA');
    checkRevocation(ds, csca, this.crls, at, signer.name);
    checkSignedAttributes(cms);
    checkSignature(cms, ds);
    return {
      signer: ds.x509,
      csca: csca.x509,
      content: cms.content,
      ...(cms.signer.signingTime ? { signingTime: cms.signer.signingTime } : {}),
    };
  }

  /** Verifies EF.CardSecurity (or EF.ChipSecurity) at `at`; throws PassiveAuthError. */
  verify(der: Buffer, at: Date = new Date()): PassiveAuthResult {
    const signed = this.verifySignedData(der, OID.idSecurityObject, DOCUMENT_SIGNER, at);
    let securityInfos: SecurityInfo[];
    try {
      securityInfos = decodeSecurityInfos(signed.content);
    } catch (e) {
      throw new PassiveAuthError('malformed', e instanceof Error ? e.message : 'bad SecurityInfos');
    }
    return { securityInfos, documentSigner: signed.signer, csca: signed.csca, content: signed.content };
  }
}

/** Verifies EF.CardSecurity (or EF.ChipSecurity) once; throws PassiveAuthError. */
export function verifyCardSecurity(der: Buffer, trust: PassiveAuthTrust): PassiveAuthResult {
  return new PassiveAuthenticationContext(trust).verify(der, trust.at ?? new Date());
}
