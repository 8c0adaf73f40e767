/**
 * Chip Authentication version 2 (TR-03110-2 §3.4; TR-03110-3 A.2.3, A.2.4,
 * A.4.1.3, B.2, B.14.1, B.14.2), in the secure channel of PACE:
 *
 *   MSE:Set AT             00 22 41 A4 Lc {80 CA OID (value only), [84 keyId]}
 *   General Authenticate   00 86 00 00 Lc 7C{80 PK_PCD} 00 → 7C{81 r_PICC (8), 82 T_PICC (8)}
 *
 * The eID-Client sends both commands and relays r_PICC and T_PICC; the
 * eID-Server, holding SK_PCD, computes K = KA(SK_PCD, PK_PICC) (x coordinate),
 * KS_enc = KDF(K, r_PICC, 1), KS_mac = KDF(K, r_PICC, 2), and checks
 * T_PICC = CMAC(KS_mac, 7F49{06 CA OID, 86 PK_PCD})[0..8] in constant time.
 * The General Authenticate response still travels under the PACE keys; both
 * sides then restart secure messaging with the CA keys and SSC 0 (F.5).
 */
import { diffieHellman, type KeyObject } from 'node:crypto';
import { type CommandApdu, command } from '../apdu/apdu.js';
import { SW } from '../apdu/status.js';
import { encodeOidValue } from '../asn1/oid.js';
import { OID } from '../asn1/oids.js';
import { type Curve, decodePoint, toFixed } from '../crypto/curves.js';
import { CryptoError } from '../crypto/errors.js';
import {
  curveOfKey,
  type EcKeyPair,
  generateEcKeyPair,
  publicKeyFromPoint,
  publicPointOf,
} from '../crypto/keys.js';
import { authToken, keyBitsOfProtocol, type SessionKeys, sessionKeys } from '../crypto/pace.js';
import { constantTimeEqual } from '../crypto/symmetric.js';
import { tlv } from '../tlv/tlv.js';
import type { ApduChannel } from './channel.js';
import { unsignedInteger } from './data-objects.js';
import { parseDynamicAuthenticationData } from './dynamic-auth.js';
import { EacError } from './errors.js';
import { expectOkEmpty, statusError } from './status.js';

/** MSE:Set AT 00 22 41 A4 {80 OID, [84 keyId]} for Chip Authentication (B.2, B.14.1). */
export function mseSetAtCa(opts: { protocol: string; keyId?: number }): CommandApdu {
  return command(
    0x00,
    0x22,
    0x41,
    0xa4,
    Buffer.concat([
      tlv(0x80, encodeOidValue(opts.protocol)),
      ...(opts.keyId === undefined ? [] : [tlv(0x84, unsignedInteger(opts.keyId))]),
    ]),
  );
}

/** General Authenticate 00 86 00 00 7C{80 PK_PCD} Le 00 (B.2, B.14.2; not chained). */
export function generalAuthenticateCa(ephemeralPoint: Buffer): CommandApdu {
  return command(0x00, 0x86, 0x00, 0x00, tlv(0x7c, tlv(0x80, ephemeralPoint)), 256);
}

export interface ChipAuthenticationResponse {
  /** r_PICC, 8 bytes (B.2.2). */
  readonly nonce: Buffer;
  /** T_PICC, 8 bytes (A.2.4.2). */
  readonly token: Buffer;
}

/** The General Authenticate response of CA: 7C{81 nonce, 82 token}. */
export function parseChipAuthenticationResponse(r: { data: Buffer; sw: number }): ChipAuthenticationResponse {
  if (r.sw !== SW.OK) {
    if (r.sw === 0x6300)
      throw new EacError('authentication-failed', 'Chip Authentication failed', { sw: r.sw });
    throw statusError(r.sw, 'General Authenticate (CA)');
  }
  const objs = parseDynamicAuthenticationData(
    { data: r.data, sw: r.sw },
    'Chip Authentication',
    [0x81, 0x82],
  );
  const nonce = objs.get(0x81)!;
  const token = objs.get(0x82)!;
  if (nonce.length !== 8)
    throw new EacError('malformed-response', `CA nonce of ${nonce.length} bytes, not 8`);
  if (token.length !== 8)
    throw new EacError('malformed-response', `CA token of ${token.length} bytes, not 8`);
  return { nonce, token };
}

/** Client side: MSE:Set AT and General Authenticate in the PACE channel. */
export async function chipAuthenticate(
  channel: ApduChannel,
  opts: { protocol: string; keyId?: number; ephemeralPoint: Buffer },
): Promise<ChipAuthenticationResponse> {
  expectOkEmpty(
    await channel.transmit(
      mseSetAtCa({ protocol: opts.protocol, ...(opts.keyId === undefined ? {} : { keyId: opts.keyId }) }),
    ),
    'MSE:Set AT (CA)',
  );
  return parseChipAuthenticationResponse(await channel.transmit(generalAuthenticateCa(opts.ephemeralPoint)));
}

/** The terminal's ephemeral CA key pair on the chip's CA domain parameters (TR-03110-2 §3.3.1 step 3a). */
export function generateChipAuthenticationKey(curve: Curve): EcKeyPair {
  return generateEcKeyPair(curve);
}

/** Comp(PK) of an EC point: its x coordinate (A.2.2.3). */
export function compressPoint(curve: Curve, point: Buffer): Buffer {
  try {
    decodePoint(curve, point);
  } catch (e) {
    if (e instanceof CryptoError) throw new EacError('invalid-argument', e.message);
    throw e;
  }
  return Buffer.from(point.subarray(1, 1 + curve.size));
}

export interface FinishChipAuthenticationOptions {
  /** The CA protocol chosen (id-CA-ECDH-AES-CBC-CMAC-*). */
  readonly protocol: string;
  readonly curve: Curve;
  /** SK_PCD, the terminal's ephemeral private key. */
  readonly ephemeralPrivate: KeyObject;
  /** PK_PICC from EF.CardSecurity (after Passive Authentication). */
  readonly chipPublicPoint: Buffer;
  readonly nonce: Buffer;
  readonly token: Buffer;
}

/** Server side: derives the CA session keys and verifies T_PICC; EacError('bad-token') when it is wrong. */
export function finishChipAuthentication(o: FinishChipAuthenticationOptions): SessionKeys {
  let bits: ReturnType<typeof keyBitsOfProtocol>;
  try {
    bits = keyBitsOfProtocol(o.protocol);
    if (!o.protocol.startsWith(`${OID.idCaEcdh}.`)) throw new CryptoError('invalid-input', 'not id-CA-ECDH');
  } catch {
    throw new EacError('unsupported-protocol', `unsupported Chip Authentication protocol ${o.protocol}`);
  }
  if (o.nonce.length !== 8 || o.token.length !== 8)
    throw new EacError('malformed-response', 'CA nonce and token have 8 bytes each');
  let secret: Buffer;
  let ownPoint: Buffer;
  try {
    if (curveOfKey(o.ephemeralPrivate).name !== o.curve.name) {
      throw new EacError('invalid-argument', `the ephemeral key is not on ${o.curve.name}`);
    }
    const chipKey = publicKeyFromPoint(o.curve, o.chipPublicPoint);
    secret = toFixed(
      BigInt(`0x${diffieHellman({ privateKey: o.ephemeralPrivate, publicKey: chipKey }).toString('hex')}`),
      o.curve.size,
    );
    ownPoint = publicPointOf(o.ephemeralPrivate);
  } catch (e) {
    if (e instanceof CryptoError)
      throw new EacError('invalid-point', `Chip Authentication public key: ${e.message}`);
    throw e;
  }
  const keys = sessionKeys(secret, bits, o.nonce);
  secret.fill(0);
  if (!constantTimeEqual(o.token, authToken(keys.mac, o.protocol, ownPoint))) {
    keys.enc.fill(0);
    keys.mac.fill(0);
    throw new EacError('bad-token', 'Chip Authentication: the authentication token T_PICC is wrong');
  }
  return keys;
}
