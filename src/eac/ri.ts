/**
 * Restricted Identification (TR-03110-2 §3.6; TR-03110-3 A.5.4, B.4, B.14.1,
 * B.14.2), after Terminal and Chip Authentication, in the CA channel:
 *
 *   MSE:Set AT            00 22 41 A4 Lc {80 id-RI-ECDH-SHA-256 (value only), 84 keyId}
 *   General Authenticate  00 86 00 00 Lc 7C{A0 sector public key [, A2 previous sector key]} 00
 *                         → 7C{81 I_ID^Sector [, 83 I_ID^Sector of the second key]}
 *
 * B.4.1: the sector public key is the public-key data object of D.3.3 with
 * its tag 7F49 replaced by A0 (A2 for the second key), domain parameters
 * included. Its hash is in the terminal certificate's id-sector extension;
 * the chip checks it. With domain parameters the command exceeds 255 bytes
 * and is sent with extended length (B.12.2); command chaining MUST NOT be used
 * (B.4). The identifier is H(x(KA(SK_ID, PK_Sector))), an octet string (B.4.2).
 *
 * 84 is sent always: B.14.1 requires it "if more than one private key is
 * available", and the keyId is known from RestrictedIdentificationInfo anyway.
 */
import { type CommandApdu, command, type ResponseApdu } from '../apdu/apdu.js';
import { SW } from '../apdu/status.js';
import { encodeOidValue } from '../asn1/oid.js';
import { OID } from '../asn1/oids.js';
import { TlvError } from '../tlv/errors.js';
import { parseTlv, tlv } from '../tlv/tlv.js';
import type { ApduChannel } from './channel.js';
import { unsignedInteger } from './data-objects.js';
import { parseDynamicAuthenticationData } from './dynamic-auth.js';
import { EacError } from './errors.js';
import { expectOkEmpty, statusError } from './status.js';

/** MSE:Set AT 00 22 41 A4 {80 RI OID, 84 keyId} (B.4, B.14.1). */
export function mseSetAtRi(opts: { keyId: number; protocol?: string }): CommandApdu {
  return command(
    0x00,
    0x22,
    0x41,
    0xa4,
    Buffer.concat([
      tlv(0x80, encodeOidValue(opts.protocol ?? OID.idRiEcdhSha256)),
      tlv(0x84, unsignedInteger(opts.keyId)),
    ]),
  );
}

/** A 7F49 sector public key data object re-tagged A0 / A2 (B.4.1). */
function sectorKeyObject(sectorKey: Buffer, tag: 0xa0 | 0xa2): Buffer {
  let t: ReturnType<typeof parseTlv>;
  try {
    t = parseTlv(sectorKey);
  } catch (e) {
    if (e instanceof TlvError) throw new EacError('invalid-argument', `sector public key: ${e.message}`);
    throw e;
  }
  if (t.tag !== 0x7f49)
    throw new EacError('invalid-argument', 'the sector public key must be a 7F49 public key data object');
  return tlv(tag, t.value);
}

/** General Authenticate 00 86 00 00 7C{A0 PK_Sector [, A2 PK_Sector2]} 00, not chained (B.4). */
export function generalAuthenticateRi(sectorKey: Buffer, secondSectorKey?: Buffer): CommandApdu {
  const objects = [
    sectorKeyObject(sectorKey, 0xa0),
    ...(secondSectorKey ? [sectorKeyObject(secondSectorKey, 0xa2)] : []),
  ];
  return command(0x00, 0x86, 0x00, 0x00, tlv(0x7c, objects), 256);
}

export interface RestrictedIdentificationResult {
  /** I_ID^Sector of the first sector key (81). */
  readonly identifier: Buffer;
  /** I_ID^Sector of the second sector key (83), when one was sent. */
  readonly secondIdentifier?: Buffer;
}

/** The General Authenticate response of RI: 7C{81 [, 83]}. */
export function parseRestrictedIdentificationResponse(
  r: ResponseApdu,
  withSecond = false,
): RestrictedIdentificationResult {
  if (r.sw !== SW.OK) throw statusError(r.sw, 'General Authenticate (RI)');
  const objs = parseDynamicAuthenticationData(
    r,
    'Restricted Identification',
    withSecond ? [0x81, 0x83] : [0x81],
  );
  const identifier = objs.get(0x81)!;
  if (identifier.length === 0) throw new EacError('malformed-response', 'empty sector-specific identifier');
  const second = objs.get(0x83);
  if (second?.length === 0)
    throw new EacError('malformed-response', 'empty second sector-specific identifier');
  return { identifier, ...(second ? { secondIdentifier: second } : {}) };
}

/** Runs RI over `channel` (the CA channel). */
export async function restrictedIdentification(
  channel: ApduChannel,
  opts: { keyId: number; sectorKey: Buffer; secondSectorKey?: Buffer; protocol?: string },
): Promise<RestrictedIdentificationResult> {
  expectOkEmpty(
    await channel.transmit(
      mseSetAtRi({ keyId: opts.keyId, ...(opts.protocol ? { protocol: opts.protocol } : {}) }),
    ),
    'MSE:Set AT (RI)',
  );
  const r = await channel.transmit(generalAuthenticateRi(opts.sectorKey, opts.secondSectorKey));
  return parseRestrictedIdentificationResponse(r, opts.secondSectorKey !== undefined);
}
