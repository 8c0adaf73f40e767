import { describe, expect, it } from 'vitest';
import { TlvError } from '../../src/tlv/errors.js';
import {
  childrenOf,
  encodeLength,
  isConstructed,
  parseTlv,
  parseTlvList,
  readTlv,
  tlv,
  validateTree,
} from '../../src/tlv/tlv.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

function expectTlvError(fn: () => unknown, code: TlvError['code']) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TlvError);
    expect((e as TlvError).code).toBe(code);
    return;
  }
  throw new Error('expected a TlvError');
}

describe('BER-TLV', () => {
  it('decodes multi-byte tags and constructed objects', () => {
    const cert = hex('7F21 0A 7F4E 03 5F29 00  5F37 01 AA');
    const t = parseTlv(cert);
    expect(t.tag).toBe(0x7f21);
    expect(isConstructed(t.tag)).toBe(true);
    const [body, sig] = childrenOf(t);
    expect(body!.tag).toBe(0x7f4e);
    expect(childrenOf(body!)[0]!.tag).toBe(0x5f29);
    expect(isConstructed(0x5f29)).toBe(false);
    expect(sig!.value).toEqual(hex('AA'));
    expect(t.raw).toEqual(cert);
  });

  it('decodes a three-byte tag', () => {
    const t = parseTlv(hex('9F8101 01 FF'));
    expect(t.tag).toBe(0x9f8101);
  });

  it('encodes short and long lengths minimally and round-trips', () => {
    expect(encodeLength(0x7f)).toEqual(hex('7F'));
    expect(encodeLength(0x80)).toEqual(hex('8180'));
    expect(encodeLength(0x100)).toEqual(hex('820100'));
    expect(encodeLength(0x10000)).toEqual(hex('83010000'));
    for (const n of [0, 1, 127, 128, 255, 256, 65535, 65536, 100000]) {
      const enc = tlv(0x5f37, Buffer.alloc(n, 7));
      const d = parseTlv(enc);
      expect(d.tag).toBe(0x5f37);
      expect(d.value.length).toBe(n);
    }
  });

  it('accepts non-minimal long lengths (BER) on input', () => {
    expect(parseTlv(hex('04 81 02 AB CD')).value).toEqual(hex('ABCD'));
  });

  it('rejects truncated input with a typed error', () => {
    expectTlvError(() => parseTlv(hex('04 05 01 02')), 'truncated');
    expectTlvError(() => parseTlv(hex('5F')), 'truncated');
    expectTlvError(() => parseTlv(hex('04')), 'truncated');
    expectTlvError(() => parseTlv(hex('04 82 01')), 'truncated');
    expectTlvError(() => parseTlv(Buffer.alloc(0)), 'truncated');
  });

  it('rejects over-long, indefinite and oversized length fields', () => {
    expectTlvError(() => parseTlv(hex('04 84 FF FF FF FF 00')), 'truncated');
    expectTlvError(() => parseTlv(hex('04 85 01 00 00 00 00')), 'invalid-length');
    expectTlvError(() => parseTlv(hex('30 80 04 00 00 00')), 'indefinite-length');
  });

  it('rejects invalid and over-long tags', () => {
    expectTlvError(() => parseTlv(hex('00 00')), 'invalid-tag');
    expectTlvError(() => parseTlv(hex('1F 80 01 00')), 'invalid-tag');
    expectTlvError(() => parseTlv(hex('1F 81 81 81 81 01 00')), 'invalid-tag');
  });

  it('rejects trailing data after a single object', () => {
    expectTlvError(() => parseTlv(hex('04 01 AA BB')), 'trailing-data');
    expect(parseTlvList(hex('04 01 AA 04 00')).length).toBe(2);
  });

  it('children of a primitive object are an error', () => {
    expectTlvError(() => childrenOf(parseTlv(hex('04 01 AA'))), 'not-constructed');
  });

  it('bounds nesting depth on hostile input without recursion blow-up', () => {
    let deep: Buffer = hex('04 00');
    for (let i = 0; i < 100; i++) deep = tlv(0x30, deep);
    expectTlvError(() => validateTree(deep), 'too-deep');
    expect(() => validateTree(deep, 200)).not.toThrow();
  });

  it('survives random garbage: only TlvErrors, always terminates', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(Array.from({ length: 1 + (rnd() % 40) }, rnd));
      try {
        validateTree(b);
        parseTlvList(b);
      } catch (e) {
        expect(e).toBeInstanceOf(TlvError);
      }
    }
  });

  it('readTlv reports the next offset', () => {
    const b = hex('01 01 FF 02 01 05');
    const a = readTlv(b, 0);
    expect(a.next).toBe(3);
    expect(readTlv(b, a.next).tlv.tag).toBe(2);
  });
});
