/**
 * ECDSA on node:crypto. TR-03110-3 (CV certificates, Terminal Authentication)
 * uses the plain r||s format of TR-03111 §5.2.1; X.509 and CMS use DER.
 */
import { type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import type { HashName } from './curves.js';

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
