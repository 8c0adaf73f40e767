/**
 * The cryptographic steps of PACE with ECDH generic mapping (TR-03110-2 §3.2,
 * TR-03110-3 A.3 and A.2.3; ICAO Doc 9303 part 11 §4.4). Shared by the card
 * (src/card) and the terminal / eID-Client (src/eac). Protocol framing lives
 * with each side; this file has only the math.
 */
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { oid as derOid } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { tlv } from '../tlv/tlv.js';
import { type Curve, decodePoint, encodePoint, toBigInt, toFixed } from './curves.js';
import { CryptoError } from './errors.js';
import { KDF_ENC, KDF_MAC, KDF_PI, kdf } from './kdf.js';
import { randomScalar } from './random.js';
import { aesCbcDecrypt, aesCbcEncrypt, aesCmac } from './symmetric.js';

export type KeyBits = 128 | 192 | 256;

/** Session key length of a PACE or CA protocol OID (…-AES-CBC-CMAC-128/192/256). */
export function keyBitsOfProtocol(protocol: string): KeyBits {
  const last = protocol.split('.').at(-1);
  const table: Record<string, KeyBits> = { '2': 128, '3': 192, '4': 256 };
  const bits = last ? table[last] : undefined;
  const family = protocol.startsWith(OID.idPaceEcdhGm) || protocol.startsWith(OID.idCaEcdh);
  if (!bits || !family) throw new CryptoError('invalid-input', `unsupported protocol ${protocol}`);
  return bits;
}

/** Kπ = KDF_π(π): the password (CAN, PIN, PUK) as ISO 8859-1 bytes (A.2.3.3). */
export function passwordKey(password: Uint8Array, bits: KeyBits): Buffer {
  return kdf(password, KDF_PI, bits);
}

export function encryptNonce(kpi: Uint8Array, s: Uint8Array): Buffer {
  return aesCbcEncrypt(kpi, Buffer.alloc(16), s);
}

export function decryptNonce(kpi: Uint8Array, z: Uint8Array): Buffer {
  return aesCbcDecrypt(kpi, Buffer.alloc(16), z);
}

/** An ephemeral EC key on an arbitrary generator. */
export interface EphemeralKey {
  readonly d: bigint;
  readonly Q: WeierstrassPoint<bigint>;
}

export function ephemeralKey(
  curve: Curve,
  generator: WeierstrassPoint<bigint> = curve.Point.BASE,
  d = randomScalar(curve),
): EphemeralKey {
  return { d, Q: generator.multiply(d) };
}

/**
 * Generic mapping (TR-03110-3 A.3.4.1): H = d_own · PK_peer, Ĝ = s·G + H.
 * The peer's mapping key is validated first.
 */
export function mapNonce(
  curve: Curve,
  s: Uint8Array,
  own: EphemeralKey,
  peerPoint: Uint8Array,
): WeierstrassPoint<bigint> {
  const peer = decodePoint(curve, peerPoint);
  const H = peer.multiply(own.d);
  const sn = toBigInt(s) % curve.n;
  if (sn === 0n) throw new CryptoError('invalid-input', 'nonce is zero modulo the group order');
  const g = curve.Point.BASE.multiply(sn).add(H);
  if (g.is0()) throw new CryptoError('invalid-point', 'mapped generator is the point at infinity');
  return g;
}

/** ECDH over any generator: the x coordinate of d · PK_peer (TR-03111 §4.3.1). */
export function sharedSecret(curve: Curve, d: bigint, peerPoint: Uint8Array): Buffer {
  const P = decodePoint(curve, peerPoint).multiply(d);
  if (P.is0()) throw new CryptoError('invalid-point', 'shared secret is the point at infinity');
  return toFixed(P.x, curve.size);
}

export interface SessionKeys {
  readonly enc: Buffer;
  readonly mac: Buffer;
}

/** KSenc = KDF(K, 1), KSmac = KDF(K, 2); CA v2 inserts the chip's nonce (A.2.3.1). */
export function sessionKeys(secret: Uint8Array, bits: KeyBits, nonce?: Uint8Array): SessionKeys {
  return { enc: kdf(secret, KDF_ENC, bits, nonce), mac: kdf(secret, KDF_MAC, bits, nonce) };
}

/**
 * Authentication token (TR-03110-3 A.2.4.2): CMAC over the peer's ephemeral
 * public key as a 7F49 public-key data object carrying the protocol OID and
 * the point (tag 86), truncated to 8 bytes.
 */
export function authToken(macKey: Uint8Array, protocol: string, peerPoint: Uint8Array): Buffer {
  const input = tlv(0x7f49, [derOid(protocol), tlv(0x86, peerPoint)]);
  return aesCmac(macKey, input).subarray(0, 8);
}

export { encodePoint };
