/**
 * Restricted Identification, chip side (TR-03110-2 §3.6; TR-03110-3 A.5.4,
 * B.4, C.3.2.1):
 *
 *   GA 00 86 00 00 7C{A0 sector key [, A2 sector key]} → 7C{81 I1 [, 83 I2]}
 *
 * The sector public key is a public key data object whose tag 7F49 is
 * replaced by A0/A2, domain parameters included (B.4.1). Only after Terminal
 * Authentication and Chip Authentication (§3.6.1) and with the RI bit (2) in
 * the effective authorization. The hash of the 7F49 object (tag restored),
 * with the hash that signed the terminal certificate, must equal the 80/81
 * value of the terminal certificate's id-sector extension (C.3.2.1), else 6A80
 * (docs/chip-profile.md §6).
 * I = H(x(SK_ID · PK_sector)), H from the RI OID (A.5.4).
 */
import { createHash, diffieHellman } from 'node:crypto';
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { readOid } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import { curveByParameters, toBigInt } from '../../crypto/curves.js';
import { publicKeyFromPoint } from '../../crypto/keys.js';
import { constantTimeEqual } from '../../crypto/symmetric.js';
import { SPECIAL_FUNCTIONS } from '../../pki/cvc/chat.js';
import { childrenOf, findTlv, requireTlv, type Tlv, tlv } from '../../tlv/tlv.js';
import type { CommandContext, CommandResult } from '../context.js';
import { CARD_SW, CardError, fail } from '../errors.js';
import { expectObjects } from './objects.js';

/** The sector point, after checking algorithm and domain parameters. */
function sectorPoint(ctx: CommandContext, object: Buffer): Buffer {
  const { curve, ri } = ctx.config;
  try {
    const kids = childrenOf({ tag: 0x7f49, value: object, raw: object });
    if (readOid(requireTlv(kids, 0x06, 'algorithm'), 'algorithm') !== ri.protocol)
      throw new Error(`algorithm is not ${ri.protocol}`);
    const v = (tag: number) => toBigInt(requireTlv(kids, tag, `domain parameter ${tag.toString(16)}`).value);
    const c = curveByParameters(
      v(0x81),
      v(0x82),
      v(0x83),
      v(0x85),
      requireTlv(kids, 0x84, 'generator').value,
    );
    if (c.name !== curve.name) throw new Error(`domain parameters are ${c.name}, not ${curve.name}`);
    const f = findTlv(kids, 0x87);
    if (f && toBigInt(f.value) !== curve.h) throw new Error('cofactor does not match');
    const point = requireTlv(kids, 0x86, 'public point').value;
    publicKeyFromPoint(curve, point);
    return Buffer.from(point);
  } catch (e) {
    if (e instanceof CardError) throw e;
    return fail(SW.WRONG_DATA, `sector public key: ${(e as Error).message}`);
  }
}

export function restrictedIdentification(cmd: CommandApdu, ctx: CommandContext, dos: Tlv[]): CommandResult {
  const s = ctx.session;
  if (cmd.cla & 0x10)
    fail(CARD_SW.LAST_COMMAND_EXPECTED, 'command chaining must not be used for Restricted Identification');
  if (!s.ta || !s.ca)
    fail(
      SW.SECURITY_STATUS_NOT_SATISFIED,
      'Restricted Identification needs Terminal and Chip Authentication',
    );
  const ta = s.ta!;
  if (!ta.effectiveChat.hasBit(SPECIAL_FUNCTIONS.restrictedIdentification)) {
    fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'Restricted Identification is not in the effective authorization');
  }
  const objects = expectObjects(dos, [0xa0, 0xa2], 'Restricted Identification');
  if (objects.size === 0) fail(SW.WRONG_DATA, 'no sector public key');
  const sector = ta.terminal.extension(OID.idSector);
  const out: Buffer[] = [];
  for (const [tag, hashTag, idTag] of [
    [0xa0, 0x80, 0x81],
    [0xa2, 0x81, 0x83],
  ] as const) {
    const value = objects.get(tag);
    if (!value) continue;
    const point = sectorPoint(ctx, value);
    const hash = createHash(ta.certificateHash).update(tlv(0x7f49, value)).digest();
    const expected = sector && findTlv(sector.objects, hashTag);
    if (!expected || !constantTimeEqual(hash, expected.value)) {
      fail(SW.WRONG_DATA, 'the sector public key is not the one in the terminal certificate');
    }
    const x = diffieHellman({
      privateKey: ctx.config.ri.key,
      publicKey: publicKeyFromPoint(ctx.config.curve, point),
    });
    out.push(tlv(idTag, createHash(ctx.config.ri.hash).update(x).digest()));
  }
  return { sw: SW.OK, data: tlv(0x7c, out) };
}
