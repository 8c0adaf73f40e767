/**
 * Auxiliary data verification with VERIFY (TR-03110-3 B.6, B.14.10; A.7.5):
 *
 *   VERIFY  80 20 80 00 Lc {06 OID}     (with secure messaging: CLA 8C)
 *
 * B.14.10: "Due to the application specific coding the proprietary class
 * (with secure messaging and no chaining) MUST be used, i.e. CLA=0x8C"; the
 * plain CLA is therefore 80 and secure messaging sets bits 3–4 (80 | 0C).
 * The data field is the object identifier data object (tag 06 included) of
 * the auxiliary data committed to in Terminal Authentication.
 *
 *   9000 → verification successful; 6300 → verification failed;
 *   6A88 → nothing was committed for that OID; 6982 → no right in the CHAT.
 */
import { type CommandApdu, command, type ResponseApdu } from '../apdu/apdu.js';
import { SW } from '../apdu/status.js';
import { oid } from '../asn1/der.js';
import { AUX_DATA_OID } from './aux-data.js';
import type { ApduChannel } from './channel.js';
import { EacError } from './errors.js';
import { statusError } from './status.js';

export type VerificationKind = 'age' | 'place' | 'validity';

/** The auxiliary-data OID a verification checks. */
export const VERIFICATION_OID: Readonly<Record<VerificationKind, string>> = {
  age: AUX_DATA_OID.age,
  place: AUX_DATA_OID.municipality,
  validity: AUX_DATA_OID.validity,
};

/** Proprietary class (B.14.10). */
export const VERIFY_CLA = 0x80;

/** VERIFY 80 20 80 00 {06 OID}. */
export function verifyCommand(kindOrOid: VerificationKind | string): CommandApdu {
  const id = Object.hasOwn(VERIFICATION_OID, kindOrOid)
    ? VERIFICATION_OID[kindOrOid as VerificationKind]
    : kindOrOid;
  return command(VERIFY_CLA, 0x20, 0x80, 0x00, oid(id));
}

/** 9000 → true, 6300 → false, anything else an EacError. */
export function interpretVerify(r: ResponseApdu, what = 'VERIFY'): boolean {
  if (r.data.length !== 0)
    throw new EacError('malformed-response', `${what}: unexpected response data`, { sw: r.sw });
  if (r.sw === SW.OK) return true;
  if (r.sw === SW.VERIFICATION_FAILED) return false;
  if (r.sw === SW.REFERENCE_DATA_NOT_FOUND) {
    throw new EacError(
      'verification-failed',
      `${what}: no authenticated auxiliary data for this verification`,
      { sw: r.sw },
    );
  }
  throw statusError(r.sw, what);
}

/** Sends VERIFY for `kind` and interprets the answer. */
export async function verifyAuxiliaryData(channel: ApduChannel, kind: VerificationKind): Promise<boolean> {
  return interpretVerify(await channel.transmit(verifyCommand(kind)), `VERIFY (${kind})`);
}
