/**
 * SELECT and READ BINARY for the eID application and the files of the MF
 * (TR-03110-3 B.9: "the APDUs … already specified by ICAO … (i.e. Select File
 * and Read Binary)"; ISO/IEC 7816-4 §11.2.2, §11.2.3).
 *
 *   SELECT MF               00 A4 00 0C 02 3F00
 *   SELECT eID application  00 A4 04 0C 09 E8 07 04 00 7F 00 07 03 02
 *   SELECT EF               00 A4 02 0C 02 FID
 *   READ BINARY (SFI)       00 B0 80|SFI offset Le      offset 0..255, selects the EF
 *   READ BINARY (current)   00 B0 offset(15 bit) Le     offset 0..32767
 *
 * P2 = 0C: no response data. Short reads fetch at most 0xDF bytes, so that the
 * secure-messaging response (87 81 E1 01 ‖ 224 bytes, 99 02 SW, 8E 08 MAC =
 * 242 bytes) fits a short response; an extended read takes up to 65536 bytes
 * (B.12). Offsets above 32767 would need READ BINARY with odd INS (B1), whose
 * secure messaging TR-03110-3 F.3 does not define; such files must be read
 * with one extended read.
 */
import { type CommandApdu, command } from '../apdu/apdu.js';
import { fileIdOfDg, shortFileIdOfDg } from '../profile/fields.js';
import { EacError } from './errors.js';

/** AID of the eID application (TR-03110-4 table 2 layout; this profile's value). */
export const EID_AID = Buffer.from('E80704007F00070302', 'hex');
export const EF_CARD_ACCESS = { fileId: 0x011c, sfi: 0x1c } as const;
export const EF_CARD_SECURITY = { fileId: 0x011d, sfi: 0x1d } as const;

/** Plaintext bytes per short READ BINARY under secure messaging. */
export const SHORT_READ_MAX = 0xdf;
/** Largest Ne of an extended READ BINARY. */
export const EXTENDED_READ_MAX = 65536;
/** Largest offset of READ BINARY with even INS (15-bit P1-P2). */
export const MAX_EVEN_OFFSET = 0x7fff;
/** Largest offset of READ BINARY with a short EF identifier (P2). */
export const MAX_SFI_OFFSET = 0xff;

const fid = (id: number) => Buffer.from([(id >> 8) & 0xff, id & 0xff]);

export function selectMasterFile(): CommandApdu {
  return command(0x00, 0xa4, 0x00, 0x0c, Buffer.from([0x3f, 0x00]));
}

export function selectEidApplication(): CommandApdu {
  return command(0x00, 0xa4, 0x04, 0x0c, EID_AID);
}

/** SELECT an EF of the current DF by its file identifier. */
export function selectElementaryFile(fileId: number): CommandApdu {
  if (!Number.isInteger(fileId) || fileId < 0 || fileId > 0xffff)
    throw new EacError('invalid-argument', `file id ${fileId}`);
  return command(0x00, 0xa4, 0x02, 0x0c, fid(fileId));
}

/** READ BINARY of the EF with short identifier `sfi` (1..30) from `offset` (0..255); selects that EF. */
export function readBinarySfi(sfi: number, offset: number, ne: number): CommandApdu {
  if (!Number.isInteger(sfi) || sfi < 1 || sfi > 30)
    throw new EacError('invalid-argument', `short file identifier ${sfi}`);
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_SFI_OFFSET) {
    throw new EacError(
      'invalid-argument',
      `offset ${offset} does not fit READ BINARY with a short EF identifier`,
    );
  }
  checkNe(ne);
  return command(0x00, 0xb0, 0x80 | sfi, offset, Buffer.alloc(0), ne);
}

/** READ BINARY of the current EF from `offset` (0..32767). */
export function readBinaryCurrent(offset: number, ne: number): CommandApdu {
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_EVEN_OFFSET) {
    throw new EacError(
      'invalid-argument',
      `offset ${offset} needs READ BINARY with odd INS, which TR-03110 SM does not cover`,
    );
  }
  checkNe(ne);
  return command(0x00, 0xb0, (offset >> 8) & 0x7f, offset & 0xff, Buffer.alloc(0), ne);
}

function checkNe(ne: number): void {
  if (!Number.isInteger(ne) || ne < 1 || ne > EXTENDED_READ_MAX)
    throw new EacError('invalid-argument', `Ne ${ne}`);
}

/** One READ BINARY (or SELECT) of a read plan, with what it reads. */
export interface ReadStep {
  readonly command: CommandApdu;
  readonly kind: 'select-file' | 'read';
  /** First byte read (reads only). */
  readonly offset: number;
  /** Bytes requested (reads only; 0 for SELECT). */
  readonly length: number;
}

export interface ReadRangeOptions {
  readonly offset?: number;
  readonly length: number;
  /** One extended-length read instead of short reads (B.12). */
  readonly extended?: boolean;
  /** Bytes per short read, at most 0xDF (default). */
  readonly chunk?: number;
}

/**
 * The steps reading bytes [offset, offset+length) of the file (`sfi`, `fileId`)
 * of the current DF: a READ BINARY with the short EF identifier when the first
 * offset fits P2 (it also selects the file), else SELECT EF first, then
 * READ BINARY of the current EF for every further chunk.
 */
export function readRangeSteps(file: { sfi: number; fileId: number }, opts: ReadRangeOptions): ReadStep[] {
  const offset = opts.offset ?? 0;
  const { length } = opts;
  const chunk = opts.extended ? EXTENDED_READ_MAX : (opts.chunk ?? SHORT_READ_MAX);
  if (!opts.extended && (!Number.isInteger(chunk) || chunk < 1 || chunk > SHORT_READ_MAX)) {
    throw new EacError('invalid-argument', `a short read takes 1..${SHORT_READ_MAX} bytes, not ${chunk}`);
  }
  if (!Number.isInteger(length) || length < 1) throw new EacError('invalid-argument', `length ${length}`);
  const steps: ReadStep[] = [];
  let pos = offset;
  const end = offset + length;
  if (pos > MAX_SFI_OFFSET) {
    steps.push({ command: selectElementaryFile(file.fileId), kind: 'select-file', offset: pos, length: 0 });
  }
  while (pos < end) {
    const n = Math.min(chunk, end - pos);
    const cmd = steps.length === 0 ? readBinarySfi(file.sfi, pos, n) : readBinaryCurrent(pos, n);
    steps.push({ command: cmd, kind: 'read', offset: pos, length: n });
    pos += n;
  }
  return steps;
}

/** The DGn file of the eID application: FID 0x0100+n, SFI n. */
export function dataGroupFile(dg: number): { sfi: number; fileId: number } {
  if (!Number.isInteger(dg) || dg < 1 || dg > 22)
    throw new EacError('invalid-argument', `data group ${dg} (1..22)`);
  return { sfi: shortFileIdOfDg(dg), fileId: fileIdOfDg(dg) };
}

/** The command APDUs reading bytes [offset, offset+length) of DGn (eID application selected). */
export function readBinaryCommands(dg: number, opts: ReadRangeOptions): CommandApdu[] {
  return readRangeSteps(dataGroupFile(dg), opts).map((s) => s.command);
}
