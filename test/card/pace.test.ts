import { beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/apdu/apdu.js';
import type { CardFileJson } from '../../src/card/card-file.js';
import type { CardRng } from '../../src/card/rng.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { toBigInt } from '../../src/crypto/curves.js';
import { kdf } from '../../src/crypto/kdf.js';
import { chatFor } from '../../src/profile/authorization.js';
import g1 from '../fixtures/icao-9303-p11-g1.json' with { type: 'json' };
import { makeCard, makePki } from './support/pki.js';
import { hex, swOf, TestTerminal } from './support/terminal.js';

let cardJson: CardFileJson;
beforeAll(() => {
  cardJson = makeCard(makePki());
});

const fresh = () => new TestTerminal(VirtualCard.fromJson(cardJson));

describe('PACE on the virtual card (TR-03110-3 B.1)', () => {
  it('establishes secure messaging with the CAN and releases public-area data', async () => {
    const t = fresh();
    const r = await t.pace({ password: 'can', secret: '456789' });
    expect(r.ok).toBe(true);
    expect(r.mseSw).toBe(0x9000);
    expect(r.cars).toEqual([]);
    expect((await t.selectEid()).sw).toBe(0x9000);
    const dg4 = await t.readEf(4);
    expect(dg4.subarray(0, 1)).toEqual(Buffer.from([0x64]));
    expect(dg4.toString('utf8')).toContain('陳\u{2A6A5}華');
  });

  it('establishes secure messaging with the PIN and returns the CARs when a CHAT is sent', async () => {
    const t = fresh();
    const r = await t.pace({ password: 'pin', secret: '123456', chat: chatFor(['chineseName'], []) });
    expect(r.ok).toBe(true);
    expect(r.cars).toEqual(['TWCVCA00001']);
    expect(r.idPicc).toHaveLength(32);
  });

  it('refuses a wrong CAN with 6300 and stays unauthenticated', async () => {
    const t = fresh();
    const r = await t.pace({ password: 'can', secret: '000000' });
    expect(swOf(r.steps.at(-1)!)).toBe('6300');
    expect(t.sm).toBeUndefined();
    await t.selectEid();
    expect((await t.readSfi(4)).sw).toBe(0x6982);
  });

  it('answers an unknown password reference with 6A88 and an unsupported protocol with 6A80', async () => {
    const t = fresh();
    expect(swOf(await t.raw('0022C1A40F800A04007F00070202040202830101'))).toBe('6A88');
    expect(swOf(await t.raw('0022C1A40F800A04007F00070202040204830102'))).toBe('6A80');
  });

  it('rejects a mapping key that is not on the curve (6A80) and aborts the protocol', async () => {
    const t = fresh();
    await t.raw('0022C1A40F800A04007F00070202040202830102');
    expect(swOf(await t.raw('10860000027C0000'))).toBe('9000');
    const bad = Buffer.alloc(65, 0x11);
    bad[0] = 0x04;
    const ga = Buffer.concat([hex('1086000045 7C43 8141'), bad, hex('00')]);
    expect(swOf(await t.raw(ga))).toBe('6A80');
    expect(swOf(await t.raw('10860000027C0000'))).toBe('6985');
  });

  it('enforces the chaining bit of the General Authenticate chain', async () => {
    const t = fresh();
    await t.raw('0022C1A40F800A04007F00070202040202830102');
    expect(swOf(await t.raw('00860000027C0000'))).toBe('6985');
  });
});

describe('PACE reproduces ICAO Doc 9303-11 appendix G.1 at card level', () => {
  it('emits the G.1 encrypted nonce, mapping key, ephemeral key and token byte for byte', async () => {
    const pki = makePki();
    const json = makeCard(pki);
    const rng: CardRng = {
      bytes: (n, purpose) => (purpose === 'pace-nonce' ? hex(g1.nonce) : Buffer.alloc(n, 7)),
      scalar: (_c, purpose) =>
        toBigInt(hex(purpose === 'pace-mapping' ? g1.chipMappingPrivate : g1.chipEphemeralPrivate)),
    };
    const kpi = kdf(hex(g1.mrzKeySeed), 3, 128);
    const card = VirtualCard.fromJson(json, { rng, hooks: { passwordKey: () => kpi } });
    const t = new TestTerminal(card);
    const r = await t.pace({
      password: 'can',
      secret: { kpi },
      mappingKey: toBigInt(hex(g1.terminalMappingPrivate)),
      ephemeralKey: toBigInt(hex(g1.terminalEphemeralPrivate)),
    });
    expect(r.ok).toBe(true);
    const up = (b?: Buffer) => b?.toString('hex').toUpperCase();
    expect(up(r.encryptedNonce)).toBe(g1.encryptedNonce);
    expect(up(r.chipMappingPublic)).toBe(g1.chipMappingPublic);
    expect(up(r.chipEphemeralPublic)).toBe(g1.chipEphemeralPublic);
    expect(up(r.terminalToken)).toBe(g1.terminalToken);
    expect(up(r.chipToken)).toBe(g1.chipToken);
    expect(up(r.keys?.enc)).toBe(g1.ksEnc);
    expect(up(r.keys?.mac)).toBe(g1.ksMac);
    // The channel works: a protected SELECT is answered protected.
    expect((await t.send(command(0x00, 0xa4, 0x02, 0x0c, hex('011C')))).sw).toBe(0x9000);
  });
});
