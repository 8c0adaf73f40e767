import { beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/apdu/apdu.js';
import { ATR } from '../../src/card/atr.js';
import type { CardFileJson } from '../../src/card/card-file.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { chatFor } from '../../src/profile/authorization.js';
import { encodeField } from '../../src/profile/codecs.js';
import { chainOf, eac } from './support/eac.js';
import { makeCard, makePki, makeTerminal, type TestPki } from './support/pki.js';
import { hex, swOf, TestTerminal } from './support/terminal.js';

let pki: TestPki;
let cardJson: CardFileJson;
beforeAll(() => {
  pki = makePki();
  cardJson = makeCard(pki, { omitFields: ['spouseName'] });
});

const plainCard = () => new TestTerminal(VirtualCard.fromJson(cardJson));

describe('file system, SELECT and READ BINARY (ISO/IEC 7816-4; TR-03110-3 A.1.2, B.9)', () => {
  it('reads EF.CardAccess in plain, by short EF identifier and by selection + offset', async () => {
    const t = plainCard();
    const expected = hex(cardJson.files.cardAccess);
    const bySfi = await t.raw('00B09C0000');
    expect(swOf(bySfi)).toBe('9000');
    expect(bySfi.data).toEqual(expected);
    expect(swOf(await t.raw('00A4020C02011C'))).toBe('9000');
    const head = await t.raw('00B0000004');
    const tail = await t.raw('00B0000400');
    expect(Buffer.concat([head.data, tail.data])).toEqual(expected);
  });

  it('applies ISO end-of-file rules: Le 00 reads to the end, an explicit Le beyond it is 6282, an offset beyond it 6B00', async () => {
    const t = plainCard();
    const size = hex(cardJson.files.cardAccess).length;
    await t.raw('00A4020C02011C');
    expect(swOf(await t.raw(`00B000${(size - 4).toString(16).padStart(2, '0')}00`))).toBe('9000');
    const r = await t.raw(`00B000${(size - 4).toString(16).padStart(2, '0')}10`);
    expect([swOf(r), r.data.length]).toEqual(['6282', 4]);
    expect(swOf(await t.raw(`00B000${size.toString(16).padStart(2, '0')}01`))).toBe('6B00');
    expect(swOf(await t.raw('00B07FFF01'))).toBe('6B00');
  });

  it('serves the household area without PACE, everything else only after PACE', async () => {
    const t = plainCard();
    expect((await t.selectEid()).sw).toBe(0x9000);
    const dg18 = await t.raw('00B0920000');
    expect(swOf(dg18)).toBe('9000');
    expect(dg18.data).toEqual(encodeField('householdArea', '63000010001007'));
    expect(swOf(await t.raw('00B0840000'))).toBe('6982');
    expect(swOf(await t.raw('00A4000C023F00'))).toBe('9000');
    expect(swOf(await t.raw('00B09D0000'))).toBe('6982');
  });

  it('gives EF.CardSecurity after PACE with any password, the public area not after the user code', async () => {
    const t0 = plainCard();
    expect((await t0.readSfi(0x1d)).sw).toBe(0x6982);
    const t = plainCard();
    await t.pace({ password: 'puk', secret: 'A1B2C3D4' });
    await t.select(0x00, hex('3F00'));
    expect((await t.readSfi(0x1d)).sw).toBe(0x9000);
    await t.selectEid();
    expect((await t.readSfi(4)).sw).toBe(0x6982);
    const t2 = plainCard();
    await t2.pace({ password: 'can', secret: '456789' });
    const { raw } = await t2.readCardSecurity();
    expect(raw).toEqual(hex(cardJson.files.cardSecurity));
  });

  it('selects by file identifier, DF name and path; answers FCP on request', async () => {
    const t = plainCard();
    expect(swOf(await t.raw('00A4040C09E80704007F00070302'))).toBe('9000');
    expect(swOf(await t.raw('00A4020C020112'))).toBe('9000');
    expect(swOf(await t.raw('00A4000C02011C'))).toBe('9000'); // found in the MF from the eID DF
    const fcp = await t.raw('00A4020402011C00');
    expect(swOf(fcp)).toBe('9000');
    expect(fcp.data[0]).toBe(0x62);
    expect(swOf(await t.raw('00A4080C04????'.replace('????', hex('011D').toString('hex'))))).toBe('6700');
    expect(swOf(await t.raw('00A4080C02011D'))).toBe('9000');
    expect(swOf(await t.raw('00A4030C'))).toBe('9000');
  });

  it('answers absent files 6A82 and bad parameters with their ISO status words', async () => {
    const t = plainCard();
    await t.selectEid();
    // DG13 (spouse) is not on this card, but only an authorized reader may learn that (chip-profile §3.3 A5).
    expect(swOf(await t.raw('00A4020C02010D'))).toBe('6982');
    expect(swOf(await t.raw('00B08D0000'))).toBe('6982');
    expect(swOf(await t.raw('00A4020C020110'))).toBe('6A82'); // DG16 is outside the profile
    expect(swOf(await t.raw('00B0960000'))).toBe('6A82');
    expect(swOf(await t.raw('00A4020C020199'))).toBe('6A82');
    expect(swOf(await t.raw('00A4050C02011C'))).toBe('6A86');
    expect(swOf(await t.raw('00A4021C02011C'))).toBe('6A86');
    expect(swOf(await t.raw('00A4020C03011C00'))).toBe('6700');
    expect(swOf(await t.raw('00B0800000'))).toBe('6A86');
    expect(swOf(await t.raw('00B0E00000'))).toBe('6A86');
    expect(swOf(await t.raw('00B0920000FF'))).toBe('6700');
    expect(swOf(await t.raw('00B09200'))).toBe('6700');
    expect(swOf(await new TestTerminal(VirtualCard.fromJson(cardJson)).raw('00B0000000'))).toBe('6986');
    expect(swOf(await t.raw('00EE000000'))).toBe('6D00');
    expect(swOf(await t.raw('FFCA000000'))).toBe('6E00');
    expect(swOf(await t.raw('80B0920000'))).toBe('6E00');
    expect(swOf(await t.raw('84B0920000'))).toBe('6882');
    expect(swOf(await t.raw('01B0920000'))).toBe('6E00');
    expect(swOf(await t.raw('10A4020C02011C'))).toBe('6884');
    expect(swOf(await t.raw('00A402'))).toBe('6700');
    expect(swOf(await t.raw('00A4020C05011C'))).toBe('6700');
  });

  it('tells an authorized reader that a data group is absent (6A82)', async () => {
    const chat = chatFor(['spouseName', 'photo'], []);
    const term = makeTerminal(pki, { chat });
    const t = plainCard();
    expect(
      (await eac(t, { chat, chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey })).ca?.ok,
    ).toBe(true);
    await t.selectEid();
    expect((await t.select(0x02, hex('010D'))).sw).toBe(0x6a82);
    expect((await t.readSfi(13)).sw).toBe(0x6a82);
    expect((await t.readSfi(9)).sw).toBe(0x6982);
  });

  it('reads the photo with one extended-length READ BINARY after EAC', async () => {
    const chat = chatFor(['photo'], []);
    const term = makeTerminal(pki, { chat });
    const t = plainCard();
    const r = await eac(t, { chat, chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey });
    expect(r.ca?.ok).toBe(true);
    await t.selectEid();
    const photo = Buffer.from(cardJson.fields.photo as string, 'base64');
    const expected = encodeField('photo', photo);
    expect(expected.length).toBeGreaterThan(1000);
    const full = await t.send(command(0x00, 0xb0, 0x8e, 0x00, Buffer.alloc(0), 65536), { extended: true });
    expect(swOf(full)).toBe('9000');
    expect(full.data).toEqual(expected);
    // In short APDUs it takes chunks of 223 bytes.
    const first = await t.readSfi(14, 256);
    expect(first.data).toHaveLength(223);
    expect(await t.readRest(first.data)).toEqual(expected);
  });

  it('has an ATR that announces extended length and command chaining', () => {
    const card = VirtualCard.fromJson(cardJson);
    expect(card.reset()).toEqual(ATR);
    expect(ATR.toString('hex').toUpperCase()).toMatch(/^3B88800180739401C0829000/);
    let x = 0;
    for (const b of ATR.subarray(1)) x ^= b;
    expect(x).toBe(0);
  });
});

describe('EF.ChipSecurity and the data-group hashes (docs/chip-profile.md §7)', () => {
  it('keeps encrypted-area hashes out of EF.CardSecurity and puts every hash in EF.ChipSecurity', async () => {
    const { decodeCardSecurity } = await import('../../src/eac/card-access.js');
    const { makeCard, makePki } = await import('./support/pki.js');
    const json = makeCard(makePki());
    const dgsOf = (hex: string) => {
      const eid = decodeCardSecurity(Buffer.from(hex, 'hex')).find((i) => i.kind === 'eidSecurity');
      return eid?.kind === 'eidSecurity' ? [...eid.dataGroupHashes.keys()].sort((a, b) => a - b) : [];
    };
    const { FIELDS } = await import('../../src/profile/fields.js');
    const encrypted = FIELDS.filter((f) => f.area === 'encrypted').map((f) => f.dg);
    const card = dgsOf(json.files.cardSecurity);
    expect(card.some((dg) => encrypted.includes(dg))).toBe(false);
    expect(card).toContain(4);
    expect(dgsOf(json.files.chipSecurity!)).toEqual(expect.arrayContaining([...card, ...encrypted]));
  });

  it('gives EF.ChipSecurity (SFI 1B) only after PACE with PIN, Terminal and Chip Authentication', async () => {
    const can = plainCard();
    expect((await can.pace({ password: 'can', secret: '456789' })).ok).toBe(true);
    expect(swOf(await can.readSfi(0x1b))).toBe('6982');
    const chat = chatFor(['photo'], []);
    const term = makeTerminal(pki, { chat });
    const noCa = plainCard();
    await eac(noCa, { chat, chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey, skipCa: true });
    expect(swOf(await noCa.readSfi(0x1b))).toBe('6982');
    const t = plainCard();
    expect(
      (await eac(t, { chat, chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey })).ca?.ok,
    ).toBe(true);
    const full = await t.send(command(0x00, 0xb0, 0x9b, 0x00, Buffer.alloc(0), 65536), { extended: true });
    expect(swOf(full)).toBe('9000');
    expect(full.data).toEqual(hex(cardJson.files.chipSecurity!));
  });
});
