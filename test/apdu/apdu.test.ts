import { describe, expect, it } from 'vitest';
import { ApduError, command, encodeCommand, parseCommand } from '../../src/apdu/apdu.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('ISO 7816-4 command APDUs', () => {
  it.each([
    ['case 1', '00A40000', 0, 0],
    ['case 2S', '00B0000000', 0, 256],
    ['case 2S Le=DF', '00B08100DF', 0, 0xdf],
    ['case 3S', '00A4020C020101', 2, 0],
    ['case 4S', '00A4040C09E80704007F0007030200', 9, 256],
    ['case 2E', '00B00000000000', 0, 65536],
    ['case 3E', '002A00BE000003AABBCC', 3, 0],
    ['case 4E', '002A00BE000003AABBCC0000', 3, 65536],
  ])('%s', (_name, h, lc, ne) => {
    const c = parseCommand(hex(h));
    expect(c.data.length).toBe(lc);
    expect(c.ne).toBe(ne);
    expect(
      encodeCommand(c, h.length > 14 && hex(h)[4] === 0)
        .toString('hex')
        .toUpperCase(),
    ).toBe(h);
  });

  it('uses extended length only when needed', () => {
    expect(encodeCommand(command(0, 0xb0, 0, 0, Buffer.alloc(0), 257)).toString('hex')).toBe(
      '00b00000000101',
    );
    expect(encodeCommand(command(0, 0x2a, 0, 0xbe, Buffer.alloc(300))).length).toBe(7 + 300);
  });

  it.each(['00', '00A400', '00A4000005AA', '00A40000000002AA', '00A400000000'])(
    'rejects malformed %s',
    (h) => {
      expect(() => parseCommand(hex(h))).toThrow(ApduError);
    },
  );
});
