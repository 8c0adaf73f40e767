/**
 * VERIFY of authenticated auxiliary data (TR-03110-3 B.6, B.14.10, A.7.5):
 * 8C 20 80 00 {06 OID} (proprietary class with SM; 0C is accepted as well).
 *
 *   id-DateOfBirth     CHAT bit 0; true if DG8 is not after the given date   (A.7.5.2)
 *   id-DateOfExpiry    no bit;     true if DG3 is not before the given date  (A.7.5.3)
 *   id-MunicipalityID  CHAT bit 1; true if DG18 starts with the given octets (A.7.5.4)
 *
 * 9000 true, 6300 false (also for an empty data group), 6A88 the data was not
 * sent in Terminal Authentication (or the card has no such data group), 6982
 * without TA and CA or without the bit (docs/chip-profile.md §5).
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { readOid } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import { SPECIAL_FUNCTIONS } from '../../pki/cvc/chat.js';
import { childrenOf, parseTlv, type Tlv } from '../../tlv/tlv.js';
import type { CommandContext, CommandResult } from '../context.js';
import { fail } from '../errors.js';

interface Check {
  readonly bit?: number;
  readonly dg: number;
  readonly test: (stored: Buffer, given: Buffer) => boolean;
}

const date = (b: Buffer): string => {
  const s = b.toString('latin1');
  if (!/^\d{8}$/.test(s)) fail(SW.WRONG_DATA, 'auxiliary data date must be YYYYMMDD');
  return s;
};

const CHECKS: Record<string, Check> = {
  [OID.idDateOfBirth]: {
    bit: SPECIAL_FUNCTIONS.ageVerification,
    dg: 8,
    test: (stored, given) => date(stored) <= date(given),
  },
  [OID.idDateOfExpiry]: { dg: 3, test: (stored, given) => date(stored) >= date(given) },
  [OID.idMunicipalityId]: {
    bit: SPECIAL_FUNCTIONS.municipalityIdVerification,
    dg: 18,
    test: (stored, given) =>
      given.length > 0 && given.length <= stored.length && stored.subarray(0, given.length).equals(given),
  },
};

/** The value inside a data group: [APPLICATION n] { one primitive value }; empty for an empty data group. */
function storedValue(ctx: CommandContext, dg: number): Buffer {
  const file = ctx.fs.dataGroups.get(dg) ?? fail(SW.REFERENCE_DATA_NOT_FOUND, `DG${dg} is not on the card`);
  try {
    const inner = childrenOf(parseTlv(file));
    if (inner.length === 0) return Buffer.alloc(0);
    if (inner.length !== 1) throw new Error('one value expected');
    return inner[0]!.value;
  } catch {
    return fail(SW.REFERENCE_DATA_NOT_FOUND, `DG${dg} cannot be compared`);
  }
}

export function verify(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  if (cmd.p1 !== 0x80 || cmd.p2 !== 0x00)
    fail(SW.INCORRECT_P1P2, 'only VERIFY of auxiliary data (P1-P2 8000) is supported');
  let oidTlv: Tlv;
  let oid: string;
  try {
    oidTlv = parseTlv(cmd.data);
    oid = readOid(oidTlv, 'auxiliary data OID');
  } catch {
    return fail(SW.WRONG_DATA, 'VERIFY data must be one object identifier (06)');
  }
  const ta = ctx.session.ta ?? fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'Terminal Authentication first');
  if (!ctx.session.ca) fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'Chip Authentication first');
  const check = CHECKS[oid] ?? fail(SW.REFERENCE_DATA_NOT_FOUND, `no verification for ${oid}`);
  if (check.bit !== undefined && !ta.effectiveChat.hasBit(check.bit))
    fail(SW.SECURITY_STATUS_NOT_SATISFIED, `CHAT bit ${check.bit} is missing`);
  const given =
    ta.auxData.get(oid) ??
    fail(SW.REFERENCE_DATA_NOT_FOUND, `${oid} was not sent in Terminal Authentication`);
  const stored = storedValue(ctx, check.dg);
  // An empty data group holds nothing that could fulfil the request.
  if (stored.length === 0) return { sw: SW.VERIFICATION_FAILED };
  return { sw: check.test(stored, given) ? SW.OK : SW.VERIFICATION_FAILED };
}
