/**
 * Authenticated auxiliary data (TR-03110-3 A.7.5 table 19), hex written out by hand:
 *   id-DateOfBirth    0.4.0.127.0.7.3.1.4.1 = 06 09 04 00 7F 00 07 03 01 04 01
 *   id-DateOfExpiry   … 04 02,  id-MunicipalityID … 04 03
 *   Date "YYYYMMDD" = 8 ASCII digits (TR-03110-4 Date ::= NumericString (SIZE (8)))
 */
import { describe, expect, it } from 'vitest';
import {
  auxiliaryDataFor,
  decodeAuxiliaryData,
  encodeAuxiliaryData,
  requiredDateOfBirth,
} from '../../src/eac/aux-data.js';
import { interpretVerify } from '../../src/eac/verify.js';
import { codeOf, hex, up } from './helpers.js';

const strip = (s: string) => s.replace(/\s/g, '').toUpperCase();

describe('auxiliary data encoding', () => {
  it('age: 67 { 73 { 06 id-DateOfBirth, 53 "20080315" } } for 18 years on 2026-03-15', () => {
    expect(up(auxiliaryDataFor({ minimumAge: 18, today: '20260315' })!)).toBe(
      strip('67 17 73 15 06 09 04 00 7F 00 07 03 01 04 01 53 08 32 30 30 38 30 33 31 35'),
    );
  });

  it('age, validity and municipality in OID order', () => {
    const aux = auxiliaryDataFor({
      minimumAge: 16,
      validity: true,
      municipality: '63000',
      today: '20260101',
    })!;
    expect(up(aux)).toBe(
      strip(`67 42
        73 15 06 09 04 00 7F 00 07 03 01 04 01 53 08 32 30 31 30 30 31 30 31
        73 15 06 09 04 00 7F 00 07 03 01 04 02 53 08 32 30 32 36 30 31 30 31
        73 12 06 09 04 00 7F 00 07 03 01 04 03 53 05 01 58 06 30 00`),
    );
    expect(decodeAuxiliaryData(aux)).toEqual([
      { kind: 'age', requiredDateOfBirth: '20100101' },
      { kind: 'validity', currentDate: '20260101' },
      { kind: 'municipality', prefix: hex('0158063000') },
    ]);
  });

  it('municipality prefixes are the BCD of the household area code (township level: 7 bytes)', () => {
    const aux = auxiliaryDataFor({ municipality: '63000-010' })!;
    expect(decodeAuxiliaryData(aux)).toEqual([{ kind: 'municipality', prefix: hex('01580630000010') }]);
  });

  it('no verification → no auxiliary data', () => {
    expect(auxiliaryDataFor({})).toBeUndefined();
  });

  it('keeps unknown templates as they are', () => {
    const aux = encodeAuxiliaryData([{ kind: 'other', oid: '0.4.0.127.0.7.3.1.4.5.4', data: hex('0001') }]);
    expect(decodeAuxiliaryData(aux)).toEqual([
      { kind: 'other', oid: '0.4.0.127.0.7.3.1.4.5.4', data: hex('0001') },
    ]);
  });

  it('refuses bad dates and malformed objects', async () => {
    expect(await codeOf(() => encodeAuxiliaryData([{ kind: 'age', requiredDateOfBirth: '20080230' }]))).toBe(
      'invalid-argument',
    );
    expect(await codeOf(() => decodeAuxiliaryData(hex('6703730100')))).toBe('invalid-argument');
    expect(await codeOf(() => decodeAuxiliaryData(hex('6600')))).toBe('invalid-argument');
  });
});

describe('required date of birth (A.7.5.2: stored date not after the required one)', () => {
  it.each([
    [18, '20260315', '20080315'],
    [18, '20240229', '20060228'], // 29 February in a common year: someone born 1 March is not yet 18
    [20, '20240229', '20040229'],
    [0, '20261231', '20261231'],
  ])('%i years on %s → %s', (age, today, dob) => {
    expect(requiredDateOfBirth(age, today)).toBe(dob);
  });
});

describe('VERIFY interpretation (B.14.10)', () => {
  it('9000 → true, 6300 → false, 6A88 → verification-failed, 6982 → access-denied', async () => {
    const r = (sw: number) => ({ data: Buffer.alloc(0), sw });
    expect(interpretVerify(r(0x9000))).toBe(true);
    expect(interpretVerify(r(0x6300))).toBe(false);
    expect(await codeOf(() => interpretVerify(r(0x6a88)))).toBe('verification-failed');
    expect(await codeOf(() => interpretVerify(r(0x6982)))).toBe('access-denied');
    expect(await codeOf(() => interpretVerify(r(0x6d00)))).toBe('card-error');
  });
});
