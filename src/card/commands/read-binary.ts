/**
 * READ BINARY (ISO/IEC 7816-4 §11.3.3; TR-03110-3 B.9, B.12):
 *
 *   P1 = 1 0 0 s s s s s  short EF identifier, P2 = offset (0..255)
 *   P1 = 0 x x x x x x x  current EF, P1-P2 = 15-bit offset
 *
 * Le 00 (short) or 0000 (extended) reads up to the end of the file within 256
 * or 65536 bytes (§11.3.3): the rest of the file with 9000. An explicit Le
 * beyond the end returns what exists with 6282; an offset at or beyond the
 * end is 6B00. Access conditions are checked on every read (access.ts).
 */
import type { CommandApdu } from '../../apdu/apdu.js';
import { SW } from '../../apdu/status.js';
import { absentDataGroup, checkRead } from '../access.js';
import type { CommandContext, CommandResult } from '../context.js';
import { CARD_SW, fail } from '../errors.js';
import { efBySfi } from '../file-system.js';

/**
 * The most plaintext bytes whose protected response (DO 87 + DO 99 + DO 8E,
 * TR-03110-3 F.3.2) fits into `ne` bytes: 223 for a short Le of 00.
 */
export function smCapacity(ne: number): number {
  const limit = ne === 0 ? 256 : ne;
  let best = 0;
  for (let padded = 16; ; padded += 16) {
    const v = 1 + padded;
    const lenBytes = v < 0x80 ? 1 : v < 0x100 ? 2 : 3;
    if (1 + lenBytes + v + 4 + 10 > limit) return best;
    best = padded - 1;
  }
}

export function readBinary(cmd: CommandApdu, ctx: CommandContext): CommandResult {
  const s = ctx.session;
  if (cmd.data.length) fail(SW.WRONG_LENGTH, 'READ BINARY takes no command data');
  let offset: number;
  let ef = s.currentEf;
  if (cmd.p1 & 0x80) {
    const sfi = cmd.p1 & 0x1f;
    if (cmd.p1 & 0x60 || sfi === 0 || sfi === 0x1f) fail(SW.INCORRECT_P1P2, 'invalid short EF identifier');
    ef = efBySfi(s.currentDf, sfi);
    if (!ef && s.currentDf === ctx.fs.eid && sfi <= 22) absentDataGroup(sfi, s);
    if (!ef) return fail(SW.FILE_NOT_FOUND, `no EF with SFI ${sfi.toString(16)}`);
    s.currentEf = ef;
    offset = cmd.p2;
  } else {
    offset = (cmd.p1 << 8) | cmd.p2;
  }
  if (!ef) return fail(CARD_SW.NO_CURRENT_EF, 'no current EF');
  if (cmd.ne === 0) fail(SW.WRONG_LENGTH, 'READ BINARY without Le');
  checkRead(ef, s);
  const size = ef.content.length;
  if (offset >= size)
    fail(SW.WRONG_OFFSET, `offset ${offset} is beyond the end of ${ef.name} (${size} bytes)`);
  const available = size - offset;
  const upToEnd = cmd.ne === 256 || cmd.ne === 65536;
  const transport = s.sm ? smCapacity(ctx.transportNe) : Number.POSITIVE_INFINITY;
  if (transport === 0) fail(SW.WRONG_LENGTH, 'Le is too small for a protected response');
  const n = Math.min(available, cmd.ne, transport);
  const data = ef.content.subarray(offset, offset + n);
  const sw = !upToEnd && available < cmd.ne ? SW.END_OF_FILE : SW.OK;
  return { sw, data: Buffer.from(data) };
}
