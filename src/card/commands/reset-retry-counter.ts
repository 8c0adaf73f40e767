/**
 * RESET RETRY COUNTER (TR-03110-3 B.7.1, B.14.11; TR-03110-2 §2.4):
 *
 *   00 2C 03 03          unblock: PIN retry counter back to 3 (and no longer suspended)
 *   00 2C 02 03 <PIN>    set a new 6-digit PIN (the retry counter goes back to 3)
 *
 * Unblock only after PACE with the user code (PUK); a new PIN after PACE with
 * the PIN or with the user code — a citizen who blocked PIN1 does not know it,
 * and the seeds have the user code "unlock and set a new chip password" (seed
 * 004 第陸章 壹.四.(二).2; TR-03110-2 §2.4 allows the change after the PUK).
 * Anything else is 6982 (docs/chip-profile.md §8). Authenticated terminals
 * with PIN Management (bit 5) are not granted by the profile.
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { isPin } from '../card-file.js';
import type { CommandContext, CommandResult } from '../context.js';
import { fail } from '../errors.js';

export function resetRetryCounter(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  if (cmd.p2 !== 0x03) fail(SW.INCORRECT_P1P2, 'only the PIN (P2 03) can be reset');
  if (cmd.p1 !== 0x02 && cmd.p1 !== 0x03) fail(SW.INCORRECT_P1P2, 'P1 must be 02 (new PIN) or 03 (reset)');
  const s = ctx.session;
  const pace = s.pace ?? fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'PACE first');
  if (cmd.p1 === 0x03 ? pace.password !== 'puk' : pace.password === 'can')
    fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'not authorized to change or unblock the PIN');
  if (cmd.p1 === 0x03) {
    if (cmd.data.length) fail(SW.WRONG_LENGTH, 'P1 03 takes no data');
  } else {
    const pin = cmd.data.toString('latin1');
    if (!isPin(pin)) fail(SW.WRONG_DATA, 'the new PIN must be 6 digits');
    ctx.state.setPin(pin);
  }
  ctx.state.resetCounter('pin');
  return { sw: SW.OK };
}
