/**
 * ISO/IEC 7816-4 §5.1 command and response APDUs, short and extended length
 * (cases 1, 2S/2E, 3S/3E, 4S/4E). `ne` is the expected response length: 0 for
 * none, 256 for short "00", 65536 for extended "0000".
 */
export class ApduError extends Error {
  override readonly name = 'ApduError';
}

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Buffer;
  /** Maximum response data length expected (Ne); 0 = no response data. */
  readonly ne: number;
}

export interface ResponseApdu {
  readonly data: Buffer;
  readonly sw: number;
}

export function command(
  cla: number,
  ins: number,
  p1: number,
  p2: number,
  data: Uint8Array = Buffer.alloc(0),
  ne = 0,
): CommandApdu {
  return { cla, ins, p1, p2, data: Buffer.from(data), ne };
}

export function parseCommand(raw: Uint8Array): CommandApdu {
  const b = Buffer.from(raw);
  if (b.length < 4) throw new ApduError('APDU shorter than its header');
  const [cla, ins, p1, p2] = [b[0]!, b[1]!, b[2]!, b[3]!];
  const hdr = (data: Buffer, ne: number): CommandApdu => ({ cla, ins, p1, p2, data, ne });
  if (b.length === 4) return hdr(Buffer.alloc(0), 0);
  const b4 = b[4]!;
  if (b.length === 5) return hdr(Buffer.alloc(0), b4 === 0 ? 256 : b4);
  if (b4 !== 0) {
    if (b.length === 5 + b4) return hdr(b.subarray(5), 0);
    if (b.length === 6 + b4) {
      const le = b[5 + b4]!;
      return hdr(b.subarray(5, 5 + b4), le === 0 ? 256 : le);
    }
    throw new ApduError(`Lc ${b4} does not match an APDU of ${b.length} bytes`);
  }
  if (b.length < 7) throw new ApduError('truncated extended-length APDU');
  const l = b.readUInt16BE(5);
  if (b.length === 7) return hdr(Buffer.alloc(0), l === 0 ? 65536 : l);
  if (l === 0) throw new ApduError('extended Lc of zero');
  if (b.length === 7 + l) return hdr(b.subarray(7), 0);
  if (b.length === 9 + l) {
    const le = b.readUInt16BE(7 + l);
    return hdr(b.subarray(7, 7 + l), le === 0 ? 65536 : le);
  }
  throw new ApduError(`extended Lc ${l} does not match an APDU of ${b.length} bytes`);
}

/** Encodes a command, using extended length only when the data or Ne need it. */
export function encodeCommand(c: CommandApdu, forceExtended = false): Buffer {
  const head = Buffer.from([c.cla, c.ins, c.p1, c.p2]);
  const extended = forceExtended || c.data.length > 255 || c.ne > 256;
  if (c.data.length > 65535 || c.ne > 65536) throw new ApduError('APDU too long');
  const parts: Buffer[] = [head];
  if (!extended) {
    if (c.data.length) parts.push(Buffer.from([c.data.length]), c.data);
    if (c.ne) parts.push(Buffer.from([c.ne === 256 ? 0 : c.ne]));
    return Buffer.concat(parts);
  }
  const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  if (c.data.length) parts.push(Buffer.from([0]), u16(c.data.length), c.data);
  if (c.ne) parts.push(c.data.length ? Buffer.alloc(0) : Buffer.from([0]), u16(c.ne === 65536 ? 0 : c.ne));
  return Buffer.concat(parts);
}

export function parseResponse(raw: Uint8Array): ResponseApdu {
  const b = Buffer.from(raw);
  if (b.length < 2) throw new ApduError('response shorter than a status word');
  return { data: b.subarray(0, b.length - 2), sw: b.readUInt16BE(b.length - 2) };
}

export function encodeResponse(r: ResponseApdu): Buffer {
  const sw = Buffer.alloc(2);
  sw.writeUInt16BE(r.sw);
  return Buffer.concat([r.data, sw]);
}

export const isExtended = (raw: Uint8Array): boolean => raw.length > 6 && raw[4] === 0;
