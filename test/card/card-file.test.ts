import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.js';
import { CARD_FILE_FORMAT, type CardFileJson, parseCardFile } from '../../src/card/card-file.js';
import { CardFileError } from '../../src/card/errors.js';
import { createCard } from '../../src/card/personalize.js';
import { SAMPLE_CHINESE_NAME } from '../../src/card/sample-citizen.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { cardCreate } from '../../src/cli/commands/card-create.js';
import { decodeSecurityInfos, encodeSecurityInfo, type SecurityInfo } from '../../src/pki/security-infos.js';
import { verifyCardSecurity } from '../../src/pki/x509/passive-authentication.js';
import { decodeDataGroup, encodeField } from '../../src/profile/codecs.js';
import { isValidNationalId } from '../../src/profile/values.js';
import { makeCard, makePki, type TestPki, TODAY, writePkiDir } from './support/pki.js';
import { hex, sha256, TestTerminal } from './support/terminal.js';

let pki: TestPki;
let cardJson: CardFileJson;
beforeAll(() => {
  pki = makePki();
  cardJson = makeCard(pki);
});

const tmp = () => mkdtempSync(join(tmpdir(), 'neid-card-'));

describe('personalisation and the card file', () => {
  it('carries a realistic sample citizen', () => {
    const f = cardJson.fields;
    expect(f.chineseName).toBe(SAMPLE_CHINESE_NAME);
    expect(Buffer.from(SAMPLE_CHINESE_NAME, 'utf8')).toHaveLength(10); // 陳 3 + 𪚥 4 + 華 3
    expect(isValidNationalId(f.nationalIdNumber as string)).toBe(true);
    expect(f.householdArea).toBe('63000010001007');
    expect(f.issueDate).toBe(TODAY);
    expect(Number((f.renewalDueDate as string).slice(0, 4)) - Number(TODAY.slice(0, 4))).toBe(10);
    expect(f.can).toBe('456789');
    const photo = Buffer.from(f.photo as string, 'base64');
    expect(photo.subarray(0, 3)).toEqual(hex('FFD8FF'));
    expect(photo.toString('latin1', 6, 11)).toBe('JFIF\0');
    expect([photo[13], photo.readUInt16BE(14), photo.readUInt16BE(16)]).toEqual([1, 600, 600]);
    // SOF0: 240 × 320
    const sof = photo.indexOf(hex('FFC0'));
    expect([photo.readUInt16BE(sof + 7), photo.readUInt16BE(sof + 5)]).toEqual([240, 320]);
    expect(cardJson.passwords).toEqual({ pin: '123456', can: '456789', userCode: 'A1B2C3D4' });
    expect(cardJson.retryCounters).toEqual({ pin: 3, userCode: 10 });
    expect(cardJson.format).toBe(CARD_FILE_FORMAT);
  });

  it('round-trips through JSON without loss (rare characters included)', () => {
    const text = JSON.stringify(cardJson);
    const card = VirtualCard.fromJson(text);
    expect(card.toJson()).toEqual(cardJson);
    expect(JSON.parse(JSON.stringify(card.toJson())).fields.chineseName).toBe('陳\u{2A6A5}華');
  });

  it('has EF.CardSecurity signed by the Document Signer, agreeing with EF.CardAccess and the data groups', () => {
    const res = verifyCardSecurity(hex(cardJson.files.cardSecurity), {
      cscaCerts: [pki.cscaCert],
      crls: [pki.cscaCrl],
    });
    const access = decodeSecurityInfos(hex(cardJson.files.cardAccess));
    const encode = (i: SecurityInfo) => encodeSecurityInfo(i).toString('hex');
    for (const info of access) expect(res.securityInfos.map(encode)).toContain(encode(info));
    const kinds = res.securityInfos.map((i) => i.kind).sort();
    expect(kinds).toEqual([
      'ca',
      'caDomainParameters',
      'caPublicKey',
      'eidSecurity',
      'pace',
      'ri',
      'riDomainParameters',
      'ta',
    ]);
    const eid = res.securityInfos.find((i) => i.kind === 'eidSecurity');
    if (eid?.kind !== 'eidSecurity') throw new Error('no EIDSecurityInfo');
    // Household and public area only; the encrypted-area hashes are in EF.ChipSecurity.
    expect([...eid.dataGroupHashes.keys()]).toEqual([3, 4, 5, 6, 7, 8, 10, 12, 15, 17, 18]);
    const chip = verifyCardSecurity(hex(cardJson.files.chipSecurity!), {
      cscaCerts: [pki.cscaCert],
      crls: [pki.cscaCrl],
    });
    const all = chip.securityInfos.find((i) => i.kind === 'eidSecurity');
    if (all?.kind !== 'eidSecurity') throw new Error('no EIDSecurityInfo in EF.ChipSecurity');
    expect([...all.dataGroupHashes.keys()]).toEqual([
      3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21,
    ]);
    // Byte for byte the EF.CardAccess of docs/chip-profile.md §7.7.
    expect(cardJson.files.cardAccess).toBe(
      '3155300D060804007F00070202020201023012060A04007F000702020302020201020201013012060A04007F0007020204020202010202010D301C060904007F000702020302300C060704007F0007010202010D020101',
    );
    const pace = access.find((i) => i.kind === 'pace');
    expect(pace).toMatchObject({ protocol: OID.idPaceEcdhGmAesCbcCmac128, version: 2, parameterId: 13 });
  });

  it('serves data groups whose hashes match EF.CardSecurity, unless a test overrides one', async () => {
    const dg4 = encodeField('chineseName', '陳\u{2A6A5}華');
    expect(dg4.toString('hex').toUpperCase()).toBe('640C0C0AE999B3F0AA9AA5E88FAF');
    const other = encodeField('chineseName', '陳\u{2A6A5}菁');
    expect(decodeDataGroup(4, other).value).toBe('陳\u{2A6A5}菁');
    const tampered = { ...cardJson, dataGroupOverrides: { '4': other.toString('hex') } };
    for (const json of [cardJson, tampered]) {
      const t = new TestTerminal(VirtualCard.fromJson(json));
      await t.pace({ password: 'can', secret: '456789' });
      const { infos } = await t.readCardSecurity();
      const eid = infos.find((i) => i.kind === 'eidSecurity');
      if (eid?.kind !== 'eidSecurity') throw new Error('no EIDSecurityInfo');
      await t.selectEid();
      const read = await t.readEf(4);
      expect(sha256(read).equals(eid.dataGroupHashes.get(4)!)).toBe(json === cardJson);
    }
  });

  it('rejects broken card files with CardFileError', () => {
    const broken: unknown[] = [
      { ...cardJson, format: 'other' },
      { ...cardJson, passwords: { ...cardJson.passwords, pin: '12345' } },
      { ...cardJson, retryCounters: { pin: 4, userCode: 10 } },
      { ...cardJson, trustPoints: [] },
      { ...cardJson, fields: { ...cardJson.fields, nationalIdNumber: 'A123456788' } },
      { ...cardJson, dataGroupOverrides: { '2': '00' } },
      { ...cardJson, curve: 'secp256k1' },
      '{not json',
    ];
    for (const b of broken)
      expect(() => parseCardFile(b), JSON.stringify(b).slice(0, 60)).toThrow(CardFileError);
  });

  it('persists retry counters and the PIN with fromFile({ persist: true }), atomically', async () => {
    const dir = tmp();
    const path = join(dir, 'card.json');
    writeFileSync(path, JSON.stringify(cardJson));
    const card = VirtualCard.fromFile(path, { persist: true });
    const t = new TestTerminal(card);
    await t.pace({ password: 'pin', secret: '999999' });
    expect(JSON.parse(readFileSync(path, 'utf8')).retryCounters.pin).toBe(2);
    expect(readdirSync(dir)).toEqual(['card.json']);
    // A new process sees the counter and the suspended state survives power cycles.
    const again = new TestTerminal(VirtualCard.fromFile(path, { persist: true }));
    expect((await again.pace({ password: 'pin', secret: '123456' })).mseSw).toBe(0x63c2);
    expect(JSON.parse(readFileSync(path, 'utf8')).retryCounters.pin).toBe(3);
    // Without persist the file is left alone.
    const ro = new TestTerminal(VirtualCard.fromFile(path));
    await ro.pace({ password: 'pin', secret: '999999' });
    expect(JSON.parse(readFileSync(path, 'utf8')).retryCounters.pin).toBe(3);
  });

  it('creates a card from a `neid pki init` directory and from the CLI', async () => {
    const dir = writePkiDir(pki);
    const fromDir = createCard({ pkiDir: dir, serialNumber: 'TW9876543210' });
    expect(fromDir.passwords.can).toBe('543210');
    expect(fromDir.trustPoints).toEqual([pki.cvca.cert.raw.toString('hex').toUpperCase()]);
    const out = join(tmp(), 'cli-card.json');
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => {
      lines.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await cardCreate([
        '--out',
        out,
        '--pki',
        dir,
        '--set',
        'chineseName=林\u{20BB7}',
        '--set',
        'householdAddress={"state":"臺中市","city":"西屯區","street":"福安里1鄰市政路1號","country":"TWN"}',
        '--set',
        'dateOfBirth=20100101',
        '--no-field',
        'spouseName',
        '--pin',
        '246810',
        '--can',
        '135790',
        '--user-code',
        'QWERTY12',
      ]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(lines.join('')).not.toMatch(/林|246810|135790|QWERTY12|20100101/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as CardFileJson;
    expect(json.fields.chineseName).toBe('林\u{20BB7}');
    expect(json.fields.spouseName).toBeUndefined();
    expect(json.passwords).toEqual({ pin: '246810', can: '135790', userCode: 'QWERTY12' });
    expect(json.fields.can).toBe('135790');
    expect(() => VirtualCard.fromJson(json)).not.toThrow();
  });
});
