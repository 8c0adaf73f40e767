/**
 * The APDU dispatcher: ISO/IEC 7816-4 framing, secure messaging (TR-03110-3
 * F; ICAO 9303-11 §9.8) and routing to the command handlers.
 *
 * Inside a session every command must be SM-protected. A plain command, a
 * wrong MAC or malformed SM data objects end the session: the answer is
 * 6987 / 6988 in plain and the keys and all access rights are dropped
 * (TR-03110-3 F.1). Errors of a protected command are answered protected.
 * Outside a session an SM command is 6882. Malformed APDUs get their ISO
 * status word; an unexpected exception is answered 6F00.
 */
import { ApduError, type CommandApdu, encodeResponse, parseCommand } from '../apdu/apdu.js';
import { SW } from '../apdu/status.js';
import { SmError } from '../sm/secure-messaging.js';
import { externalAuthenticate } from './commands/external-authenticate.js';
import { generalAuthenticate } from './commands/general-authenticate.js';
import { getChallenge } from './commands/get-challenge.js';
import { manageSecurityEnvironment } from './commands/mse.js';
import { psoVerifyCertificate } from './commands/pso-verify-certificate.js';
import { readBinary } from './commands/read-binary.js';
import { resetRetryCounter } from './commands/reset-retry-counter.js';
import { select } from './commands/select.js';
import { verify } from './commands/verify.js';
import type { CommandContext, CommandHandler, CommandResult } from './context.js';
import { CARD_SW, CardError } from './errors.js';
import { newSession } from './session.js';

const HANDLERS: Record<number, CommandHandler> = {
  164: select,
  176: readBinary,
  34: manageSecurityEnvironment,
  134: generalAuthenticate,
  42: psoVerifyCertificate,
  132: getChallenge,
  130: externalAuthenticate,
  32: verify,
  44: resetRetryCounter,
};

export type ErrorLogger = (message: string, error: unknown) => void;

const plain = (sw: number): Buffer => encodeResponse({ data: Buffer.alloc(0), sw });

/**
 * CLA (ISO/IEC 7816-4 §5.4.1): first interindustry class on the basic channel,
 * b4-b3 00 (plain) or 11 (SM with authenticated header, F.3). Anything else
 * cannot be processed at all and is answered in plain.
 */
function claFormatError(cla: number): number | undefined {
  if (cla === 0xff || (cla & 0x63) !== 0) return SW.CLA_NOT_SUPPORTED;
  const sm = cla & 0x0c;
  if (sm === 0x04 || sm === 0x08) return SW.SECURE_MESSAGING_UNSUPPORTED;
  return undefined;
}

/** b5 command chaining is for General Authenticate only (B.13); b8 proprietary class for VERIFY only (B.14.10). */
function claUseError(cmd: CommandApdu): number | undefined {
  if (cmd.cla & 0x80 && cmd.ins !== 0x20) return SW.CLA_NOT_SUPPORTED;
  if (cmd.cla & 0x10 && cmd.ins !== 0x86) return CARD_SW.CHAINING_NOT_SUPPORTED;
  return undefined;
}

function run(cmd: CommandApdu, ctx: CommandContext, log: ErrorLogger): CommandResult {
  const claSw = claUseError(cmd);
  if (claSw !== undefined) return { sw: claSw };
  const handler = HANDLERS[cmd.ins];
  if (!handler) return { sw: SW.INS_NOT_SUPPORTED };
  try {
    const r = handler(cmd, ctx);
    return r.sw === SW.OK || (r.sw & 0xff00) === 0x6200 || (r.sw & 0xff00) === 0x6300 ? r : { sw: r.sw };
  } catch (e) {
    if (e instanceof CardError) return { sw: e.sw };
    log(`unexpected error in INS ${cmd.ins.toString(16)}`, e);
    return { sw: SW.UNKNOWN };
  }
}

/** Ends the session (TR-03110-3 F.1): keys and access rights are dropped, the MF is selected. */
export function endSession(ctx: CommandContext): void {
  ctx.session.sm?.close();
  ctx.session = newSession(ctx.fs.mf);
}

/** Processes one raw command APDU and returns the raw response. Never throws. */
export function dispatch(raw: Buffer, c: CommandContext, log: ErrorLogger): Buffer {
  try {
    let cmd: CommandApdu;
    try {
      cmd = parseCommand(raw);
    } catch (e) {
      if (!(e instanceof ApduError)) throw e;
      if (c.session.sm) endSession(c);
      return plain(SW.WRONG_LENGTH);
    }
    const claSw = claFormatError(cmd.cla);
    if (claSw !== undefined) {
      if (c.session.sm) endSession(c);
      return plain(claSw);
    }
    const protectedCmd = (cmd.cla & 0x0c) === 0x0c;
    c.transportNe = cmd.ne;
    const sm = c.session.sm;
    if (!sm) {
      if (protectedCmd) return plain(SW.SECURE_MESSAGING_UNSUPPORTED);
      const r = run(cmd, c, log);
      r.after?.();
      return encodeResponse({ data: r.data ?? Buffer.alloc(0), sw: r.sw });
    }
    if (!protectedCmd) {
      endSession(c);
      return plain(SW.SM_DATA_OBJECTS_MISSING);
    }
    let inner: CommandApdu;
    try {
      inner = sm.unwrapCommand(cmd);
    } catch (e) {
      if (!(e instanceof SmError)) throw e;
      endSession(c);
      return plain(e.code === 'missing-objects' ? SW.SM_DATA_OBJECTS_MISSING : SW.SM_DATA_OBJECTS_INCORRECT);
    }
    const r = run(inner, c, log);
    const wrapped = sm.wrapResponse({ data: r.data ?? Buffer.alloc(0), sw: r.sw });
    r.after?.();
    return encodeResponse(wrapped);
  } catch (e) {
    log('unexpected error in the dispatcher', e);
    if (c.session.sm) endSession(c);
    return plain(SW.UNKNOWN);
  }
}
