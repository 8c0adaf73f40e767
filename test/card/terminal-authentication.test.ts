import { beforeAll, describe, expect, it } from 'vitest';
import type { CardFileJson } from '../../src/card/card-file.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { Chat, SPECIAL_FUNCTIONS } from '../../src/pki/cvc/chat.js';
import { addDays } from '../../src/pki/cvc/dates.js';
import { allAtBits, issueCvca, issueCvcaLink, issueSubordinate } from '../../src/pki/cvc/issue.js';
import { chatFor } from '../../src/profile/authorization.js';
import { chainOf, eac } from './support/eac.js';
import { makeCard, makePki, makeTerminal, type TestPki, TODAY } from './support/pki.js';
import { TestTerminal } from './support/terminal.js';

let pki: TestPki;
let cardJson: CardFileJson;
beforeAll(() => {
  pki = makePki();
  cardJson = makeCard(pki);
});

const chat = chatFor(['chineseName', 'dateOfBirth', 'photo', 'sex'], ['ageVerification']);

describe('Terminal Authentication with our own CVCA → DV → AT chain (TR-03110-3 B.3)', () => {
  it('succeeds with PACE(PIN), TA and CA, and releases exactly the authorized data groups', async () => {
    const term = makeTerminal(pki, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    const r = await eac(t, { chat, chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey });
    expect(r.ta?.sws.every((sw) => sw === 0x9000)).toBe(true);
    expect(r.ca?.ok).toBe(true);
    await t.selectEid();
    expect((await t.readEf(4)).toString('utf8')).toContain('\u{2A6A5}');
    expect((await t.readEf(11)).subarray(-1).toString()).toBe('M');
    expect((await t.readEf(18)).length).toBe(15);
    // Asked for, but not in the effective authorization: refused whatever the terminal wants.
    for (const dg of [5, 6, 9, 13, 19, 20, 21]) expect((await t.readSfi(dg)).sw, `DG${dg}`).toBe(0x6982);
  });

  it('confines the rights to the CHAT sent in PACE (AND of all CHATs, §2.7)', async () => {
    const term = makeTerminal(pki, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    await eac(t, {
      chat: chatFor(['chineseName'], []),
      chain: chainOf(pki.dv, term),
      terminalKey: term.key.privateKey,
    });
    await t.selectEid();
    expect((await t.readSfi(4)).sw).toBe(0x9000);
    expect((await t.readSfi(14)).sw).toBe(0x6982);
    expect((await t.readSfi(8)).sw).toBe(0x6982);
  });

  it('binds the rights to the Chip Authentication channel: no data between TA and CA', async () => {
    const term = makeTerminal(pki, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    const r = await eac(t, {
      chat,
      chain: chainOf(pki.dv, term),
      terminalKey: term.key.privateKey,
      skipCa: true,
    });
    expect(r.ta?.sw).toBe(0x9000);
    await t.selectEid();
    expect((await t.readSfi(4)).sw).toBe(0x6982);
    expect((await t.readSfi(14)).sw).toBe(0x6982);
    expect((await t.readSfi(18)).sw).toBe(0x9000);
    // EF.CardSecurity stays readable for passive authentication.
    expect((await t.readCardSecurity()).infos.length).toBeGreaterThan(5);
  });

  it('after PACE with the CAN needs "CAN allowed" and grants no encrypted-area field, even with the bit', async () => {
    const term = makeTerminal(pki, { chat });
    const t0 = new TestTerminal(VirtualCard.fromJson(cardJson));
    const refused = await eac(t0, {
      password: 'can',
      chat,
      chain: chainOf(pki.dv, term),
      terminalKey: term.key.privateKey,
    });
    expect(refused.ta?.sw).toBe(0x6982);
    const canChat = Chat.forRole('terminal', [...chat.bits(), SPECIAL_FUNCTIONS.canAllowed]);
    const canTerm = makeTerminal(pki, { chat: canChat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    const r = await eac(t, {
      password: 'can',
      chat: canChat,
      chain: chainOf(pki.dv, canTerm),
      terminalKey: canTerm.key.privateKey,
    });
    expect(r.ca?.ok).toBe(true);
    await t.selectEid();
    expect((await t.readSfi(4)).sw).toBe(0x9000);
    expect((await t.readSfi(14)).sw).toBe(0x6982);
    expect((await t.readSfi(11)).sw).toBe(0x6982);
  });

  it('refuses a chain that does not lead to the card’s trust point', async () => {
    // A different CVCA with another CHR: the DV's CAR is unknown.
    const other = makePki('brainpoolP256r1', 'TWOTHER00001');
    const term = makeTerminal(other, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    const r = await eac(t, { chat, chain: chainOf(other.dv, term), terminalKey: term.key.privateKey });
    expect(r.ta?.sw).toBe(0x6a88);
    // A forged CVCA with the same CHR: the signature does not verify.
    const forged = makePki('brainpoolP256r1', 'TWCVCA00001');
    const term2 = makeTerminal(forged, { chat });
    const t2 = new TestTerminal(VirtualCard.fromJson(cardJson));
    const r2 = await eac(t2, { chat, chain: chainOf(forged.dv, term2), terminalKey: term2.key.privateKey });
    expect(r2.ta?.sw).toBe(0x6300);
    // Nothing was granted: the encrypted area stays closed, CA is refused.
    await t2.selectEid();
    expect((await t2.readSfi(14)).sw).toBe(0x6982);
  });

  it('refuses a terminal certificate expired relative to the card’s current date', async () => {
    const expired = makeTerminal(pki, { chat, effectiveDate: addDays(TODAY, -40), validityDays: 30 });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    const r = await eac(t, { chat, chain: chainOf(pki.dv, expired), terminalKey: expired.key.privateKey });
    expect(r.ta?.sws).toEqual([0x9000, 0x9000, 0x9000, 0x6985]);
  });

  it('advances the current date with a DV certificate and then refuses a terminal that is expired by it', async () => {
    const futureDv = issueSubordinate(
      { cert: pki.cvca.cert, key: pki.cvca.key.privateKey },
      {
        role: 'dv-domestic',
        chr: 'TWDV00002',
        chat: Chat.forRole('dv-domestic', allAtBits()),
        effectiveDate: addDays(TODAY, 20),
        validityDays: 90,
        curve: pki.curve,
      },
    );
    // Valid by the wall clock, but expired by the date the DV teaches the card.
    const term = makeTerminal(pki, { chat, dv: futureDv, validityDays: 10 });
    const card = VirtualCard.fromJson(cardJson);
    const t = new TestTerminal(card);
    const r = await eac(t, { chat, chain: chainOf(futureDv, term), terminalKey: term.key.privateKey });
    expect(r.ta?.sws).toEqual([0x9000, 0x9000, 0x9000, 0x6985]);
    expect(card.toJson().currentDate).toBe(addDays(TODAY, 20));
  });

  it('refuses a wrong signature with 6300 and grants nothing', async () => {
    const term = makeTerminal(pki, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    await t.pace({ password: 'pin', secret: '123456', chat });
    const ta = await t.ta({
      chain: chainOf(pki.dv, term),
      terminalKey: term.key.privateKey,
      badSignature: true,
    });
    expect(ta.sw).toBe(0x6300);
    expect(t.sm).toBeDefined(); // secure messaging survives a failed TA (TR-03110-2 §3.3.2)
    expect((await t.ca(ta.ephemeral)).sw).toBe(0x6982);
    await t.selectEid();
    expect((await t.readSfi(14)).sw).toBe(0x6982);
    expect((await t.readSfi(4)).sw).toBe(0x9000); // PACE(PIN) still opens the public area
  });

  it('refuses TA when PACE carried no CHAT, or a certificate signed by the wrong key', async () => {
    const term = makeTerminal(pki, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    await t.pace({ password: 'pin', secret: '123456' });
    expect((await t.ta({ chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey })).sw).toBe(0x6985);
    // The terminal key signing with the DV's identity: verification with the DV key fails.
    const t2 = new TestTerminal(VirtualCard.fromJson(cardJson));
    await t2.pace({ password: 'pin', secret: '123456', chat });
    const wrongKey = makeTerminal(pki, { chat });
    const r = await t2.ta({ chain: chainOf(pki.dv, term), terminalKey: wrongKey.key.privateKey });
    expect(r.sw).toBe(0x6300);
  });

  it('accepts the trust point sent along and imports a CVCA link certificate as a new trust point', async () => {
    const next = issueCvca({
      curve: pki.curve,
      chr: 'TWCVCA00002',
      effectiveDate: addDays(TODAY, 1),
      validityDays: 1095,
    });
    const link = issueCvcaLink(pki.cvca, next);
    const dv2 = issueSubordinate(
      { cert: next.cert, key: next.key.privateKey },
      {
        role: 'dv-domestic',
        chr: 'TWDV00003',
        chat: Chat.forRole('dv-domestic', allAtBits()),
        effectiveDate: addDays(TODAY, 1),
        validityDays: 90,
        curve: pki.curve,
      },
    );
    const term = makeTerminal(pki, { chat, dv: dv2, effectiveDate: addDays(TODAY, 1) });
    const card = VirtualCard.fromJson(cardJson);
    const t = new TestTerminal(card);
    const r = await eac(t, {
      chat,
      chain: [pki.cvca.cert.raw, link.raw, dv2.cert.raw, term.cert.raw],
      terminalKey: term.key.privateKey,
    });
    expect(r.ca?.ok).toBe(true);
    const json = card.toJson();
    expect(json.trustPoints.map((h) => h.slice(0, 4))).toEqual(['7F21', '7F21']);
    expect(json.trustPoints[0]).toBe(link.raw.toString('hex').toUpperCase());
    expect(json.currentDate).toBe(addDays(TODAY, 1));
    // PACE now announces both CARs, the most recent first (B.1.4).
    const t2 = new TestTerminal(card);
    expect((await t2.pace({ password: 'can', secret: '456789', chat })).cars).toEqual([
      'TWCVCA00002',
      'TWCVCA00001',
    ]);
  });

  it('runs Terminal Authentication only once per session', async () => {
    const term = makeTerminal(pki, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    const r = await eac(t, {
      chat,
      chain: chainOf(pki.dv, term),
      terminalKey: term.key.privateKey,
      skipCa: true,
    });
    expect(r.ta?.sw).toBe(0x9000);
    const again = await t.ta({ chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey });
    expect(again.sw).toBe(0x6982);
  });
});
