/**
 * CMS SignedData (RFC 5652), as EF.CardSecurity / EF.ChipSecurity use it
 * (TR-03110-3 A.1.2.5, ICAO 9303-10 §4.6.2):
 *
 *   ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
 *   SignedData ::= SEQUENCE {
 *     version CMSVersion, digestAlgorithms SET OF DigestAlgorithmIdentifier,
 *     encapContentInfo SEQUENCE { eContentType OBJECT IDENTIFIER, eContent [0] EXPLICIT OCTET STRING OPTIONAL },
 *     certificates [0] IMPLICIT CertificateSet OPTIONAL, crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
 *     signerInfos SET OF SignerInfo }
 *   SignerInfo ::= SEQUENCE {
 *     version CMSVersion, sid SignerIdentifier, digestAlgorithm DigestAlgorithmIdentifier,
 *     signedAttrs [0] IMPLICIT SET OF Attribute OPTIONAL, signatureAlgorithm SignatureAlgorithmIdentifier,
 *     signature OCTET STRING, unsignedAttrs [1] IMPLICIT SET OF Attribute OPTIONAL }
 *   SignerIdentifier ::= CHOICE { issuerAndSerialNumber SEQUENCE { issuer Name, serialNumber INTEGER },
 *                                 subjectKeyIdentifier [0] SubjectKeyIdentifier }
 *
 * Signing is node:crypto over the DER SET OF signed attributes (§5.4).
 */
import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { explicit, integer, octets, oid, seq, set } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import type { HashName } from '../../crypto/curves.js';
import { tlv } from '../../tlv/tlv.js';
import { encodeHashAlgorithm } from '../security-infos/hash-algorithm.js';
import { encodeSignatureAlgorithm, schemeForKey, signData } from './algorithms.js';
import { parseCertificate } from './certificate-parser.js';
import { signedInteger, time } from './der.js';
import { X509Error } from './errors.js';

export { type ParsedCms, type ParsedSignerInfo, parseCms, type SignerIdentifier } from './cms-parser.js';

export interface SignCmsOptions {
  /** eContentType, e.g. OID.idSecurityObject. */
  readonly contentType: string;
  readonly content: Buffer;
  readonly signerCert: Buffer;
  readonly signerKey: KeyObject;
  readonly hash: HashName;
  /** Further certificates to embed (e.g. a link certificate). */
  readonly extraCerts?: readonly Buffer[];
  /** signingTime attribute; default now, null to omit. */
  readonly signingTime?: Date | null;
  /** Leave eContent out: a detached signature over content the verifier already has (RFC 5652 §5.2). */
  readonly detached?: boolean;
}

const attribute = (type: string, value: Buffer): Buffer => seq(oid(type), set(value));

/** DER SET OF ordering (X.690 §11.6). */
const sorted = (items: readonly Buffer[]): Buffer[] => [...items].sort(Buffer.compare);

export function signCms(opts: SignCmsOptions): Buffer {
  const signer = parseCertificate(opts.signerCert);
  let matches = false;
  try {
    matches = new X509Certificate(opts.signerCert).checkPrivateKey(opts.signerKey);
  } catch {
    matches = false;
  }
  if (!matches) throw new X509Error('invalid-input', 'signerKey does not belong to signerCert');
  const scheme = schemeForKey(opts.signerKey, opts.hash);
  const digest = createHash(opts.hash).update(opts.content).digest();
  const signingTime = opts.signingTime === undefined ? new Date() : opts.signingTime;
  const attrs = sorted([
    attribute(OID.idContentType, oid(opts.contentType)),
    attribute(OID.idMessageDigest, octets(digest)),
    ...(signingTime ? [attribute(OID.idSigningTime, time(signingTime))] : []),
  ]);
  const signature = signData(scheme, opts.signerKey, set(...attrs));
  const digestAlgorithm = encodeHashAlgorithm(opts.hash);
  const signerInfo = seq(
    integer(1),
    seq(signer.issuer, signedInteger(signer.serial)),
    digestAlgorithm,
    tlv(0xa0, attrs),
    encodeSignatureAlgorithm(scheme),
    octets(signature),
  );
  // RFC 5652 §5.1: version 3 when eContentType is not id-data (IssuerAndSerialNumber signers only).
  const version = opts.contentType === OID.idData ? 1 : 3;
  const certs = sorted([
    opts.signerCert,
    ...(opts.extraCerts ?? []).filter((c) => !c.equals(opts.signerCert)),
  ]);
  const signedData = seq(
    integer(version),
    set(digestAlgorithm),
    opts.detached
      ? seq(oid(opts.contentType))
      : seq(oid(opts.contentType), explicit(0, octets(opts.content))),
    tlv(0xa0, certs),
    set(signerInfo),
  );
  return seq(oid(OID.idSignedData), explicit(0, signedData));
}
