/**
 * PACE, terminal side (TR-03110-2 §3.2; TR-03110-3 A.3, B.1, B.14.1, B.14.2)
 * with ECDH generic mapping and AES (id-PACE-ECDH-GM-AES-CBC-CMAC-*):
 *
 *   MSE:Set AT     00 22 C1 A4 Lc {80 OID-value, 83 password ref, [84 parameterId], [7F4C CHAT]}
 *   GA 1           10 86 00 00 02 7C00 00                 → 7C {80 z = E(Kπ, s)}
 *   GA 2 (map)     10 86 00 00 Lc 7C{81 PK_map,PCD} 00    → 7C {82 PK_map,PICC}
 *   GA 3 (key)     10 86 00 00 Lc 7C{83 PK_PCD} 00        → 7C {84 PK_PICC}
 *   GA 4 (tokens)  00 86 00 00 Lc 7C{85 T_PCD} 00         → 7C {86 T_PICC, [87 CAR_curr], [88 CAR_prev]}
 *
 * CLA 10 marks the first three General Authenticates as chained (ISO 7816-4
 * §5.1.1.1, B.13). The chip's points are validated on the curve and must
 * differ from the terminal's; T_PICC is checked in constant time. The result
 * is the secure channel (SSC 0) and ID_PICC = Comp(PK_PICC) = x(PK_PICC) for
 * Terminal Authentication (TR-03110-2 §3.3, TR-03110-3 A.2.2.3).
 */
import { type CommandApdu, command, type ResponseApdu } from '../apdu/apdu.js';
import { SW, swHex } from '../apdu/status.js';
import type { CardTransport } from '../apdu/transport.js';
import { encodeOidValue } from '../asn1/oid.js';
import { type Curve, decodePoint, encodePoint } from '../crypto/curves.js';
import { CryptoError } from '../crypto/errors.js';
import {
  authToken,
  decryptNonce,
  ephemeralKey,
  mapNonce,
  passwordKey,
  sessionKeys,
  sharedSecret,
} from '../crypto/pace.js';
import { randomScalar } from '../crypto/random.js';
import { constantTimeEqual } from '../crypto/symmetric.js';
import type { Chat } from '../pki/cvc/chat.js';
import { isHolderReference } from '../pki/cvc/holder-reference.js';
import { SecureMessaging } from '../sm/secure-messaging.js';
import { tlv } from '../tlv/tlv.js';
import { choosePace, decodeCardAccess, type PaceParameters } from './card-access.js';
import { type ApduChannel, PlainChannel } from './channel.js';
import { unsignedInteger } from './data-objects.js';
import { dynamicAuthenticationData, parseDynamicAuthenticationData } from './dynamic-auth.js';
import { EacError } from './errors.js';
import { isRetryCounterWarning, retriesOf, statusError } from './status.js';

export { readCardAccess } from './files.js';

export type PasswordRef = 'mrz' | 'can' | 'pin' | 'puk';

/** Password references of MSE:Set AT data object 83 (B.14.1). */
export const PASSWORD_REFERENCE: Readonly<Record<PasswordRef, number>> = {
  mrz: 0x01,
  can: 0x02,
  pin: 0x03,
  puk: 0x04,
};

/** MSE:Set AT for PACE: 00 22 C1 A4 {80 OID (value only), 83 ref, [84 parameterId], [7F4C CHAT]} (B.1, B.14.1). */
export function mseSetAtPace(opts: {
  protocol: string;
  passwordRef: PasswordRef;
  parameterId?: number;
  chat?: Chat;
}): CommandApdu {
  const objects = [
    tlv(0x80, encodeOidValue(opts.protocol)),
    tlv(0x83, Buffer.from([PASSWORD_REFERENCE[opts.passwordRef]])),
  ];
  if (opts.parameterId !== undefined) objects.push(tlv(0x84, unsignedInteger(opts.parameterId)));
  if (opts.chat) objects.push(opts.chat.encode());
  return command(0x00, 0x22, 0xc1, 0xa4, Buffer.concat(objects));
}

/** General Authenticate (B.14.2) carrying `objects` in 7C; chained (CLA 10) unless it is the last step. */
export function generalAuthenticate(objects: readonly Uint8Array[], last: boolean): CommandApdu {
  return command(last ? 0x00 : 0x10, 0x86, 0x00, 0x00, dynamicAuthenticationData(...objects), 256);
}

/** Password bytes: a character string as ISO/IEC 8859-1 (A.2.3 table 5, D.2.1.4); MRZ: the SHA-1 key seed. */
export function passwordBytes(password: string | Uint8Array): Buffer {
  if (typeof password !== 'string') return Buffer.from(password);
  if (!/^[\x20-\x7e\xa0-\xff]*$/.test(password))
    throw new EacError('invalid-argument', 'the password has characters outside ISO 8859-1');
  return Buffer.from(password, 'latin1');
}

export type PaceKeyPurpose = 'mapping' | 'ephemeral';

export interface PaceOptions {
  /** CAN, PIN or PUK as a string; for MRZ the key seed SHA-1(serial ‖ birth ‖ expiry) as bytes. */
  readonly password: string | Uint8Array;
  readonly passwordRef: PasswordRef;
  /** The CHAT to confine the authorization to; required before Terminal Authentication version 2. */
  readonly chat?: Chat;
  /** EF.CardAccess (DER SecurityInfos). */
  readonly cardAccess: Buffer;
  /**
   * Run inside an existing channel (the second PACE of TR-03110-2 §3.2.2, after
   * PACE with the CAN resumed a suspended PIN). Default: plain.
   */
  readonly channel?: ApduChannel;
  /** Private scalars of the terminal's mapping and ephemeral keys (tests replay known vectors). Default: random. */
  readonly rng?: (purpose: PaceKeyPurpose, curve: Curve) => bigint;
}

export interface PaceResult {
  /** Secure messaging with the PACE session keys, SSC 0. */
  readonly sm: SecureMessaging;
  /** ID_PICC = Comp(PK_PICC) = x coordinate of the chip's ephemeral PACE key. */
  readonly idPicc: Buffer;
  /** CAR_curr (87) and CAR_prev (88), most recent first. */
  readonly cars: string[];
  readonly protocol: string;
  readonly parameterId: number;
  readonly curve: Curve;
  /** The chip's ephemeral PACE public key PK_PICC. */
  readonly chipEphemeralPoint: Buffer;
  /** Retry counter reported by MSE:Set AT (63Cx), when not at its initial value. */
  readonly retriesLeft?: number;
}

/** MSE:Set AT status (B.14.1): 9000, or a 63Cx warning telling the retry counter. */
function checkMseSetAt(r: ResponseApdu, ref: PasswordRef, resuming: boolean): number | undefined {
  if (r.sw === SW.OK) return undefined;
  if (r.sw === 0x6283)
    throw new EacError('password-deactivated', `the ${ref.toUpperCase()} is deactivated`, { sw: r.sw });
  if (isRetryCounterWarning(r.sw)) {
    const x = retriesOf(r.sw);
    if (x === 0)
      throw new EacError('password-blocked', `the ${ref.toUpperCase()} is blocked`, {
        sw: r.sw,
        retriesLeft: 0,
      });
    if (x === 1 && !resuming) {
      throw new EacError('password-suspended', `the ${ref.toUpperCase()} is suspended: enter the CAN first`, {
        sw: r.sw,
        retriesLeft: 1,
      });
    }
    return x;
  }
  throw statusError(r.sw, 'MSE:Set AT (PACE)');
}

/** General Authenticate failures of PACE (B.14.2). */
export function paceStatusError(sw: number, step: string): EacError {
  const what = `PACE ${step}: card answered ${swHex(sw)}`;
  if (isRetryCounterWarning(sw)) {
    const x = retriesOf(sw);
    if (x === 0)
      return new EacError('password-blocked', `${what}: wrong password, now blocked`, { sw, retriesLeft: 0 });
    if (x === 1)
      return new EacError('password-suspended', `${what}: wrong password, now suspended`, {
        sw,
        retriesLeft: 1,
      });
    return new EacError('wrong-password', `${what}: wrong password, ${x} tries left`, { sw, retriesLeft: x });
  }
  switch (sw) {
    case 0x6300:
      return new EacError('wrong-password', `${what}: authentication failed`, { sw });
    case SW.AUTH_METHOD_BLOCKED:
      return new EacError('password-blocked', `${what}: the password is blocked`, { sw, retriesLeft: 0 });
    case SW.REFERENCE_DATA_NOT_USABLE:
      return new EacError('password-deactivated', `${what}: the password is deactivated`, { sw });
    case SW.CONDITIONS_NOT_SATISFIED:
      return new EacError('password-suspended', `${what}: the password is suspended`, { sw, retriesLeft: 1 });
    default:
      return statusError(sw, `PACE ${step}`);
  }
}

async function step(
  ch: ApduChannel,
  objects: readonly Uint8Array[],
  last: boolean,
  name: string,
  expected: number,
  optional: readonly number[] = [],
): Promise<Map<number, Buffer>> {
  const r = await ch.transmit(generalAuthenticate(objects, last));
  if (r.sw !== SW.OK) throw paceStatusError(r.sw, name);
  return parseDynamicAuthenticationData(r, `PACE ${name}`, [expected], optional);
}

function cryptoToEac(e: unknown, what: string): never {
  if (e instanceof CryptoError) {
    throw new EacError(
      e.code === 'invalid-point' ? 'invalid-point' : 'malformed-response',
      `PACE ${what}: ${e.message}`,
    );
  }
  throw e;
}

/** Runs PACE with the card; returns the secure channel and what Terminal Authentication needs. */
export async function pace(card: CardTransport, opts: PaceOptions): Promise<PaceResult> {
  const params: PaceParameters = choosePace(decodeCardAccess(opts.cardAccess));
  const { curve, protocol, keyBits } = params;
  const ch = opts.channel ?? new PlainChannel(card);
  const scalar = (p: PaceKeyPurpose) => (opts.rng ? opts.rng(p, curve) : randomScalar(curve));

  const mse = mseSetAtPace({
    protocol,
    passwordRef: opts.passwordRef,
    ...(params.ambiguous ? { parameterId: params.parameterId } : {}),
    ...(opts.chat ? { chat: opts.chat } : {}),
  });
  const retriesLeft = checkMseSetAt(await ch.transmit(mse), opts.passwordRef, opts.channel !== undefined);

  // 1. Encrypted nonce
  const z = (await step(ch, [], false, 'encrypted nonce', 0x80)).get(0x80)!;
  const kpi = passwordKey(passwordBytes(opts.password), keyBits);
  let s: Buffer;
  try {
    s = decryptNonce(kpi, z);
  } catch (e) {
    cryptoToEac(e, 'encrypted nonce');
  } finally {
    kpi.fill(0);
  }

  // 2. Map nonce (generic mapping, A.3.4.1)
  const mapping = ephemeralKey(curve, undefined, scalar('mapping'));
  const ownMapping = encodePoint(mapping.Q);
  const chipMapping = (await step(ch, [tlv(0x81, ownMapping)], false, 'map nonce', 0x82)).get(0x82)!;
  if (chipMapping.equals(ownMapping))
    throw new EacError('invalid-point', 'PACE map nonce: the chip returned the terminal mapping key');
  let generator: ReturnType<typeof mapNonce>;
  try {
    generator = mapNonce(curve, s, mapping, chipMapping);
  } catch (e) {
    cryptoToEac(e, 'map nonce');
  } finally {
    s.fill(0);
  }

  // 3. Key agreement on the mapped generator
  const eph = ephemeralKey(curve, generator, scalar('ephemeral'));
  const ownEphemeral = encodePoint(eph.Q);
  const chipEphemeral = (await step(ch, [tlv(0x83, ownEphemeral)], false, 'key agreement', 0x84)).get(0x84)!;
  if (chipEphemeral.equals(ownEphemeral)) {
    throw new EacError('invalid-point', 'PACE key agreement: PK_PICC equals PK_PCD');
  }
  let secret: Buffer;
  try {
    decodePoint(curve, chipEphemeral);
    secret = sharedSecret(curve, eph.d, chipEphemeral);
  } catch (e) {
    cryptoToEac(e, 'key agreement');
  }
  const keys = sessionKeys(secret, keyBits);
  secret.fill(0);
  const forget = () => {
    keys.enc.fill(0);
    keys.mac.fill(0);
  };

  // 4. Mutual authentication
  const tPcd = authToken(keys.mac, protocol, chipEphemeral);
  let answer: Map<number, Buffer>;
  try {
    answer = await step(ch, [tlv(0x85, tPcd)], true, 'mutual authentication', 0x86, [0x87, 0x88]);
  } catch (e) {
    forget();
    throw e;
  }
  if (!constantTimeEqual(answer.get(0x86)!, authToken(keys.mac, protocol, ownEphemeral))) {
    forget();
    throw new EacError('bad-token', 'PACE: the chip authentication token T_PICC is wrong');
  }
  const cars: string[] = [];
  for (const tag of [0x87, 0x88]) {
    const v = answer.get(tag);
    if (!v) continue;
    const car = v.toString('latin1');
    if (!isHolderReference(car))
      throw new EacError(
        'malformed-response',
        `PACE: invalid certification authority reference in ${tag.toString(16)}`,
      );
    cars.push(car);
  }
  if (answer.has(0x88) && !answer.has(0x87))
    throw new EacError('malformed-response', 'PACE: CAR_prev (88) without CAR_curr (87)');
  if (opts.chat && !answer.has(0x87)) {
    throw new EacError(
      'malformed-response',
      'PACE with a CHAT: the chip did not name its CVCA (87) as B.1 requires',
    );
  }

  return {
    sm: new SecureMessaging(keys),
    idPicc: Buffer.from(chipEphemeral.subarray(1, 1 + curve.size)),
    cars,
    protocol,
    parameterId: params.parameterId,
    curve,
    chipEphemeralPoint: Buffer.from(chipEphemeral),
    ...(retriesLeft === undefined ? {} : { retriesLeft }),
  };
}
