/**
 * EC keys as node:crypto KeyObjects, with conversions to the raw forms the
 * TR-03110 protocols carry (uncompressed points, fixed-size scalars).
 * node:crypto's JWK export has no brainpool, so the SPKI / PKCS#8 DER is built
 * and read here.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { integer, octets, oid, seq } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { childrenOf, parseTlv, tlv } from '../tlv/tlv.js';
import { type Curve, curveByName, curveByOid, decodePoint, toBigInt, toFixed } from './curves.js';
import { CryptoError } from './errors.js';

export interface EcKeyPair {
  readonly curve: Curve;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Uncompressed public point 04||X||Y. */
  readonly publicPoint: Buffer;
}

export function generateEcKeyPair(curve: Curve): EcKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve.name });
  return { curve, privateKey, publicKey, publicPoint: publicPointOf(publicKey) };
}

/** The curve of an EC KeyObject (public or private). */
export function curveOfKey(key: KeyObject): Curve {
  const name = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || !name)
    throw new CryptoError('invalid-key', 'not an EC key with a named curve');
  return curveByName(name);
}

/** The uncompressed public point of an EC key. */
export function publicPointOf(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const spki = pub.export({ format: 'der', type: 'spki' });
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }
  const [, bits] = childrenOf(parseTlv(spki));
  if (bits?.tag !== 0x03 || bits.value[0] !== 0) throw new CryptoError('invalid-key', 'unexpected SPKI');
  return Buffer.from(bits.value.subarray(1));
}

/** A public KeyObject from an uncompressed point (validated). */
export function publicKeyFromPoint(curve: Curve, point: Uint8Array): KeyObject {
  decodePoint(curve, point);
  const spki = seq(
    seq(oid(OID.ecPublicKey), oid(curve.oid)),
    tlv(0x03, Buffer.concat([Buffer.from([0]), point])),
  );
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

/** The private scalar, fixed to the curve size. */
export function privateScalarOf(key: KeyObject): Buffer {
  const curve = curveOfKey(key);
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING (ECPrivateKey) }
  const [, , inner] = childrenOf(parseTlv(pkcs8));
  const ecPriv = childrenOf(parseTlv(inner!.value));
  return toFixed(toBigInt(ecPriv[1]!.value), curve.size);
}

/** A private KeyObject from a raw scalar (RFC 5915 ECPrivateKey inside PKCS#8). */
export function privateKeyFromScalar(curve: Curve, scalar: Uint8Array): KeyObject {
  const d = toBigInt(scalar);
  if (d <= 0n || d >= curve.n) throw new CryptoError('invalid-key', 'private scalar out of range');
  const pub = curve.Point.BASE.multiply(d).toBytes(false);
  const ecPrivateKey = seq(
    integer(1),
    octets(toFixed(d, curve.size)),
    tlv(0xa1, tlv(0x03, Buffer.concat([Buffer.from([0]), pub]))),
  );
  const pkcs8 = seq(integer(0), seq(oid(OID.ecPublicKey), oid(curve.oid)), octets(ecPrivateKey));
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}

/**
 * Loads a PEM private key, or a DER PKCS#8 or SEC1 (RFC 5915) key — the form
 * OpenPACE's cvc-create writes despite its ".pkcs8" file names. EC keys must
 * be on a supported curve.
 */
export function loadPrivateKey(data: string | Buffer): KeyObject {
  const pem = typeof data === 'string' || data.includes('-----BEGIN');
  let key: KeyObject;
  if (pem) key = createPrivateKey({ key: data });
  else {
    try {
      key = createPrivateKey({ key: data, format: 'der', type: 'pkcs8' });
    } catch {
      key = createPrivateKey({ key: data, format: 'der', type: 'sec1' });
    }
  }
  if (key.asymmetricKeyType === 'ec') curveOfKey(key);
  return key;
}

export function exportPkcs8Pem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export { curveByOid };
