/**
 * Public keys between PKCS#11 attributes and node:crypto KeyObjects
 * (PKCS#11 v2.40 mechanisms §2.1.2 RSA public key objects: CKA_MODULUS,
 * CKA_PUBLIC_EXPONENT; §2.3.3 EC public key objects: CKA_EC_PARAMS, the DER
 * of the named-curve OID, and CKA_EC_POINT, the DER OCTET STRING of the
 * ANSI X9.62 point).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { oid, readOid, TAG } from '../../../asn1/der.js';
import { type Curve, curveByOid } from '../../../crypto/curves.js';
import { publicKeyFromPoint } from '../../../crypto/keys.js';
import { parseTlv } from '../../../tlv/tlv.js';
import { KeyStoreError } from './binding.js';

/** CKA_EC_PARAMS of a named curve: its OID, DER (ecParameters CHOICE namedCurve). */
export const ecParams = (curve: Curve): Buffer => oid(curve.oid);

export function curveOfEcParams(params: Buffer, label: string): Curve {
  try {
    return curveByOid(readOid(parseTlv(params), 'CKA_EC_PARAMS'));
  } catch (e) {
    throw new KeyStoreError(
      `${label}: CKA_EC_PARAMS is not a supported named curve (${(e as Error).message})`,
    );
  }
}

/** The public EC key of CKA_EC_PARAMS and CKA_EC_POINT (DER OCTET STRING, or the bare point some tokens return). */
export function ecPublicKey(params: Buffer, point: Buffer, label: string): KeyObject {
  const curve = curveOfEcParams(params, label);
  let raw = point;
  if (point[0] === TAG.OCTET_STRING && point.length !== 2 * curve.size + 1) {
    const t = parseTlv(point);
    raw = t.value;
  }
  try {
    return publicKeyFromPoint(curve, raw);
  } catch (e) {
    throw new KeyStoreError(
      `${label}: CKA_EC_POINT is not a point of ${curve.name} (${(e as Error).message})`,
    );
  }
}

const b64url = (b: Buffer) => b.toString('base64url');

/** The public RSA key of CKA_MODULUS and CKA_PUBLIC_EXPONENT (big-endian unsigned integers). */
export function rsaPublicKey(modulus: Buffer, exponent: Buffer): KeyObject {
  const strip = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    return b.subarray(i);
  };
  return createPublicKey({
    key: { kty: 'RSA', n: b64url(strip(modulus)), e: b64url(strip(exponent)) },
    format: 'jwk',
  });
}

/** SubjectPublicKeyInfo DER, to compare keys. */
export const spki = (k: KeyObject): Buffer => k.export({ format: 'der', type: 'spki' });
