/**
 * Read access conditions, checked on every READ BINARY whatever the terminal
 * asked for (docs/chip-profile.md §3.3; seed 004 表5; TR-03110-3 A.1.2, B.9;
 * TR-03110-2 §2.3.4, §3.3.2):
 *
 * - EF.CardAccess, EF.DIR and the household area (DG18): always, also in plain (A1).
 * - EF.CardSecurity: after PACE with any password (A6, TR-03110-3 A.1.2.2).
 * - EF.ChipSecurity: after PACE with PIN, Terminal and Chip Authentication
 *   (A.1.2.3): it carries the encrypted-area data-group hashes.
 * - public area: after PACE with CAN or PIN (A2). Once Terminal Authentication
 *   has succeeded, the terminal's rights are bound to the secure channel of
 *   Chip Authentication (TR-03110-2 §2.3.4 step 1, §3.3.2): reads need CA and
 *   the DG's read bit in the effective CHAT (A3).
 * - encrypted area: PACE with PIN + TA + CA and the DG's read bit (A4).
 *
 * Anything else is 6982 (B.9). For a data group of the profile that is not on
 * the card the same check runs first, so only an authorized reader learns
 * that it is absent (6A82, A5).
 */
import { SW } from '../apdu/status.js';
import { fieldByDg, readBitOfDg } from '../profile/fields.js';
import { fail } from './errors.js';
import type { EfAccess } from './file-system.js';
import type { Session } from './session.js';

export function checkRead(ef: { readonly name: string; readonly access: EfAccess }, s: Session): void {
  const deny = (why: string): never => fail(SW.SECURITY_STATUS_NOT_SATISFIED, `${ef.name}: ${why}`);
  const a = ef.access;
  if (a.kind === 'always' || (a.kind === 'dataGroup' && a.area === 'household')) return;
  const pace = s.pace ?? deny('needs PACE');
  if (a.kind === 'cardSecurity') return;
  if (a.kind === 'chipSecurity') {
    if (pace.password !== 'pin' || !s.ta || !s.ca)
      deny('needs PACE with PIN, Terminal and Chip Authentication');
    return;
  }
  if (pace.password === 'puk') deny('needs PACE with CAN or PIN');
  if (a.area === 'encrypted' && (pace.password !== 'pin' || !s.ta))
    deny('the encrypted area needs PACE with PIN and Terminal Authentication');
  if (s.ta) {
    if (!s.ca)
      deny('after Terminal Authentication, data is released only over the Chip Authentication channel');
    if (!s.ta.effectiveChat.hasBit(readBitOfDg(a.dg)))
      deny(`read bit ${readBitOfDg(a.dg)} is not in the effective authorization`);
  }
}

/**
 * A data group that is not on the card: 6982 unless the reader would be
 * allowed to read it, then 6A82 (A5). DG1, DG2, DG16, DG22 are outside the profile: 6A82.
 */
export function absentDataGroup(dg: number, s: Session): never {
  const def = fieldByDg(dg);
  if (def) checkRead({ name: `DG${dg}`, access: { kind: 'dataGroup', dg, area: def.area } }, s);
  return fail(SW.FILE_NOT_FOUND, `DG${dg} is not on the card`);
}
