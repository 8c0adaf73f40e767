/**
 * ECDSA on node:crypto. TR-03110-3 (CV certificates, Terminal Authentication)
 * uses the plain r||s format of TR-03111 §5.2.1; X.509 and CMS use DER.
 */
import { type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { integer, seq } from '../asn1/der.js';
import type { HashName } from './curves.js';
import { CryptoError } from './errors.js';

export type SignatureFormat = 'plain' | 'der';

const dsaEncoding = (f: SignatureFormat) => (f === 'plain' ? 'ieee-p1363' : 'der');

export function ecdsaSign(
  hash: HashName,
  data: Uint8Array,
  key: KeyObject,
  format: SignatureFormat = 'plain',
): Buffer {
  return nodeSign(hash, data, { key, dsaEncoding: dsaEncoding(format) });
}

/** Returns false for a wrong or malformed signature; never throws on bad input. */
export function ecdsaVerify(
  hash: HashName,
  data: Uint8Array,
  key: KeyObject,
  signature: Uint8Array,
  format: SignatureFormat = 'plain',
): boolean {
  try {
    return nodeVerify(hash, data, { key, dsaEncoding: dsaEncoding(format) }, signature);
  } catch {
    return false;
  }
}

/**
 * A plain r ‖ s signature (TR-03111 §5.2.1) as the DER Ecdsa-Sig-Value
 * SEQUENCE { r INTEGER, s INTEGER } that X.509 and CMS carry (RFC 5480 §2.2.3
 * / RFC 5758 §3.2): for a SigningKey, which returns the plain form.
 */
export function ecdsaPlainToDer(plain: Uint8Array): Buffer {
  if (plain.length === 0 || plain.length % 2 !== 0)
    throw new CryptoError('bad-signature', 'a plain ECDSA signature has two halves of equal length');
  const half = plain.length / 2;
  const r = BigInt(`0x${Buffer.from(plain.subarray(0, half)).toString('hex')}`);
  const s = BigInt(`0x${Buffer.from(plain.subarray(half)).toString('hex')}`);
  return seq(integer(r), integer(s));
}
