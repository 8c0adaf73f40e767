/**
 * The CSCA Master List (ICAO Doc 9303-12 §9), the signed list of CSCA
 * certificates the Ministry publishes for verifiers of public-area data
 * (docs/open-api.md):
 *
 *   CscaMasterList ::= SEQUENCE {
 *     version   CscaMasterListVersion,    -- v0(0)
 *     certList  SET OF Certificate }
 *
 * carried in a CMS SignedData (RFC 5652) with eContentType
 * id-icao-cscaMasterList (2.23.136.1.1.2). The signer is a Master List
 * Signer: a certificate issued by the CSCA with KeyUsage digitalSignature and
 * ExtendedKeyUsage id-icao-cscaMasterListSigningKey (2.23.136.1.1.3),
 * embedded in the SignedData; signed attributes contentType, messageDigest
 * and signingTime.
 *
 * A verifier trusts the list only through a CSCA it already holds (an
 * anchor obtained out of band): the Master List Signer must chain to it, be
 * valid and not be on a current CRL of it. The CSCAs the verifier then trusts
 * are the ones in the list, so a CSCA the Ministry withdraws from the list is
 * no longer trusted even if it was the anchor (chip-profile §11, open point 7).
 */
import type { KeyObject } from 'node:crypto';
import { integer, seq, set, TAG } from '../../asn1/der.js';
import type { HashName } from '../../crypto/curves.js';
import { childrenOf, parseTlv, validateTree } from '../../tlv/tlv.js';
import { parseCertificate } from './certificate-parser.js';
import { signCms } from './cms.js';
import { readBigInteger } from './der.js';
import { PassiveAuthError, X509Error } from './errors.js';
import { X509_OID } from './oids.js';
import {
  PassiveAuthenticationContext,
  type SignedDataResult,
  type SignerRole,
} from './passive-authentication.js';

export const MASTER_LIST_SIGNER: SignerRole = {
  name: 'Master List Signer',
  extKeyUsage: X509_OID.icaoCscaMasterListSigningKey,
};

/** DER of CscaMasterList v0 (the SET OF in DER order, X.690 §11.6). */
export function encodeMasterList(cscaCerts: readonly Buffer[]): Buffer {
  for (const c of cscaCerts) parseCertificate(c);
  return seq(integer(0), set(...[...cscaCerts].sort(Buffer.compare)));
}

/** The certificates of a CscaMasterList (each must parse); X509Error('malformed') otherwise. */
export function decodeMasterList(content: Buffer): Buffer[] {
  try {
    validateTree(content, 24);
    const outer = parseTlv(content);
    const [version, certList, ...rest] = outer.tag === TAG.SEQUENCE ? childrenOf(outer) : [];
    if (!version || !certList || rest.length > 0 || certList.tag !== TAG.SET)
      throw new X509Error('malformed', 'CscaMasterList is not SEQUENCE { version, certList }');
    if (readBigInteger(version, 'CscaMasterListVersion') !== 0n)
      throw new X509Error('unsupported', 'CscaMasterList version is not v0');
    const certs = childrenOf(certList).map((c) => Buffer.from(c.raw));
    for (const c of certs) parseCertificate(c);
    return certs;
  } catch (e) {
    if (e instanceof X509Error) throw e;
    throw new X509Error('malformed', `CscaMasterList: ${(e as Error).message}`);
  }
}

export interface SignMasterListOptions {
  readonly cscaCerts: readonly Buffer[];
  /** The Master List Signer certificate (DER) and key. */
  readonly signerCert: Buffer;
  readonly signerKey: KeyObject;
  readonly hash: HashName;
  /** signingTime; default now. */
  readonly signingTime?: Date;
}

export function signMasterList(o: SignMasterListOptions): Buffer {
  return signCms({
    contentType: X509_OID.icaoCscaMasterList,
    content: encodeMasterList(o.cscaCerts),
    signerCert: o.signerCert,
    signerKey: o.signerKey,
    hash: o.hash,
    signingTime: o.signingTime ?? new Date(),
  });
}

export interface VerifiedMasterList extends SignedDataResult {
  /** The CSCA certificates of the list (DER): the ones to trust. */
  readonly cscaCerts: readonly Buffer[];
}

export interface MasterListTrust {
  /** CSCA certificates (DER) the verifier already trusts; the signer must chain to one. */
  readonly anchors: readonly Buffer[];
  /** CRLs (DER); a current one of the anchor must not list the signer. */
  readonly crls: readonly Buffer[];
  readonly at?: Date;
}

/**
 * Verifies a CSCA Master List against `trust.anchors`; throws PassiveAuthError
 * (the codes of passive authentication: untrusted-signer, expired, revoked,
 * crl-missing, digest-mismatch, bad-signature, wrong-content-type, malformed).
 */
export function verifyMasterList(der: Buffer, trust: MasterListTrust): VerifiedMasterList {
  const signed = new PassiveAuthenticationContext({
    cscaCerts: trust.anchors,
    crls: trust.crls,
  }).verifySignedData(der, X509_OID.icaoCscaMasterList, MASTER_LIST_SIGNER, trust.at ?? new Date());
  let cscaCerts: Buffer[];
  try {
    cscaCerts = decodeMasterList(signed.content);
  } catch (e) {
    throw new PassiveAuthError('malformed', (e as Error).message);
  }
  if (cscaCerts.length === 0) throw new PassiveAuthError('malformed', 'the master list names no CSCA');
  return { ...signed, cscaCerts };
}
