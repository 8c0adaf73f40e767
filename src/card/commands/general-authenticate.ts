/**
 * GENERAL AUTHENTICATE (TR-03110-3 B.14.2): 00 86 00 00 7C{…}, for the
 * protocol selected by the last MSE:Set AT (PACE B.1, Chip Authentication B.2,
 * Restricted Identification B.4). The response data object 7C is present on
 * success only.
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { childrenOf, parseTlv, type Tlv } from '../../tlv/tlv.js';
import type { CommandContext, CommandResult } from '../context.js';
import { fail } from '../errors.js';
import { chipAuthentication } from '../protocols/chip-authentication.js';
import { paceStep } from '../protocols/pace.js';
import { restrictedIdentification } from '../protocols/restricted-identification.js';

/** The children of the dynamic authentication data object 7C. */
function dynamicAuthenticationData(data: Buffer): Tlv[] {
  try {
    const t = parseTlv(data);
    if (t.tag !== 0x7c) throw new Error('not a dynamic authentication data object (7C)');
    return childrenOf(t);
  } catch (e) {
    return fail(SW.WRONG_DATA, `General Authenticate: ${(e as Error).message}`);
  }
}

export function generalAuthenticate(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) fail(SW.INCORRECT_P1P2, 'General Authenticate needs P1-P2 0000');
  const se = ctx.session.se;
  if (!se) return fail(SW.CONDITIONS_NOT_SATISFIED, 'no protocol selected by MSE:Set AT');
  const dos = dynamicAuthenticationData(cmd.data);
  switch (se.kind) {
    case 'pace':
      return paceStep(cmd, ctx, se, dos);
    case 'ca':
      return chipAuthentication(cmd, ctx, dos);
    case 'ri':
      return restrictedIdentification(cmd, ctx, dos);
  }
}
