/**
 * Reads the fields of an X.509 certificate (RFC 5280 §4.1) that issuing and
 * path checks need, keeping the exact encodings of the signed TBS bytes and of
 * the names, so nothing is ever re-encoded before a signature check:
 *
 *   Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier,
 *                              signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE {
 *     version [0] EXPLICIT Version DEFAULT v1, serialNumber INTEGER, signature AlgorithmIdentifier,
 *     issuer Name, validity SEQUENCE { notBefore Time, notAfter Time }, subject Name,
 *     subjectPublicKeyInfo SubjectPublicKeyInfo, issuerUniqueID [1] IMPLICIT OPTIONAL,
 *     subjectUniqueID [2] IMPLICIT OPTIONAL, extensions [3] EXPLICIT Extensions OPTIONAL }
 */
import { createHash } from 'node:crypto';
import { readOid, TAG } from '../../asn1/der.js';
import { childrenOf, parseTlv, type Tlv, validateTree } from '../../tlv/tlv.js';
import { guard, malformed, readBigInteger, readTime } from './der.js';
import { KEY_USAGE_BITS, type KeyUsage } from './extensions.js';
import { X509_OID } from './oids.js';

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING contents (the encoded extension). */
  readonly value: Buffer;
}

export interface ParsedCertificate {
  readonly raw: Buffer;
  /** The signed TBSCertificate bytes, as received. */
  readonly tbs: Buffer;
  readonly version: number;
  readonly serial: bigint;
  /** Encoded issuer Name, as received. */
  readonly issuer: Buffer;
  /** Encoded subject Name, as received. */
  readonly subject: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Encoded SubjectPublicKeyInfo. */
  readonly spki: Buffer;
  readonly extensions: readonly Extension[];
  /** Encoded outer signatureAlgorithm. */
  readonly signatureAlgorithm: Buffer;
  /** Encoded TBSCertificate.signature (must equal signatureAlgorithm). */
  readonly tbsSignatureAlgorithm: Buffer;
  readonly signature: Buffer;
}

/** BIT STRING with no unused bits: its octets. */
export function readOctetBits(t: Tlv | undefined, what: string): Buffer {
  if (!t || t.tag !== TAG.BIT_STRING || t.value.length < 1 || t.value[0] !== 0)
    malformed(`${what}: bad BIT STRING`);
  return t.value.subarray(1);
}

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
export function readExtensions(t: Tlv): Extension[] {
  if (t.tag !== TAG.SEQUENCE) malformed('Extensions is not a SEQUENCE');
  const out: Extension[] = [];
  for (const e of childrenOf(t)) {
    const kids = e.tag === TAG.SEQUENCE ? childrenOf(e) : [];
    if (kids.length < 2 || kids.length > 3) malformed('bad Extension');
    const id = readOid(kids[0]!, 'extnID');
    const crit = kids.length === 3 ? kids[1]! : undefined;
    if (crit && (crit.tag !== TAG.BOOLEAN || crit.value.length !== 1))
      malformed('Extension critical is not a BOOLEAN');
    const value = kids[kids.length - 1]!;
    if (value.tag !== TAG.OCTET_STRING) malformed('extnValue is not an OCTET STRING');
    if (out.some((x) => x.oid === id)) malformed(`extension ${id} appears twice`);
    out.push({ oid: id, critical: crit ? crit.value[0] !== 0 : false, value: value.value });
  }
  return out;
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  return guard('certificate', () => {
    validateTree(der, 24);
    const outer = parseTlv(der);
    if (outer.tag !== TAG.SEQUENCE) malformed('not a SEQUENCE');
    const [tbsT, algT, sigT, ...extra] = childrenOf(outer);
    if (!tbsT || !algT || extra.length > 0 || tbsT.tag !== TAG.SEQUENCE)
      malformed('not tbs, algorithm, signature');
    const tbs = childrenOf(tbsT);
    let i = 0;
    let version = 1;
    if (tbs[0]?.tag === 0xa0) {
      const [v, ...more] = childrenOf(tbs[0]);
      if (!v || more.length > 0) malformed('bad version');
      version = Number(readBigInteger(v, 'version')) + 1;
      i = 1;
    }
    const [serialT, innerAlg, issuer, validity, subject, spki, ...rest] = tbs.slice(i);
    if (!spki || !innerAlg || !issuer || !validity || !subject) malformed('TBSCertificate is incomplete');
    for (const t of [innerAlg, issuer, validity, subject, spki])
      if (t.tag !== TAG.SEQUENCE) malformed('bad TBSCertificate');
    const [nb, na, ...v3] = childrenOf(validity);
    if (v3.length > 0) malformed('bad Validity');
    let extensions: Extension[] = [];
    for (const r of rest) {
      if (r.tag === 0xa3) {
        const [exts, ...x] = childrenOf(r);
        if (!exts || x.length > 0) malformed('bad extensions wrapper');
        extensions = readExtensions(exts);
      } else if (r.tag !== 0x81 && r.tag !== 0x82 && r.tag !== 0xa1 && r.tag !== 0xa2) {
        malformed(`unexpected TBSCertificate element 0x${r.tag.toString(16)}`);
      }
    }
    return {
      raw: outer.raw,
      tbs: tbsT.raw,
      version,
      serial: readBigInteger(serialT, 'serialNumber'),
      issuer: issuer.raw,
      subject: subject.raw,
      notBefore: readTime(nb, 'notBefore'),
      notAfter: readTime(na, 'notAfter'),
      spki: spki.raw,
      extensions,
      signatureAlgorithm: algT.raw,
      tbsSignatureAlgorithm: innerAlg.raw,
      signature: readOctetBits(sigT, 'signatureValue'),
    };
  });
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING octets. */
export function keyIdentifierOf(spki: Buffer): Buffer {
  return guard('SubjectPublicKeyInfo', () => {
    const [, bits] = childrenOf(parseTlv(spki));
    return createHash('sha1').update(readOctetBits(bits, 'subjectPublicKey')).digest();
  });
}

/** The SubjectKeyIdentifier extension value, or the key identifier computed from the key. */
export function subjectKeyIdentifierOf(cert: ParsedCertificate): Buffer {
  const ext = cert.extensions.find((e) => e.oid === X509_OID.subjectKeyIdentifier);
  if (!ext) return keyIdentifierOf(cert.spki);
  return guard('SubjectKeyIdentifier', () => {
    const t = parseTlv(ext.value);
    if (t.tag !== TAG.OCTET_STRING) malformed('SubjectKeyIdentifier is not an OCTET STRING');
    return t.value;
  });
}

/**
 * Whether the KeyUsage extension permits `usage` (RFC 5280 §4.2.1.3); true
 * when the certificate has no KeyUsage extension. A broken extension permits nothing.
 */
export function keyUsageAllows(cert: ParsedCertificate, usage: KeyUsage): boolean {
  const ext = cert.extensions.find((e) => e.oid === X509_OID.keyUsage);
  if (!ext) return true;
  try {
    const t = parseTlv(ext.value);
    if (t.tag !== TAG.BIT_STRING || t.value.length < 2) return false;
    const bit = KEY_USAGE_BITS[usage];
    const byte = t.value[1 + (bit >> 3)] ?? 0;
    return (byte & (0x80 >> (bit & 7))) !== 0;
  } catch {
    return false;
  }
}

/**
 * Whether the ExtendedKeyUsage extension lists `purpose` (an OID; RFC 5280
 * §4.2.1.12). False without the extension or when it is broken: callers ask
 * only for purposes that must be stated.
 */
export function extKeyUsageIncludes(cert: ParsedCertificate, purpose: string): boolean {
  const ext = cert.extensions.find((e) => e.oid === X509_OID.extKeyUsage);
  if (!ext) return false;
  try {
    const t = parseTlv(ext.value);
    if (t.tag !== TAG.SEQUENCE) return false;
    return childrenOf(t).some((k) => k.tag === TAG.OID && readOid(k, 'KeyPurposeId') === purpose);
  } catch {
    return false;
  }
}
