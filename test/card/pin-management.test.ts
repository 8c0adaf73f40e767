import { beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/apdu/apdu.js';
import type { CardFileJson } from '../../src/card/card-file.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { makeCard, makePki } from './support/pki.js';
import { swOf, TestTerminal } from './support/terminal.js';

let cardJson: CardFileJson;
beforeAll(() => {
  cardJson = makeCard(makePki());
});

const CAN = '456789';
const PIN = '123456';
const PUK = 'A1B2C3D4';

/** One PACE attempt in a fresh session (a reset between attempts, as a new eID-Client run would). */
async function attempt(card: VirtualCard, password: 'pin' | 'can' | 'puk', secret: string) {
  card.reset();
  const t = new TestTerminal(card);
  const r = await t.pace({ password, secret });
  return {
    t,
    r,
    last: r.steps.length ? swOf(r.steps.at(-1)!) : swOf({ sw: r.sw, data: Buffer.alloc(0) }),
    mse: swOf({ sw: r.mseSw, data: Buffer.alloc(0) }),
  };
}

describe('PIN retry counter (TR-03110-2 §2.2.3)', () => {
  it('counts down 63C2 → 63C1 (suspended), resumes with the CAN, blocks at 0 (6983)', async () => {
    const card = VirtualCard.fromJson(cardJson);
    let a = await attempt(card, 'pin', '000000');
    expect([a.mse, a.last]).toEqual(['9000', '63C2']);
    a = await attempt(card, 'pin', '111111');
    expect([a.mse, a.last]).toEqual(['63C2', '63C1']);
    // Suspended: even the right PIN is refused without the CAN first.
    a = await attempt(card, 'pin', PIN);
    expect([a.mse, a.last]).toEqual(['63C1', '6985']);
    expect(card.toJson().retryCounters.pin).toBe(1);
    // CAN first, then the PIN inside the same session: resumed, and the counter is back at 3.
    a = await attempt(card, 'can', CAN);
    expect(a.r.ok).toBe(true);
    const pin = await a.t.pace({ password: 'pin', secret: PIN });
    expect(pin.mseSw).toBe(0x63c1);
    expect(pin.ok).toBe(true);
    expect(card.toJson().retryCounters.pin).toBe(3);
    expect((await attempt(card, 'pin', PIN)).mse).toBe('9000');
  });

  it('a wrong PIN after the CAN blocks the PIN; then even the right one is refused with 6983', async () => {
    const card = VirtualCard.fromJson(cardJson);
    await attempt(card, 'pin', '000000');
    await attempt(card, 'pin', '000000');
    const a = await attempt(card, 'can', CAN);
    const wrong = await a.t.pace({ password: 'pin', secret: '000000' });
    expect(swOf(wrong.steps.at(-1)!)).toBe('63C0');
    // The CAN session survives the failed second PACE (TR-03110-2 §3.2.2).
    expect(a.t.sm).toBeDefined();
    expect((await a.t.send(command(0x00, 0xa4, 0x02, 0x0c, Buffer.from('011C', 'hex')))).sw).toBe(0x9000);
    const b = await attempt(card, 'pin', PIN);
    expect([b.mse, b.last]).toEqual(['63C0', '6983']);
    expect(card.toJson().retryCounters.pin).toBe(0);
  });

  it('the user code unblocks the PIN with RESET RETRY COUNTER 00 2C 03 03', async () => {
    const card = VirtualCard.fromJson(cardJson);
    for (let i = 0; i < 2; i++) await attempt(card, 'pin', '000000');
    const c = await attempt(card, 'can', CAN);
    await c.t.pace({ password: 'pin', secret: '000000' });
    expect(card.toJson().retryCounters.pin).toBe(0);
    // Not with the CAN.
    expect((await c.t.send(command(0x00, 0x2c, 0x03, 0x03))).sw).toBe(0x6982);
    const p = await attempt(card, 'puk', PUK);
    expect(p.r.ok).toBe(true);
    expect((await p.t.send(command(0x00, 0x2c, 0x03, 0x03))).sw).toBe(0x9000);
    expect(card.toJson().retryCounters.pin).toBe(3);
    const ok = await attempt(card, 'pin', PIN);
    expect([ok.mse, ok.r.ok]).toEqual(['9000', true]);
  });

  it('sets a new PIN after PACE with the user code (00 2C 02 03), which also unblocks it', async () => {
    const card = VirtualCard.fromJson(cardJson);
    for (let i = 0; i < 2; i++) await attempt(card, 'pin', '000000');
    const c = await attempt(card, 'can', CAN);
    await c.t.pace({ password: 'pin', secret: '000000' });
    expect(card.toJson().retryCounters.pin).toBe(0);
    const p = await attempt(card, 'puk', PUK);
    expect((await p.t.send(command(0x00, 0x2c, 0x02, 0x03, Buffer.from('12345')))).sw).toBe(0x6a80);
    expect((await p.t.send(command(0x00, 0x2c, 0x02, 0x03, Buffer.from('778899')))).sw).toBe(0x9000);
    expect(card.toJson().passwords.pin).toBe('778899');
    expect(card.toJson().retryCounters.pin).toBe(3);
    // The login goes on in the same session with the new PIN (PACE with the PIN after the user code).
    const pin = await p.t.pace({ password: 'pin', secret: '778899' });
    expect(pin.ok).toBe(true);
    expect((await attempt(card, 'pin', PIN)).last).toBe('63C2');
  });

  it('changes the PIN after PACE with the PIN (00 2C 02 03)', async () => {
    const card = VirtualCard.fromJson(cardJson);
    const a = await attempt(card, 'pin', PIN);
    expect((await a.t.send(command(0x00, 0x2c, 0x02, 0x03, Buffer.from('12345')))).sw).toBe(0x6a80);
    expect((await a.t.send(command(0x00, 0x2c, 0x02, 0x03, Buffer.from('654321')))).sw).toBe(0x9000);
    expect(card.toJson().passwords.pin).toBe('654321');
    expect((await attempt(card, 'pin', PIN)).last).toBe('63C2');
    expect((await attempt(card, 'pin', '654321')).r.ok).toBe(true);
    // With the CAN the PIN cannot be changed.
    const c = await attempt(card, 'can', CAN);
    expect((await c.t.send(command(0x00, 0x2c, 0x02, 0x03, Buffer.from('111111')))).sw).toBe(0x6982);
  });

  it('the user code has its own counter of 10 and is then blocked', async () => {
    const card = VirtualCard.fromJson(cardJson);
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) seen.push((await attempt(card, 'puk', 'WRONG0')).last);
    expect(seen).toEqual(['63C9', '63C8', '63C7', '63C6', '63C5', '63C4', '63C3', '63C2', '63C1', '63C0']);
    const b = await attempt(card, 'puk', PUK);
    expect([b.mse, b.last]).toEqual(['63C0', '6983']);
    expect(card.toJson().retryCounters.userCode).toBe(0);
    // The PIN is unaffected.
    expect((await attempt(card, 'pin', PIN)).r.ok).toBe(true);
  });

  it('the CAN has no retry counter', async () => {
    const card = VirtualCard.fromJson(cardJson);
    for (let i = 0; i < 5; i++) expect((await attempt(card, 'can', '000000')).last).toBe('6300');
    expect((await attempt(card, 'can', CAN)).r.ok).toBe(true);
  });

  it('allows no second PACE in a session except the PIN after CAN or user code', async () => {
    const card = VirtualCard.fromJson(cardJson);
    const a = await attempt(card, 'pin', PIN);
    expect((await a.t.pace({ password: 'can', secret: CAN })).mseSw).toBe(0x6985);
    const b = await attempt(card, 'can', CAN);
    expect((await b.t.pace({ password: 'can', secret: CAN })).mseSw).toBe(0x6985);
  });
});
