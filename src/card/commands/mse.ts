/**
 * MANAGE SECURITY ENVIRONMENT (TR-03110-3 B.14.1, B.14.4):
 *
 *   22 C1A4  Set AT for PACE        {80 OID, 83 password ref, [84 parameter id], [7F4C CHAT], [65 extensions]}
 *   22 81B6  Set DST for TA         {83 CAR of the key verifying the next certificate}
 *   22 81A4  Set AT for TA          {80 TA OID, 83 terminal CHR, [67 aux data], 91 Comp(PK_PCD)}
 *   22 41A4  Set AT for CA or RI    {80 OID, [84 private key reference]}
 *
 * PACE answers 63CX when the password's retry counter is below its initial
 * value (X = remaining tries; 63C1 suspended, 63C0 blocked), B.14.1.
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { readOid } from '../../asn1/der.js';
import { decodeOidValue } from '../../asn1/oid.js';
import { OID } from '../../asn1/oids.js';
import { Chat } from '../../pki/cvc/chat.js';
import { TlvError } from '../../tlv/errors.js';
import { childrenOf, parseTlvList, type Tlv } from '../../tlv/tlv.js';
import type { CommandContext, CommandResult } from '../context.js';
import { CardError, fail } from '../errors.js';
import { CardState, type Password } from '../state.js';

const PASSWORDS: Record<number, Password> = { 2: 'can', 3: 'pin', 4: 'puk' };

function objects(data: Buffer, allowed: readonly number[]): Map<number, Tlv> {
  let list: Tlv[];
  try {
    list = parseTlvList(data);
  } catch (e) {
    return fail(SW.WRONG_DATA, `MSE data: ${(e as Error).message}`);
  }
  const out = new Map<number, Tlv>();
  for (const t of list) {
    if (!allowed.includes(t.tag)) fail(SW.WRONG_DATA, `unexpected data object ${t.tag.toString(16)} in MSE`);
    if (out.has(t.tag)) fail(SW.WRONG_DATA, `data object ${t.tag.toString(16)} given twice`);
    out.set(t.tag, t);
  }
  return out;
}

function oidOf(t: Tlv | undefined): string {
  if (!t) return fail(SW.WRONG_DATA, 'cryptographic mechanism reference (80) is missing');
  try {
    return decodeOidValue(t.value);
  } catch {
    return fail(SW.WRONG_DATA, 'malformed object identifier');
  }
}

function keyRef(t: Tlv | undefined): number | undefined {
  if (!t) return undefined;
  if (t.value.length < 1 || t.value.length > 4) fail(SW.WRONG_DATA, 'malformed key reference');
  return t.value.readUIntBE(0, t.value.length);
}

const needPace = (ctx: CommandContext): void => {
  if (!ctx.session.pace) fail(SW.SECURITY_STATUS_NOT_SATISFIED, 'PACE first');
};

/** PACE (B.1): selects the password; the chain of General Authenticate follows. */
function setAtPace(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  const s = ctx.session;
  const dos = objects(cmd.data, [0x80, 0x83, 0x84, 0x7f4c, 0x65]);
  const protocol = oidOf(dos.get(0x80));
  if (protocol !== ctx.config.pace.protocol)
    fail(SW.WRONG_DATA, `PACE protocol ${protocol} is not supported`);
  const ref = dos.get(0x83);
  if (ref?.value.length !== 1) return fail(SW.WRONG_DATA, 'password reference (83) is missing');
  const password =
    PASSWORDS[ref.value[0]!] ??
    fail(SW.REFERENCE_DATA_NOT_FOUND, `password ${ref.value[0]} is not available`);
  const param = keyRef(dos.get(0x84));
  if (param !== undefined && param !== ctx.config.pace.parameterId)
    fail(SW.REFERENCE_DATA_NOT_FOUND, `domain parameters ${param} are not available`);
  let chat: Chat | undefined;
  const chatTlv = dos.get(0x7f4c);
  if (chatTlv) {
    try {
      chat = Chat.decode(chatTlv);
    } catch (e) {
      return fail(SW.WRONG_DATA, `CHAT: ${(e as Error).message}`);
    }
    if (chat.terminalType !== OID.idAt || chat.role !== 'terminal')
      fail(SW.WRONG_DATA, 'only Authentication Terminals are supported');
  }
  // TR-03110-2 §3.2.2: one PACE per session, except resuming or continuing with the PIN after CAN or PUK.
  if (s.pace && !(password === 'pin' && s.pace.password !== 'pin' && !s.ta)) {
    fail(SW.CONDITIONS_NOT_SATISFIED, 'PACE was already performed in this session');
  }
  s.se = { kind: 'pace', protocol, bits: ctx.config.pace.bits, password, step: 0, ...(chat ? { chat } : {}) };
  const rc = ctx.state.retryCounter(password);
  const max = CardState.maxRetries(password);
  return { sw: rc === undefined || rc === max ? SW.OK : 0x63c0 | rc };
}

/** MSE:Set DST (B.14.4): the key that verifies the next certificate. */
function setDst(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  needPace(ctx);
  const dos = objects(cmd.data, [0x83]);
  const ref = dos.get(0x83) ?? fail(SW.WRONG_DATA, 'public key reference (83) is missing');
  const chr = ref.value.toString('latin1');
  const s = ctx.session;
  const known =
    ctx.state.trustPoints.some((t) => t.chr === chr) ||
    (s.imported?.cert.chr === chr && s.imported.cert.role !== 'terminal');
  if (!known) {
    s.dst = undefined;
    fail(SW.REFERENCE_DATA_NOT_FOUND, `public key ${chr} is not available`);
  }
  s.dst = chr;
  return { sw: SW.OK };
}

/** Authenticated auxiliary data (A.7.5): 67 { 73 { 06 OID, 53 data } … }; the last template of an OID wins. */
export function parseAuxData(t: Tlv): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  try {
    for (const ddt of childrenOf(t)) {
      if (ddt.tag !== 0x73) throw new TlvError('unexpected-tag', 'auxiliary data template must be 73');
      const kids = childrenOf(ddt);
      if (kids.length !== 2 || kids[1]!.tag !== 0x53)
        throw new TlvError('unexpected-tag', 'template must be {06 OID, 53 data}');
      out.set(readOid(kids[0]!, 'auxiliary data OID'), Buffer.from(kids[1]!.value));
    }
  } catch (e) {
    if (e instanceof CardError) throw e;
    return fail(SW.WRONG_DATA, `auxiliary data: ${(e as Error).message}`);
  }
  return out;
}

/** MSE:Set AT for Terminal Authentication (B.3). */
function setAtTa(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  needPace(ctx);
  const s = ctx.session;
  const dos = objects(cmd.data, [0x80, 0x83, 0x67, 0x91]);
  const protocol = oidOf(dos.get(0x80));
  const terminal = s.imported?.cert.role === 'terminal' ? s.imported.cert : undefined;
  if (protocol !== OID.idTa && !protocol.startsWith(`${OID.idTa}.2.`))
    fail(SW.WRONG_DATA, `${protocol} is not a Terminal Authentication OID`);
  const chr =
    dos.get(0x83)?.value.toString('latin1') ?? fail(SW.WRONG_DATA, 'terminal reference (83) is missing');
  if (!terminal || terminal.chr !== chr)
    fail(SW.REFERENCE_DATA_NOT_FOUND, `terminal key ${chr} has not been imported`);
  if (protocol !== OID.idTa && protocol !== terminal!.publicKey.algorithm)
    fail(SW.WRONG_DATA, `${protocol} is not the terminal key's algorithm`);
  const comp = dos.get(0x91) ?? fail(SW.WRONG_DATA, 'Comp(PK_PCD) (91) is missing');
  if (comp.value.length !== ctx.config.curve.size)
    fail(SW.WRONG_DATA, 'Comp(PK_PCD) must be the x-coordinate of the key');
  const aux = dos.get(0x67);
  s.taSetup = {
    terminalChr: chr,
    pkPcdComp: Buffer.from(comp.value),
    auxRaw: aux ? Buffer.from(aux.raw) : Buffer.alloc(0),
    auxData: aux ? parseAuxData(aux) : new Map(),
  };
  return { sw: SW.OK };
}

/** MSE:Set AT for Chip Authentication (B.2) or Restricted Identification (B.4). */
function setAtCaRi(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  needPace(ctx);
  const dos = objects(cmd.data, [0x80, 0x84]);
  const protocol = oidOf(dos.get(0x80));
  const ref = keyRef(dos.get(0x84));
  const { ca, ri } = ctx.config;
  if (protocol === ca.protocol) {
    if (ref !== undefined && ref !== ca.keyId)
      fail(SW.REFERENCE_DATA_NOT_FOUND, `no Chip Authentication key ${ref}`);
    ctx.session.se = { kind: 'ca', protocol };
  } else if (protocol === ri.protocol) {
    if (ref !== undefined && ref !== ri.keyId)
      fail(SW.REFERENCE_DATA_NOT_FOUND, `no Restricted Identification key ${ref}`);
    ctx.session.se = { kind: 'ri', protocol };
  } else {
    fail(SW.WRONG_DATA, `protocol ${protocol} is not supported`);
  }
  return { sw: SW.OK };
}

export function manageSecurityEnvironment(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  switch ((cmd.p1 << 8) | cmd.p2) {
    case 0xc1a4:
      return setAtPace(cmd, ctx);
    case 0x81b6:
      return setDst(cmd, ctx);
    case 0x81a4:
      return setAtTa(cmd, ctx);
    case 0x41a4:
      return setAtCaRi(cmd, ctx);
    default:
      return fail(SW.INCORRECT_P1P2, `MSE ${cmd.p1.toString(16)}${cmd.p2.toString(16)} is not supported`);
  }
}
