import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.js';
import type { CardFileJson } from '../../src/card/card-file.js';
import { addYears } from '../../src/card/sample-citizen.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { generateEcKeyPair } from '../../src/crypto/keys.js';
import { addDays } from '../../src/pki/cvc/dates.js';
import { sectorPublicKeyObject } from '../../src/pki/cvc/issue.js';
import { chatFor } from '../../src/profile/authorization.js';
import { encodeAreaCode } from '../../src/profile/household-area.js';
import { chainOf, eac } from './support/eac.js';
import { makeCard, makePki, makeTerminal, type TestPki, TODAY } from './support/pki.js';
import { auxData, TestTerminal } from './support/terminal.js';

let pki: TestPki;
let cardJson: CardFileJson;
beforeAll(() => {
  pki = makePki();
  cardJson = makeCard(pki);
});

describe('Restricted Identification (TR-03110-3 B.4)', () => {
  const run = async (
    card: VirtualCard,
    sector: ReturnType<typeof generateEcKeyPair>,
    presented = sector,
    ri = true,
  ) => {
    const chat = chatFor(['chineseName'], [], { ri });
    const term = makeTerminal(pki, { chat, sectorKey: sector });
    const t = new TestTerminal(card);
    const r = await eac(t, { chat, chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey });
    expect(r.ca?.ok).toBe(true);
    return t.ri(sectorPublicKeyObject(pki.curve, presented.publicPoint));
  };

  it('gives the same identifier for the same sector and different ones for different sectors', async () => {
    const card = VirtualCard.fromJson(cardJson);
    const sectorA = generateEcKeyPair(pki.curve);
    const sectorB = generateEcKeyPair(pki.curve);
    const a1 = await run(card, sectorA);
    const a2 = await run(card, sectorA);
    const b = await run(card, sectorB);
    expect(a1.sw).toBe(0x9000);
    expect(a1.id).toHaveLength(32);
    expect(a1.id).toEqual(a2.id);
    expect(b.id).not.toEqual(a1.id);
    // Another card in the same sector has another identifier.
    const other = await run(VirtualCard.fromJson(makeCard(pki)), sectorA);
    expect(other.id).not.toEqual(a1.id);
  });

  it('refuses a sector key whose hash is not in the terminal certificate', async () => {
    const sector = generateEcKeyPair(pki.curve);
    const r = await run(VirtualCard.fromJson(cardJson), sector, generateEcKeyPair(pki.curve));
    expect(r.sw).toBe(0x6a80);
  });

  it('refuses a terminal without the Restricted Identification right', async () => {
    const sector = generateEcKeyPair(pki.curve);
    const r = await run(VirtualCard.fromJson(cardJson), sector, sector, false);
    expect(r.sw).toBe(0x6982);
  });

  it('needs Terminal and Chip Authentication', async () => {
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    await t.pace({ password: 'pin', secret: '123456' });
    const r = await t.ri(sectorPublicKeyObject(pki.curve, generateEcKeyPair(pki.curve).publicPoint));
    expect(r.sw).toBe(0x6982);
  });
});

describe('auxiliary data verification (TR-03110-3 B.6, B.14.10)', () => {
  const ascii = (s: string) => Buffer.from(s, 'latin1');
  const verifyWith = async (
    aux: [string, Buffer][],
    functions: ('ageVerification' | 'placeVerification')[],
  ) => {
    const chat = chatFor(['chineseName'], functions);
    const term = makeTerminal(pki, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    const r = await eac(t, {
      chat,
      chain: chainOf(pki.dv, term),
      terminalKey: term.key.privateKey,
      aux: auxData(aux),
    });
    expect(r.ca?.ok).toBe(true);
    return t;
  };

  it('age verification: born 1990-03-15 is at least 18 (true) but not at least 60 (false)', async () => {
    const t = await verifyWith([[OID.idDateOfBirth, ascii(addYears(TODAY, -18))]], ['ageVerification']);
    expect((await t.verify(OID.idDateOfBirth)).sw).toBe(0x9000);
    const t2 = await verifyWith([[OID.idDateOfBirth, ascii('19660101')]], ['ageVerification']);
    expect((await t2.verify(OID.idDateOfBirth)).sw).toBe(0x6300);
    // The last template of an OID wins (A.7.5).
    const t3 = await verifyWith(
      [
        [OID.idDateOfBirth, ascii('19660101')],
        [OID.idDateOfBirth, ascii('19900315')],
      ],
      ['ageVerification'],
    );
    expect((await t3.verify(OID.idDateOfBirth)).sw).toBe(0x9000);
  });

  it('place verification compares the leftmost bytes of the household area code', async () => {
    const t = await verifyWith([[OID.idMunicipalityId, encodeAreaCode('63000')]], ['placeVerification']);
    expect((await t.verify(OID.idMunicipalityId)).sw).toBe(0x9000);
    const t2 = await verifyWith([[OID.idMunicipalityId, encodeAreaCode('64000')]], ['placeVerification']);
    expect((await t2.verify(OID.idMunicipalityId)).sw).toBe(0x6300);
    const t3 = await verifyWith(
      [[OID.idMunicipalityId, encodeAreaCode('63000010001007')]],
      ['placeVerification'],
    );
    expect((await t3.verify(OID.idMunicipalityId)).sw).toBe(0x9000);
  });

  it('document validity needs no right: valid today, not in eleven years', async () => {
    const t = await verifyWith([[OID.idDateOfExpiry, ascii(TODAY)]], []);
    expect((await t.verify(OID.idDateOfExpiry)).sw).toBe(0x9000);
    const t2 = await verifyWith([[OID.idDateOfExpiry, ascii(addYears(TODAY, 11))]], []);
    expect((await t2.verify(OID.idDateOfExpiry)).sw).toBe(0x6300);
  });

  it('6982 without the right, 6A88 when the data was not sent in TA', async () => {
    const t = await verifyWith([[OID.idDateOfBirth, ascii(addDays(TODAY, -1))]], []);
    expect((await t.verify(OID.idDateOfBirth)).sw).toBe(0x6982);
    const t2 = await verifyWith([], ['ageVerification', 'placeVerification']);
    expect((await t2.verify(OID.idDateOfBirth)).sw).toBe(0x6a88);
    expect((await t2.verify(OID.idMunicipalityId)).sw).toBe(0x6a88);
  });

  it('6982 before Terminal Authentication and between TA and CA', async () => {
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    await t.pace({ password: 'pin', secret: '123456' });
    expect((await t.verify(OID.idDateOfBirth)).sw).toBe(0x6982);
    const chat = chatFor([], ['ageVerification']);
    const term = makeTerminal(pki, { chat });
    const t2 = new TestTerminal(VirtualCard.fromJson(cardJson));
    const aux = auxData([[OID.idDateOfBirth, Buffer.from('20000101')]]);
    const r = await eac(t2, {
      chat,
      chain: chainOf(pki.dv, term),
      terminalKey: term.key.privateKey,
      aux,
      skipCa: true,
    });
    expect(r.ta?.sw).toBe(0x9000);
    expect((await t2.verify(OID.idDateOfBirth)).sw).toBe(0x6982);
  });
});
