/**
 * Signature algorithms of X.509 and CMS, run on node:crypto (OpenSSL, which
 * has the brainpool curves WebCrypto lacks):
 *
 *   ecdsa-with-SHA256/384/512      RFC 5758 §3.2 (parameters absent, DER signature)
 *   sha256/384/512WithRSAEncryption RFC 8017 appendix C (parameters NULL)
 *
 * The issuing key is a KeyObject or a SigningKey (a key in a PKCS#11 token,
 * src/crypto/signing-key.ts), whose plain ECDSA signature is DER-encoded here.
 */
import { createPublicKey, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { oid, readOid, seq, TAG } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import type { HashName } from '../../crypto/curves.js';
import { ecdsaPlainToDer } from '../../crypto/ecdsa.js';
import { curveOfKey, publicKeyFromPoint } from '../../crypto/keys.js';
import { isSigningKey, type SigningKey } from '../../crypto/signing-key.js';
import { childrenOf, parseTlv, type Tlv } from '../../tlv/tlv.js';
import { decodeEcPublicKeyInfo } from '../security-infos.js';
import { guard, nullValue } from './der.js';
import { X509Error } from './errors.js';
import { X509_OID } from './oids.js';

export interface SignatureScheme {
  readonly type: 'ecdsa' | 'rsa';
  readonly hash: HashName;
}

const ECDSA: Record<HashName, string> = {
  sha256: OID.ecdsaWithSha256,
  sha384: OID.ecdsaWithSha384,
  sha512: OID.ecdsaWithSha512,
};
const RSA: Record<HashName, string> = {
  sha256: X509_OID.sha256WithRsaEncryption,
  sha384: X509_OID.sha384WithRsaEncryption,
  sha512: X509_OID.sha512WithRsaEncryption,
};
const HASHES: readonly HashName[] = ['sha256', 'sha384', 'sha512'];

/** The scheme a private key signs with; EC keys default to the hash matched to their curve. */
export function schemeForKey(signer: KeyObject | SigningKey, hash?: HashName): SignatureScheme {
  const key = isSigningKey(signer) ? signer.publicKey : signer;
  if (hash !== undefined && !HASHES.includes(hash))
    throw new X509Error('unsupported', `unsupported hash ${hash}`);
  if (key.asymmetricKeyType === 'ec')
    return { type: 'ecdsa', hash: hash ?? guard('signing key', () => curveOfKey(key)).hash };
  if (key.asymmetricKeyType === 'rsa') return { type: 'rsa', hash: hash ?? 'sha256' };
  throw new X509Error('unsupported', `unsupported signing key type ${key.asymmetricKeyType}`);
}

/** The AlgorithmIdentifier of a scheme. */
export function encodeSignatureAlgorithm(s: SignatureScheme): Buffer {
  return s.type === 'ecdsa' ? seq(oid(ECDSA[s.hash])) : seq(oid(RSA[s.hash]), nullValue());
}

/**
 * The scheme of a signature AlgorithmIdentifier, or undefined when unsupported.
 * `digest` (CMS SignerInfo digestAlgorithm) lets the bare key algorithms
 * id-ecPublicKey / rsaEncryption, which some signers write, be understood.
 */
export function decodeSignatureAlgorithm(t: Tlv, digest?: HashName): SignatureScheme | undefined {
  if (t.tag !== TAG.SEQUENCE) return undefined;
  const [alg, params, ...rest] = childrenOf(t);
  if (!alg || alg.tag !== TAG.OID || rest.length > 0) return undefined;
  const algorithm = readOid(alg, 'signature algorithm');
  const absentOrNull = !params || (params.tag === TAG.NULL && params.value.length === 0);
  if (!absentOrNull) return undefined;
  const ec = HASHES.find((h) => ECDSA[h] === algorithm);
  if (ec) return { type: 'ecdsa', hash: ec };
  const rsa = HASHES.find((h) => RSA[h] === algorithm);
  if (rsa) return { type: 'rsa', hash: rsa };
  if (digest && algorithm === OID.ecPublicKey) return { type: 'ecdsa', hash: digest };
  if (digest && algorithm === X509_OID.rsaEncryption) return { type: 'rsa', hash: digest };
  return undefined;
}

export function signData(s: SignatureScheme, key: KeyObject | SigningKey, data: Uint8Array): Buffer {
  if (isSigningKey(key)) {
    return s.type === 'ecdsa'
      ? ecdsaPlainToDer(key.sign({ hash: s.hash, scheme: 'ecdsa' }, data))
      : key.sign({ hash: s.hash, scheme: 'rsa-pkcs1' }, data);
  }
  return s.type === 'ecdsa'
    ? nodeSign(s.hash, data, { key, dsaEncoding: 'der' })
    : nodeSign(s.hash, data, key);
}

/** Verifies with node:crypto; false for a wrong, malformed or mismatched signature or key. Never throws. */
export function verifyData(
  s: SignatureScheme,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const type = key.asymmetricKeyType;
    if ((s.type === 'ecdsa' && type !== 'ec') || (s.type === 'rsa' && type !== 'rsa')) return false;
    const k = usablePublicKey(key);
    return s.type === 'ecdsa'
      ? nodeVerify(s.hash, data, { key: k, dsaEncoding: 'der' }, signature)
      : nodeVerify(s.hash, data, k, signature);
  } catch {
    return false;
  }
}

/**
 * A public key node:crypto can use everywhere. EC keys with explicit domain
 * parameters (German CSCA / DS certificates) are recognised as their named
 * curve and rebuilt; X509Error('unsupported') for parameters of no supported curve.
 */
export function usablePublicKey(key: KeyObject): KeyObject {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ec' || pub.asymmetricKeyDetails?.namedCurve) return pub;
  return guard('public key with explicit parameters', () => {
    const spki = pub.export({ type: 'spki', format: 'der' });
    const { curve, point } = decodeEcPublicKeyInfo(parseTlv(spki));
    return publicKeyFromPoint(curve, point);
  });
}

/** The SubjectPublicKeyInfo of a key, exactly as node exports it. */
export function spkiOf(key: KeyObject | SigningKey): Buffer {
  if (isSigningKey(key)) return spkiOf(key.publicKey);
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}
