/**
 * Every command APDU of the terminal side, byte for byte against hex written
 * out by hand from the TR-03110-3 B.14 tables (the comment above each names
 * the table). Object identifiers were encoded by hand (D.2.1.6):
 *   0.4.0.127.0.7 = 04 00 7F 00 07
 */
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.js';
import { curveByName } from '../../src/crypto/curves.js';
import { generateEcKeyPair } from '../../src/crypto/keys.js';
import {
  changePin,
  externalAuthenticate,
  generalAuthenticate,
  generalAuthenticateCa,
  generalAuthenticateRi,
  getChallenge,
  mseSetAtCa,
  mseSetAtPace,
  mseSetAtRi,
  mseSetAtTa,
  mseSetDst,
  psoVerifyCertificate,
  readBinaryCommands,
  readBinaryCurrent,
  readBinarySfi,
  resetRetryCounter,
  selectEidApplication,
  selectElementaryFile,
  selectMasterFile,
  verifyCommand,
} from '../../src/eac/index.js';
import { Chat } from '../../src/pki/cvc/chat.js';
import { issueCvca, sectorPublicKeyObject } from '../../src/pki/cvc/issue.js';
import { parseTlv } from '../../src/tlv/tlv.js';
import { apduHex, hex, up } from './helpers.js';

const strip = (s: string) => s.replace(/\s/g, '').toUpperCase();

describe('PACE (B.1, B.14.1 MSE:Set AT P1P2 C1A4, B.14.2 General Authenticate)', () => {
  it('MSE:Set AT with MRZ, no CHAT: ICAO 9303-11 G.1 command', () => {
    // 80 0A id-PACE-ECDH-GM-AES-CBC-CMAC-128 (0.4.0.127.0.7.2.2.4.2.2), 83 01 01 (MRZ)
    expect(apduHex(mseSetAtPace({ protocol: OID.idPaceEcdhGmAesCbcCmac128, passwordRef: 'mrz' }))).toBe(
      strip('00 22 C1 A4 0F  80 0A 04 00 7F 00 07 02 02 04 02 02  83 01 01'),
    );
  });

  it('MSE:Set AT with PIN, parameter id and CHAT (order 80, 83, 84, 7F4C)', () => {
    const chat = new Chat(OID.idAt, hex('0000020004'));
    // 7F4C 12 { 06 09 id-AT 0.4.0.127.0.7.3.1.2.2, 53 05 template }
    expect(
      apduHex(
        mseSetAtPace({ protocol: OID.idPaceEcdhGmAesCbcCmac256, passwordRef: 'pin', parameterId: 13, chat }),
      ),
    ).toBe(
      strip(`00 22 C1 A4 27
        80 0A 04 00 7F 00 07 02 02 04 02 04
        83 01 03
        84 01 0D
        7F 4C 12 06 09 04 00 7F 00 07 03 01 02 02 53 05 00 00 02 00 04`),
    );
  });

  it('General Authenticate: chained CLA 10 for steps 1-3, CLA 00 for the last; Le 00', () => {
    // step 1: empty Dynamic Authentication Data (B.1 footnote 5)
    expect(apduHex(generalAuthenticate([], false))).toBe('10860000027C0000');
    expect(apduHex(generalAuthenticate([hex('8508C2B0BD78D94BA866')], true))).toBe(
      strip('00 86 00 00 0C 7C 0A 85 08 C2 B0 BD 78 D9 4B A8 66 00'),
    );
  });
});

describe('Terminal Authentication (B.3)', () => {
  it('MSE:Set DST 00 22 81 B6 {83 CAR} (B.14.4)', () => {
    // "DETESTeID00005" = 44 45 54 45 53 54 65 49 44 30 30 30 30 35
    expect(apduHex(mseSetDst('DETESTeID00005'))).toBe(
      strip('00 22 81 B6 10 83 0E 44 45 54 45 53 54 65 49 44 30 30 30 30 35'),
    );
  });

  it('MSE:Set AT 00 22 81 A4 {80 id-TA-ECDSA-SHA-256, 83 CHR, 67 aux, 91 Comp} (B.14.1)', () => {
    const x = Buffer.alloc(32, 0xab);
    const aux = hex('67 05 73 03 06 01 00');
    expect(
      apduHex(
        mseSetAtTa({
          terminalChr: 'TWDEMO00001',
          algorithm: OID.idTaEcdsaSha256,
          ephemeralCompressed: x,
          auxData: aux,
        }),
      ),
    ).toBe(
      strip(`00 22 81 A4 42
          80 0A 04 00 7F 00 07 02 02 02 02 03
          83 0B 54 57 44 45 4D 4F 30 30 30 30 31
          67 05 73 03 06 01 00
          91 20 ${'AB'.repeat(32)}`),
    );
  });

  it('PSO:Verify Certificate 00 2A 00 BE {7F4E ‖ 5F37} (B.14.5), extended when needed (B.12.2)', () => {
    const cvca = issueCvca({
      curve: curveByName('brainpoolP256r1'),
      chr: 'TWTESTCVCA00001',
      effectiveDate: '20260101',
      validityDays: 100,
    });
    const cmd = psoVerifyCertificate(cvca.cert);
    const inner = parseTlv(cvca.cert.raw).value;
    expect(inner[0]).toBe(0x7f);
    expect(inner[1]).toBe(0x4e);
    expect(cmd.data).toEqual(Buffer.concat([cvca.cert.body, hex(`5F3740${up(cvca.cert.signature)}`)]));
    const enc = apduHex(cmd);
    // a CVCA certificate with domain parameters is longer than 255 bytes: 00 2A 00 BE 00 Lc(2) data
    expect(enc.slice(0, 14)).toBe(`002A00BE00${inner.length.toString(16).padStart(4, '0').toUpperCase()}`);
  });

  it('Get Challenge 00 84 00 00 08 (B.14.6); External Authenticate 00 82 00 00 (B.14.7)', () => {
    expect(apduHex(getChallenge())).toBe('0084000008');
    expect(apduHex(externalAuthenticate(Buffer.alloc(64, 0x11)))).toBe(`0082000040${'11'.repeat(64)}`);
  });
});

describe('Chip Authentication (B.2)', () => {
  it('MSE:Set AT 00 22 41 A4 {80 id-CA-ECDH-AES-CBC-CMAC-128, 84 keyId}', () => {
    expect(apduHex(mseSetAtCa({ protocol: OID.idCaEcdhAesCbcCmac128, keyId: 41 }))).toBe(
      strip('00 22 41 A4 0F 80 0A 04 00 7F 00 07 02 02 03 02 02 84 01 29'),
    );
    expect(apduHex(mseSetAtCa({ protocol: OID.idCaEcdhAesCbcCmac256 }))).toBe(
      strip('00 22 41 A4 0C 80 0A 04 00 7F 00 07 02 02 03 02 04'),
    );
  });

  it('General Authenticate 00 86 00 00 {7C {80 PK_PCD}} 00', () => {
    const pt = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 0x22)]);
    expect(apduHex(generalAuthenticateCa(pt))).toBe(
      `00 86 00 00 45 7C 43 80 41 ${up(pt)} 00`.replace(/ /g, ''),
    );
  });
});

describe('Restricted Identification (B.4)', () => {
  it('MSE:Set AT 00 22 41 A4 {80 id-RI-ECDH-SHA-256, 84 keyId}', () => {
    expect(apduHex(mseSetAtRi({ keyId: 1 }))).toBe(
      strip('00 22 41 A4 0F 80 0A 04 00 7F 00 07 02 02 05 02 03 84 01 01'),
    );
  });

  it('General Authenticate {7C {A0 = the 7F49 sector key with its tag replaced}} (B.4.1), extended length', () => {
    const curve = curveByName('brainpoolP256r1');
    const key = generateEcKeyPair(curve);
    const obj = sectorPublicKeyObject(curve, key.publicPoint);
    const cmd = generalAuthenticateRi(obj);
    const outer = parseTlv(cmd.data);
    expect(outer.tag).toBe(0x7c);
    const a0 = parseTlv(outer.value);
    expect(a0.tag).toBe(0xa0);
    expect(a0.value).toEqual(parseTlv(obj).value);
    const enc = apduHex(cmd);
    // CLA 00, not chained (B.4); extended Lc because the key carries its domain parameters; extended Le 0100 (256)
    expect(enc.slice(0, 10)).toBe('0086000000');
    expect(enc.slice(-4)).toBe('0100');
  });
});

describe('VERIFY (B.14.10), PIN management (B.14.11)', () => {
  it('VERIFY 80 20 80 00 {06 09 id-DateOfBirth}: proprietary class, SM makes it 8C', () => {
    // id-DateOfBirth = 0.4.0.127.0.7.3.1.4.1
    expect(apduHex(verifyCommand('age'))).toBe(strip('80 20 80 00 0B 06 09 04 00 7F 00 07 03 01 04 01'));
    expect(apduHex(verifyCommand('validity'))).toBe(strip('80 20 80 00 0B 06 09 04 00 7F 00 07 03 01 04 02'));
    expect(apduHex(verifyCommand('place'))).toBe(strip('80 20 80 00 0B 06 09 04 00 7F 00 07 03 01 04 03'));
  });

  it('Reset Retry Counter: unblock 00 2C 03 03, change 00 2C 02 03 {new PIN}', () => {
    expect(apduHex(resetRetryCounter())).toBe('002C0303');
    expect(apduHex(changePin('123456'))).toBe('002C020306313233343536');
    expect(() => changePin('12345')).toThrow(/6 digits/);
  });
});

describe('SELECT and READ BINARY (B.9, ISO 7816-4)', () => {
  it('selects MF, the eID application and an EF', () => {
    expect(apduHex(selectMasterFile())).toBe('00A4000C023F00');
    expect(apduHex(selectEidApplication())).toBe(strip('00 A4 04 0C 09 E8 07 04 00 7F 00 07 03 02'));
    expect(apduHex(selectElementaryFile(0x010e))).toBe('00A4020C02010E');
  });

  it('reads with a short EF identifier (P1 = 80|SFI, P2 = offset) and from the current EF', () => {
    expect(apduHex(readBinarySfi(0x1c, 0, 0xdf))).toBe('00B09C00DF');
    expect(apduHex(readBinarySfi(4, 0xdf, 0xdf))).toBe('00B084DFDF');
    expect(apduHex(readBinaryCurrent(0x01be, 0xdf))).toBe('00B001BEDF');
    expect(() => readBinaryCurrent(0x8000, 1)).toThrow(/odd INS/);
  });

  it('readBinaryCommands splits a range into 0xDF chunks, or one extended read', () => {
    expect(readBinaryCommands(14, { offset: 0, length: 500 }).map(apduHex)).toEqual([
      '00B08E00DF',
      '00B000DFDF',
      '00B001BE36',
    ]);
    // offset beyond P2: SELECT EF 010E first
    expect(readBinaryCommands(14, { offset: 300, length: 10 }).map(apduHex)).toEqual([
      '00A4020C02010E',
      '00B0012C0A',
    ]);
    expect(readBinaryCommands(14, { offset: 0, length: 65536, extended: true }).map(apduHex)).toEqual([
      '00B08E00000000',
    ]);
    expect(readBinaryCommands(4, { offset: 5, length: 1000, extended: true }).map(apduHex)).toEqual([
      '00B0840500' + '03E8',
    ]);
  });
});
