/**
 * Chip Authentication without Terminal Authentication after PACE with the CAN
 * (docs/chip-profile.md §3.3 A8): the Open API reader proves the chip to its
 * verifier. The access rights stay those of PACE with the CAN, TA can no
 * longer follow, and after PACE with PIN1 CA still needs TA.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CardFileJson } from '../../src/card/card-file.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { generateEcKeyPair } from '../../src/crypto/keys.js';
import { Chat, SPECIAL_FUNCTIONS } from '../../src/pki/cvc/chat.js';
import { chatFor } from '../../src/profile/authorization.js';
import { chainOf } from './support/eac.js';
import { makeCard, makePki, makeTerminal, type TestPki } from './support/pki.js';
import { TestTerminal } from './support/terminal.js';

let pki: TestPki;
let cardJson: CardFileJson;
beforeAll(() => {
  pki = makePki();
  cardJson = makeCard(pki, { can: '456789' });
});

describe('Chip Authentication without Terminal Authentication (Open API)', () => {
  it('runs after PACE with the CAN; the public area stays readable over the CA channel, the encrypted area not', async () => {
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    expect((await t.pace({ password: 'can', secret: '456789' })).ok).toBe(true);
    const ca = await t.ca(generateEcKeyPair(pki.curve));
    expect(ca).toEqual({ sw: 0x9000, ok: true });
    await t.selectEid();
    expect((await t.readSfi(4)).sw).toBe(0x9000);
    expect((await t.readSfi(18)).sw).toBe(0x9000);
    for (const dg of [9, 11, 14, 21]) expect((await t.readSfi(dg)).sw, `DG${dg}`).toBe(0x6982);
    // EF.ChipSecurity (encrypted-area hashes) needs PIN1, TA and CA.
    await t.select(0x00, Buffer.from('3F00', 'hex'));
    expect((await t.readSfi(0x1b)).sw).toBe(0x6982);
  });

  it('is refused after PACE with PIN1 without TA', async () => {
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    expect((await t.pace({ password: 'pin', secret: '123456' })).ok).toBe(true);
    expect((await t.ca(generateEcKeyPair(pki.curve))).sw).toBe(0x6982);
  });

  it('ends the chance of Terminal Authentication in the session', async () => {
    const chat = Chat.forRole('terminal', [
      ...chatFor(['chineseName'], []).bits(),
      SPECIAL_FUNCTIONS.canAllowed,
    ]);
    const term = makeTerminal(pki, { chat });
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    expect((await t.pace({ password: 'can', secret: '456789', chat })).ok).toBe(true);
    expect((await t.ca(generateEcKeyPair(pki.curve))).ok).toBe(true);
    const ta = await t.ta({ chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey });
    // Certificates, MSE:Set AT and GET CHALLENGE pass; External Authenticate is refused.
    expect(ta.sws.slice(0, -1).every((sw) => sw === 0x9000)).toBe(true);
    expect(ta.sws).toHaveLength(7);
    expect(ta.sws.at(-1)).toBe(0x6982);
  });
});
