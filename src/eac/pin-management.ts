/**
 * PIN management (TR-03110-2 §2.4; TR-03110-3 B.7.1, B.14.11), in the secure
 * channel of PACE:
 *
 *   Unblock PIN (after PACE with the PUK):  00 2C 03 03            (no data: reset the retry counter)
 *   Change PIN  (after PACE with the PIN):  00 2C 02 03 Lc new PIN (P1 02: new PIN as data)
 *
 * P2 03 references the PIN. The new PIN is a character string (ISO 8859-1,
 * D.2.1.4); this profile's PIN1 has 6 digits.
 */
import { type CommandApdu, command } from '../apdu/apdu.js';
import { SW } from '../apdu/status.js';
import type { ApduChannel } from './channel.js';
import { EacError } from './errors.js';
import { statusError } from './status.js';

const PIN_REFERENCE = 0x03;

/** PIN1 of this profile: exactly 6 digits. */
export const PIN_PATTERN = /^\d{6}$/;

/** Reset Retry Counter 00 2C 03 03: unblock the PIN (B.14.11, P1 = 03, no data). */
export function resetRetryCounter(): CommandApdu {
  return command(0x00, 0x2c, 0x03, PIN_REFERENCE);
}

/** Reset Retry Counter 00 2C 02 03 {new PIN}: change the PIN (B.14.11, P1 = 02). */
export function changePin(newPin: string): CommandApdu {
  if (!PIN_PATTERN.test(newPin)) throw new EacError('invalid-argument', 'the new PIN must be 6 digits');
  return command(0x00, 0x2c, 0x02, PIN_REFERENCE, Buffer.from(newPin, 'latin1'));
}

async function run(channel: ApduChannel, cmd: CommandApdu, what: string): Promise<void> {
  const r = await channel.transmit(cmd);
  if (r.sw !== SW.OK) throw statusError(r.sw, what);
  if (r.data.length) throw new EacError('malformed-response', `${what}: unexpected response data`);
}

/** Unblocks the PIN in the channel of a PACE with the PUK. */
export function unblockPin(channel: ApduChannel): Promise<void> {
  return run(channel, resetRetryCounter(), 'Reset Retry Counter (unblock PIN)');
}

/** Sets a new PIN in the channel of a PACE with the PIN. */
export function setNewPin(channel: ApduChannel, newPin: string): Promise<void> {
  return run(channel, changePin(newPin), 'Reset Retry Counter (change PIN)');
}
