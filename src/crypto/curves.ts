/**
 * The elliptic curves of the New eID profile. Key generation, ECDSA and ECDH
 * run on node:crypto (OpenSSL); @noble/curves is used only where OpenSSL has no
 * API: point addition and scalar multiplication by a non-standard generator
 * (PACE generic mapping, TR-03110-3 A.3.4.1) and point validation.
 */

import type { WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 } from '@noble/curves/misc.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { CryptoError } from './errors.js';

export type CurveName =
  | 'brainpoolP256r1'
  | 'brainpoolP384r1'
  | 'brainpoolP512r1'
  | 'prime256v1'
  | 'secp384r1';
export type HashName = 'sha256' | 'sha384' | 'sha512';

export interface Curve {
  /** OpenSSL / node:crypto name. */
  readonly name: CurveName;
  /** Standardized domain parameter id of TR-03110-3 table 4 (A.2.1.1). */
  readonly standardizedId: number;
  /** X9.62 / RFC 5639 named-curve OID. */
  readonly oid: string;
  /** Field element size in bytes. */
  readonly size: number;
  /** Hash matched to the curve's strength (TR-03116-4). */
  readonly hash: HashName;
  readonly Point: WeierstrassPointCons<bigint>;
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly n: bigint;
  readonly h: bigint;
}

function make(
  name: CurveName,
  standardizedId: number,
  oid: string,
  hash: HashName,
  Point: WeierstrassPointCons<bigint>,
): Curve {
  const c = Point.CURVE();
  return {
    name,
    standardizedId,
    oid,
    size: Math.ceil(c.p.toString(16).length / 2),
    hash,
    Point,
    p: c.p,
    a: c.a,
    b: c.b,
    n: c.n,
    h: c.h,
  };
}

export const CURVES: readonly Curve[] = [
  make('brainpoolP256r1', 13, '1.3.36.3.3.2.8.1.1.7', 'sha256', brainpoolP256r1.Point),
  make('brainpoolP384r1', 16, '1.3.36.3.3.2.8.1.1.11', 'sha384', brainpoolP384r1.Point),
  make('brainpoolP512r1', 17, '1.3.36.3.3.2.8.1.1.13', 'sha512', brainpoolP512r1.Point),
  make('prime256v1', 12, '1.2.840.10045.3.1.7', 'sha256', p256.Point),
  make('secp384r1', 15, '1.3.132.0.34', 'sha384', p384.Point),
];

export const DEFAULT_CURVE: CurveName = 'brainpoolP256r1';

const ALIASES: Record<string, CurveName> = {
  'P-256': 'prime256v1',
  secp256r1: 'prime256v1',
  'P-384': 'secp384r1',
};

export function curveByName(name: string): Curve {
  const n = ALIASES[name] ?? name;
  const c = CURVES.find((x) => x.name === n);
  if (!c) throw new CryptoError('unsupported-curve', `unsupported curve ${name}`);
  return c;
}

export function curveByStandardizedId(id: number): Curve {
  const c = CURVES.find((x) => x.standardizedId === id);
  if (!c) throw new CryptoError('unsupported-curve', `unsupported standardized domain parameters ${id}`);
  return c;
}

export function curveByOid(oid: string): Curve {
  const c = CURVES.find((x) => x.oid === oid);
  if (!c) throw new CryptoError('unsupported-curve', `unsupported curve OID ${oid}`);
  return c;
}

/**
 * Recognises explicit domain parameters (as in CVCA certificates and in German
 * test Document Signer certificates) as one of the known curves.
 */
export function curveByParameters(p: bigint, a: bigint, b: bigint, n: bigint, generator?: Uint8Array): Curve {
  const c = CURVES.find((x) => x.p === p && x.a === a && x.b === b && x.n === n);
  if (!c) throw new CryptoError('unsupported-curve', 'explicit domain parameters match no supported curve');
  if (generator && !Buffer.from(generator).equals(Buffer.from(c.Point.BASE.toBytes(false)))) {
    throw new CryptoError('unsupported-curve', `explicit generator differs from ${c.name}'s`);
  }
  return c;
}

export function toFixed(n: bigint, size: number): Buffer {
  const hex = n.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new CryptoError('invalid-input', 'integer too large for field');
  return Buffer.from(hex, 'hex');
}

export function toBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`);
}

/**
 * Decodes an uncompressed point and checks it lies on the curve and is not the
 * point at infinity (TR-03110-3 A.2.2.3: public keys MUST be validated).
 */
export function decodePoint(curve: Curve, bytes: Uint8Array): WeierstrassPoint<bigint> {
  if (bytes.length !== 1 + 2 * curve.size || bytes[0] !== 0x04) {
    throw new CryptoError('invalid-point', `not an uncompressed ${curve.name} point`);
  }
  try {
    const pt = curve.Point.fromBytes(bytes);
    pt.assertValidity();
    if (pt.is0()) throw new Error('infinity');
    return pt;
  } catch {
    throw new CryptoError('invalid-point', `point is not on ${curve.name}`);
  }
}

export function encodePoint(pt: WeierstrassPoint<bigint>): Buffer {
  return Buffer.from(pt.toBytes(false));
}
