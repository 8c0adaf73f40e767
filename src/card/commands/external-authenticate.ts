/**
 * EXTERNAL AUTHENTICATE (TR-03110-3 B.14.7; TR-03110-2 §3.3): the terminal's
 * ECDSA signature (plain r‖s, hash of its key's algorithm, A.7.4) over
 *
 *   ID_PICC ‖ r_PICC ‖ Comp(PK_PCD) ‖ A_PCD
 *
 * with ID_PICC = Comp(PK_PICC) of PACE, r_PICC from GET CHALLENGE, Comp(PK_PCD)
 * the 91 value and A_PCD the 67 data object as sent in MSE:Set AT. The
 * effective authorization is the AND of the CVCA, DV and terminal CHATs and
 * the CHAT of PACE (§2.7); a terminal type differing from PACE's is 6985.
 * A wrong signature is 6300 and grants nothing; the challenge is used once.
 * TA needs a CHAT in PACE (TR-03110-2 §2.3.2.1) and runs once per session (6982);
 * after PACE with the CAN the effective authorization must hold "CAN allowed"
 * (bit 4, §2.3.2.1), else 6982.
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { ecdsaVerify } from '../../crypto/ecdsa.js';
import { Chat, SPECIAL_FUNCTIONS } from '../../pki/cvc/chat.js';
import { CvcError } from '../../pki/cvc/errors.js';
import type { CommandContext, CommandResult } from '../context.js';
import { fail } from '../errors.js';

export function externalAuthenticate(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) fail(SW.INCORRECT_P1P2, 'External Authenticate needs P1-P2 0000');
  const s = ctx.session;
  const pace = s.pace ?? fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'PACE first');
  if (s.ta)
    fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'Terminal Authentication was already performed in this session');
  // CA without TA (after PACE with the CAN, chip-profile §3.3 A8) ends the chance of TA: rights are bound
  // to the channel of the key TA authenticated (TR-03110-2 §3.3.2), and that channel exists already.
  if (s.ca) fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'Chip Authentication was performed: TA must precede it');
  const setup =
    s.taSetup ?? fail(SW.CONDITIONS_NOT_SATISFIED, 'MSE:Set AT for Terminal Authentication is missing');
  const challenge = s.challenge ?? fail(SW.CONDITIONS_NOT_SATISFIED, 'GET CHALLENGE first');
  s.challenge = undefined;
  const terminal = s.imported;
  if (terminal?.cert.role !== 'terminal' || terminal.cert.chr !== setup.terminalChr) {
    fail(SW.CONDITIONS_NOT_SATISFIED, 'the terminal certificate is not the imported one');
  }
  const paceChat = pace.chat ?? fail(SW.CONDITIONS_NOT_SATISFIED, 'PACE was performed without a CHAT');
  let effective: Chat;
  try {
    effective = terminal!.chainChat.intersect(paceChat, 'terminal');
  } catch (e) {
    if (e instanceof CvcError) return fail(SW.CONDITIONS_NOT_SATISFIED, e.message);
    throw e;
  }
  // TR-03110-2 §2.3.2.1: an Authentication Terminal may use the CAN only with "CAN allowed" (chip-profile §3.3 A7).
  if (pace.password === 'can' && !effective.hasBit(SPECIAL_FUNCTIONS.canAllowed)) {
    return fail(
      SW.SECURITY_STATUS_NOT_SATISFIED,
      'PACE with the CAN needs "CAN allowed" in the effective authorization',
    );
  }
  const message = Buffer.concat([pace.idPicc, challenge, setup.pkPcdComp, setup.auxRaw]);
  const cert = terminal!.cert;
  if (
    cmd.data.length !== 2 * terminal!.curve.size ||
    !ecdsaVerify(cert.hash, message, terminal!.key, cmd.data, 'plain')
  ) {
    return { sw: SW.VERIFICATION_FAILED };
  }
  s.ta = {
    terminal: cert,
    effectiveChat: Chat.forRole('terminal', effective.bits(), effective.terminalType),
    certificateHash: terminal!.signedWith,
    pkPcdComp: setup.pkPcdComp,
    auxData: setup.auxData,
  };
  s.taSetup = undefined;
  return { sw: SW.OK };
}
