/**
 * PACE against a scripted card replaying ICAO Doc 9303-11 appendix G.1
 * (ECDH generic mapping, brainpoolP256r1, id-PACE-ECDH-GM-AES-CBC-CMAC-128,
 * MRZ password): the terminal's G.1 private keys are injected, every command
 * it sends is compared byte for byte, and the derived secure-messaging keys
 * must be G.1's KSenc / KSmac.
 */
import { describe, expect, it } from 'vitest';
import { command } from '../../src/apdu/apdu.js';
import { toBigInt } from '../../src/crypto/curves.js';
import { pace } from '../../src/eac/pace.js';
import { SecureMessaging } from '../../src/sm/secure-messaging.js';
import v from '../fixtures/icao-9303-p11-g1.json' with { type: 'json' };
import { codeOf, eacError, hex, ScriptedCard } from './helpers.js';

// EF.CardAccess of G.1: SET { PACEInfo { id-PACE-ECDH-GM-AES-CBC-CMAC-128, version 2, parameterId 13 } }
const CARD_ACCESS = hex('31 14 30 12 06 0A 04 00 7F 00 07 02 02 04 02 02 02 01 02 02 01 0D');

const rng = (p: 'mapping' | 'ephemeral') =>
  toBigInt(hex(p === 'mapping' ? v.terminalMappingPrivate : v.terminalEphemeralPrivate));

/** The G.1 command APDUs, written out (ICAO 9303-11 G.1, TR-03110-3 B.1). */
const COMMANDS = [
  '0022C1A40F800A04007F00070202040202830101',
  '10860000027C0000',
  `10860000457C438141${v.terminalMappingPublic}00`,
  `10860000457C438341${v.terminalEphemeralPublic}00`,
  `008600000C7C0A8508${v.terminalToken}00`,
];

const RESPONSES = [
  '9000',
  `7C128010${v.encryptedNonce}9000`,
  `7C438241${v.chipMappingPublic}9000`,
  `7C438441${v.chipEphemeralPublic}9000`,
  `7C0A8608${v.chipToken}9000`,
];

const run = (card: ScriptedCard) =>
  pace(card, { password: hex(v.mrzKeySeed), passwordRef: 'mrz', cardAccess: CARD_ACCESS, rng });

describe('PACE terminal side replays ICAO 9303-11 G.1', () => {
  it('sends exactly the G.1 commands and derives KSenc / KSmac', async () => {
    const card = new ScriptedCard(RESPONSES);
    const r = await run(card);
    expect(card.sent).toEqual(COMMANDS);
    expect(r.protocol).toBe(v.protocol);
    expect(r.curve.name).toBe('brainpoolP256r1');
    expect(r.chipEphemeralPoint.toString('hex').toUpperCase()).toBe(v.chipEphemeralPublic);
    expect(r.idPicc.toString('hex').toUpperCase()).toBe(v.chipEphemeralPublic.slice(2, 66));
    expect(r.cars).toEqual([]);
    // Same keys ⇔ the same protected command from SSC 0.
    const g1 = new SecureMessaging({ enc: hex(v.ksEnc), mac: hex(v.ksMac) });
    const probe = command(0x00, 0xb0, 0x9d, 0x00, Buffer.alloc(0), 0xdf);
    expect(r.sm.wrapCommand(probe)).toEqual(g1.wrapCommand(probe));
    expect(r.sm.counter).toEqual(g1.counter);
  });

  it('returns CAR_curr and CAR_prev (87, 88)', async () => {
    const resp = [...RESPONSES];
    const car = (s: string) => Buffer.from(s, 'latin1').toString('hex');
    resp[4] = `7C2A8608${v.chipToken}870E${car('DETESTeID00005')}880E${car('DETESTeID00004')}9000`;
    const r = await run(new ScriptedCard(resp));
    expect(r.cars).toEqual(['DETESTeID00005', 'DETESTeID00004']);
  });

  it('refuses a wrong chip token in constant-time comparison (bad-token)', async () => {
    const resp = [...RESPONSES];
    resp[4] = `7C0A8608${v.chipToken.slice(0, 14)}099000`;
    expect(await codeOf(() => run(new ScriptedCard(resp)))).toBe('bad-token');
  });

  it('refuses a chip mapping point that is not on the curve (invalid-point)', async () => {
    const resp = [...RESPONSES];
    const bad = `${v.chipMappingPublic.slice(0, 100)}${v.chipMappingPublic.slice(100, 102) === '00' ? '01' : '00'}${v.chipMappingPublic.slice(102)}`;
    resp[2] = `7C438241${bad}9000`;
    expect(await codeOf(() => run(new ScriptedCard(resp)))).toBe('invalid-point');
  });

  it('refuses a chip ephemeral key equal to the terminal one (invalid-point)', async () => {
    const resp = [...RESPONSES];
    resp[3] = `7C438441${v.terminalEphemeralPublic}9000`;
    expect(await codeOf(() => run(new ScriptedCard(resp)))).toBe('invalid-point');
  });

  it('refuses malformed dynamic authentication data (malformed-response)', async () => {
    const resp = [...RESPONSES];
    resp[1] = `7C128110${v.encryptedNonce}9000`; // 81 instead of 80
    expect(await codeOf(() => run(new ScriptedCard(resp)))).toBe('malformed-response');
    resp[1] = `7C138010${v.encryptedNonce}9000`; // length beyond the data
    expect(await codeOf(() => run(new ScriptedCard(resp)))).toBe('malformed-response');
  });

  it('demands CAR_curr when a CHAT was sent (B.1)', async () => {
    const { Chat } = await import('../../src/pki/cvc/chat.js');
    const chat = Chat.forRole('terminal', [8]);
    const card = new ScriptedCard(RESPONSES);
    const e = await eacError(() =>
      pace(card, { password: hex(v.mrzKeySeed), passwordRef: 'mrz', cardAccess: CARD_ACCESS, rng, chat }),
    );
    expect(e.code).toBe('malformed-response');
    expect(card.sent[0]).toContain('7F4C');
  });
});

describe('PACE status words (B.14.1, B.14.2)', () => {
  const withStep4 = (sw: string) => [...RESPONSES.slice(0, 4), sw];

  it.each([
    ['63C2', 'wrong-password', 2],
    ['63C1', 'password-suspended', 1],
    ['63C0', 'password-blocked', 0],
    ['6983', 'password-blocked', 0],
    ['6985', 'password-suspended', 1],
    ['6984', 'password-deactivated', undefined],
    ['6300', 'wrong-password', undefined],
    ['6982', 'access-denied', undefined],
    ['6F00', 'card-error', undefined],
  ])('mutual authentication answered %s → %s', async (sw, code, retries) => {
    const e = await eacError(() => run(new ScriptedCard(withStep4(sw))));
    expect(e.code).toBe(code);
    expect(e.retriesLeft).toBe(retries);
    expect(e.sw).toBe(Number.parseInt(sw, 16));
  });

  it.each([
    ['63C1', 'password-suspended', 1],
    ['63C0', 'password-blocked', 0],
    ['6283', 'password-deactivated', undefined],
    ['6A80', 'card-error', undefined],
  ])('MSE:Set AT answered %s → %s before any General Authenticate', async (sw, code, retries) => {
    const card = new ScriptedCard([sw]);
    const e = await eacError(() => run(card));
    expect(e.code).toBe(code);
    expect(e.retriesLeft).toBe(retries);
    expect(card.sent).toHaveLength(1);
  });

  it('MSE:Set AT 63C2 is a warning: PACE proceeds and reports 2 tries left', async () => {
    const r = await run(new ScriptedCard(['63C2', ...RESPONSES.slice(1)]));
    expect(r.retriesLeft).toBe(2);
  });
});
