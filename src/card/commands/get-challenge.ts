/**
 * GET CHALLENGE (TR-03110-3 B.14.6): 00 84 00 00 08 → r_PICC, 8 random bytes,
 * kept for the next External Authenticate (B.3: also before the certificates).
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import type { CommandContext, CommandResult } from '../context.js';
import { fail } from '../errors.js';

export const CHALLENGE_BYTES = 8;

export function getChallenge(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) fail(SW.INCORRECT_P1P2, 'GET CHALLENGE needs P1-P2 0000');
  if (cmd.data.length) fail(SW.WRONG_LENGTH, 'GET CHALLENGE takes no data');
  if (cmd.ne !== CHALLENGE_BYTES)
    fail(SW.WRONG_LENGTH, `GET CHALLENGE returns ${CHALLENGE_BYTES} bytes (Le 08)`);
  const r = ctx.rng.bytes(CHALLENGE_BYTES, 'ta-challenge');
  ctx.session.challenge = r;
  return { sw: SW.OK, data: Buffer.from(r) };
}
