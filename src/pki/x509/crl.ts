/**
 * X.509 v2 certificate revocation lists (RFC 5280 §5.1):
 *
 *   CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier,
 *                                  signatureValue BIT STRING }
 *   TBSCertList ::= SEQUENCE {
 *     version              Version OPTIONAL,       -- v2(1)
 *     signature            AlgorithmIdentifier,
 *     issuer               Name,
 *     thisUpdate           Time,
 *     nextUpdate           Time OPTIONAL,
 *     revokedCertificates  SEQUENCE OF SEQUENCE {
 *       userCertificate CertificateSerialNumber, revocationDate Time, crlEntryExtensions Extensions OPTIONAL
 *     } OPTIONAL,
 *     crlExtensions        [0] EXPLICIT Extensions OPTIONAL }
 *
 * Issued CRLs carry AuthorityKeyIdentifier and CRLNumber (§5.2.1, §5.2.3).
 * Verification runs node:crypto on the TBS bytes exactly as received.
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import { explicit, integer, seq, TAG } from '../../asn1/der.js';
import type { HashName } from '../../crypto/curves.js';
import { childrenOf, parseTlv, type Tlv, validateTree } from '../../tlv/tlv.js';
import {
  decodeSignatureAlgorithm,
  encodeSignatureAlgorithm,
  schemeForKey,
  signData,
  verifyData,
} from './algorithms.js';
import {
  type Extension,
  keyUsageAllows,
  parseCertificate,
  readExtensions,
  readOctetBits,
  subjectKeyIdentifierOf,
} from './certificate-parser.js';
import {
  bitString,
  guard,
  malformed,
  readBigInteger,
  readTime,
  serialHex,
  signedInteger,
  time,
} from './der.js';
import { X509Error } from './errors.js';
import { authorityKeyIdentifier, crlNumber } from './extensions.js';
import { X509_OID } from './oids.js';

export interface IssueCrlOptions {
  /** The issuing CA's certificate (DER). */
  readonly issuerCert: Buffer;
  readonly issuerKey: KeyObject;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly crlNumber: bigint;
  readonly revoked: readonly { readonly serial: bigint; readonly date: Date }[];
  /** Default: the curve's hash for EC keys, SHA-256 for RSA. */
  readonly hash?: HashName;
}

export interface ParsedCrl {
  readonly raw: Buffer;
  /** Encoded issuer Name, as received. */
  readonly issuerDer: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** Revoked serial numbers as lowercase hex without leading zeros (see serialHex). */
  readonly revokedSerials: Set<string>;
  readonly crlNumber: bigint | undefined;
  readonly extensions: readonly Extension[];
  /** The signed TBSCertList bytes, as received. */
  readonly tbs: Buffer;
  /** Encoded outer signatureAlgorithm. */
  readonly signatureAlgorithm: Buffer;
  /** Encoded TBSCertList.signature. */
  readonly tbsSignatureAlgorithm: Buffer;
  readonly signature: Buffer;
}

export function issueCrl(opts: IssueCrlOptions): Buffer {
  const issuer = parseCertificate(opts.issuerCert);
  let matches = false;
  try {
    matches = new X509Certificate(opts.issuerCert).checkPrivateKey(opts.issuerKey);
  } catch {
    matches = false;
  }
  if (!matches) throw new X509Error('invalid-input', 'issuerKey does not belong to issuerCert');
  if (!(opts.nextUpdate.getTime() > opts.thisUpdate.getTime())) {
    throw new X509Error('invalid-input', 'nextUpdate must be after thisUpdate');
  }
  const scheme = schemeForKey(opts.issuerKey, opts.hash);
  const algorithm = encodeSignatureAlgorithm(scheme);
  const entries = opts.revoked.map((r) => seq(signedInteger(r.serial), time(r.date)));
  const tbs = seq(
    integer(1),
    algorithm,
    issuer.subject,
    time(opts.thisUpdate),
    time(opts.nextUpdate),
    ...(entries.length > 0 ? [seq(...entries)] : []),
    explicit(0, seq(authorityKeyIdentifier(subjectKeyIdentifierOf(issuer)), crlNumber(opts.crlNumber))),
  );
  return seq(tbs, algorithm, bitString(signData(scheme, opts.issuerKey, tbs)));
}

const isTime = (t: Tlv | undefined) => t?.tag === TAG.UTC_TIME || t?.tag === TAG.GENERALIZED_TIME;

export function parseCrl(der: Buffer): ParsedCrl {
  return guard('CRL', () => {
    validateTree(der, 16);
    const outer = parseTlv(der);
    if (outer.tag !== TAG.SEQUENCE) malformed('not a SEQUENCE');
    const [tbsT, algT, sigT, ...extra] = childrenOf(outer);
    if (!tbsT || !algT || extra.length > 0 || tbsT.tag !== TAG.SEQUENCE || algT.tag !== TAG.SEQUENCE) {
      malformed('not tbsCertList, algorithm, signature');
    }
    const kids = childrenOf(tbsT);
    let i = 0;
    if (kids[0]?.tag === TAG.INTEGER) {
      if (readBigInteger(kids[0], 'version') !== 1n) malformed('unsupported CRL version');
      i = 1;
    }
    const innerAlg = kids[i++];
    const issuer = kids[i++];
    if (innerAlg?.tag !== TAG.SEQUENCE || issuer?.tag !== TAG.SEQUENCE) malformed('bad TBSCertList');
    const thisUpdate = readTime(kids[i++], 'thisUpdate');
    const nextUpdate = isTime(kids[i]) ? readTime(kids[i++], 'nextUpdate') : undefined;
    const revokedSerials = new Set<string>();
    if (kids[i]?.tag === TAG.SEQUENCE) {
      for (const entry of childrenOf(kids[i++]!)) {
        const [serial, date, ...entryExts] = entry.tag === TAG.SEQUENCE ? childrenOf(entry) : [];
        if (entryExts.length > 1) malformed('bad revoked certificate entry');
        readTime(date, 'revocationDate');
        revokedSerials.add(serialHex(readBigInteger(serial, 'userCertificate')));
      }
    }
    let extensions: Extension[] = [];
    if (kids[i]?.tag === 0xa0) {
      const [exts, ...x] = childrenOf(kids[i++]!);
      if (!exts || x.length > 0) malformed('bad crlExtensions');
      extensions = readExtensions(exts);
    }
    if (i !== kids.length) malformed('unexpected element in TBSCertList');
    const number = extensions.find((e) => e.oid === X509_OID.cRLNumber);
    return {
      raw: outer.raw,
      issuerDer: issuer.raw,
      thisUpdate,
      nextUpdate,
      revokedSerials,
      crlNumber: number ? readBigInteger(parseTlv(number.value), 'CRLNumber') : undefined,
      extensions,
      tbs: tbsT.raw,
      signatureAlgorithm: algT.raw,
      tbsSignatureAlgorithm: innerAlg.raw,
      signature: readOctetBits(sigT, 'signatureValue'),
    };
  });
}

/**
 * True when `crl` is issued (by name) and signed by `issuerCert`'s key. Never
 * throws for bad input: an unparsable CRL or certificate gives false.
 */
export function verifyCrl(crl: ParsedCrl | Buffer, issuerCert: X509Certificate | Buffer): boolean {
  try {
    const parsed = Buffer.isBuffer(crl) ? parseCrl(crl) : crl;
    const cert = Buffer.isBuffer(issuerCert) ? new X509Certificate(issuerCert) : issuerCert;
    const issuer = parseCertificate(cert.raw);
    if (!parsed.issuerDer.equals(issuer.subject) || !keyUsageAllows(issuer, 'cRLSign')) return false;
    if (!parsed.signatureAlgorithm.equals(parsed.tbsSignatureAlgorithm)) return false;
    const scheme = decodeSignatureAlgorithm(parseTlv(parsed.signatureAlgorithm));
    if (!scheme) return false;
    return verifyData(scheme, cert.publicKey, parsed.tbs, parsed.signature);
  } catch {
    return false;
  }
}
