/**
 * SELECT (ISO/IEC 7816-4 §11.2.2; TR-03110-3 B.9 via ICAO 9303-10):
 *
 *   P1 00  MF, DF or EF by file identifier (empty or 3F00: the MF)
 *   P1 01  child DF by file identifier
 *   P1 02  EF under the current DF
 *   P1 03  parent DF
 *   P1 04  DF by name (AID)
 *   P1 08  path from the MF
 *   P2 0C  no response data; 04 (FCP) or 00 (FCI): a small FCP template
 *
 * Selecting never needs access rights; reading does (access.ts).
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { tlv } from '../../tlv/tlv.js';
import { absentDataGroup } from '../access.js';
import type { CommandContext, CommandResult } from '../context.js';
import { fail } from '../errors.js';
import { childByFid, type Df, dfByName, type Ef, MF_FID } from '../file-system.js';

const fid = (b: Buffer): number => b.readUInt16BE(0);

function fcp(f: Ef | Df): Buffer {
  const items: Buffer[] = [];
  if (f.type === 'ef') {
    const size = Buffer.alloc(2);
    size.writeUInt16BE(f.content.length);
    items.push(
      tlv(0x80, size),
      tlv(0x82, Buffer.from([0x01])),
      tlv(0x83, Buffer.from([f.fid >> 8, f.fid & 0xff])),
    );
    items.push(tlv(0x88, Buffer.from([f.sfi << 3])));
  } else {
    items.push(tlv(0x82, Buffer.from([0x38])));
    if (f.fid !== undefined) items.push(tlv(0x83, Buffer.from([f.fid >> 8, f.fid & 0xff])));
    if (f.aid) items.push(tlv(0x84, f.aid));
  }
  return tlv(0x62, items);
}

function needLength(data: Buffer, lengths: readonly number[]): void {
  if (!lengths.includes(data.length)) fail(SW.WRONG_LENGTH, `SELECT data of ${data.length} bytes`);
}

function target(cmd: CommandApdu, ctx: CommandContext): Ef | Df {
  const { mf, eid } = ctx.fs;
  const cur = ctx.session.currentDf;
  const notFound = (): never => {
    // A data group of the profile in the eID application: authorization before existence (chip-profile §3.3 A5).
    const id = cmd.data.length === 2 ? fid(cmd.data) : 0;
    const dg = id & 0xff;
    if (cur === eid && (cmd.p1 === 0x00 || cmd.p1 === 0x02) && id >> 8 === 0x01 && dg >= 1 && dg <= 22)
      absentDataGroup(dg, ctx.session);
    return fail(SW.FILE_NOT_FOUND, 'file not found');
  };
  switch (cmd.p1) {
    case 0x00: {
      needLength(cmd.data, [0, 2]);
      if (cmd.data.length === 0 || fid(cmd.data) === MF_FID) return mf;
      return (
        childByFid(cur, fid(cmd.data)) ??
        (cur !== mf ? childByFid(mf, fid(cmd.data)) : undefined) ??
        notFound()
      );
    }
    case 0x01: {
      needLength(cmd.data, [2]);
      const c = childByFid(cur, fid(cmd.data));
      return c?.type === 'df' ? c : notFound();
    }
    case 0x02: {
      needLength(cmd.data, [2]);
      const c = childByFid(cur, fid(cmd.data));
      return c?.type === 'ef' ? c : notFound();
    }
    case 0x03:
      needLength(cmd.data, [0]);
      return cur.parent ?? mf;
    case 0x04:
      if (cmd.data.length < 1 || cmd.data.length > 16) fail(SW.WRONG_LENGTH, 'DF name must be 1-16 bytes');
      return dfByName(mf, cmd.data) ?? notFound();
    case 0x08: {
      if (cmd.data.length === 0 || cmd.data.length % 2)
        fail(SW.WRONG_LENGTH, 'path must be whole file identifiers');
      let node: Ef | Df = mf;
      for (let i = 0; i < cmd.data.length; i += 2) {
        if (node.type !== 'df') notFound();
        node = childByFid(node as Df, cmd.data.readUInt16BE(i)) ?? notFound();
      }
      return node;
    }
    default:
      return fail(SW.INCORRECT_P1P2, `SELECT P1 ${cmd.p1.toString(16)} is not supported`);
  }
}

export function select(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  if (![0x0c, 0x04, 0x00].includes(cmd.p2))
    fail(SW.INCORRECT_P1P2, `SELECT P2 ${cmd.p2.toString(16)} is not supported`);
  const f = target(cmd, ctx);
  if (f.type === 'ef') {
    ctx.session.currentDf = f.parent;
    ctx.session.currentEf = f;
  } else {
    ctx.session.currentDf = f;
    ctx.session.currentEf = undefined;
  }
  if (cmd.p2 === 0x0c || cmd.ne === 0) return { sw: SW.OK };
  const info = fcp(f);
  return { sw: SW.OK, data: info.subarray(0, Math.min(info.length, cmd.ne)) };
}
