/**
 * Terminal Authentication: the signature input of TR-03110-2 §3.3.1
 * (ID_PICC ‖ r_PICC ‖ Comp(PK_PCD) ‖ A_PCD), the plain ECDSA signature, and
 * the presentation of the certificate chain (B.3) from the key the card names.
 */
import { describe, expect, it } from 'vitest';
import { curveByName } from '../../src/crypto/curves.js';
import { ecdsaVerify } from '../../src/crypto/ecdsa.js';
import { auxiliaryDataFor } from '../../src/eac/aux-data.js';
import {
  authenticateTerminal,
  presentCertificateChain,
  requestChallenge,
  signTa,
  taSignatureInput,
} from '../../src/eac/ta.js';
import { issueCvca, issueCvcaLink, issueSubordinate } from '../../src/pki/cvc/issue.js';
import { chatFor } from '../../src/profile/authorization.js';
import { apduHex, codeOf, hex, ok, RecordingChannel, up } from './helpers.js';

const curve = curveByName('brainpoolP256r1');
const cvcaA = issueCvca({ curve, chr: 'TWCVCA00001', effectiveDate: '20260101', validityDays: 1000 });
const cvcaB = issueCvca({ curve, chr: 'TWCVCA00002', effectiveDate: '20260601', validityDays: 1000 });
const link = issueCvcaLink(cvcaA, cvcaB);
const dv = issueSubordinate(
  { cert: cvcaB.cert, key: cvcaB.key.privateKey },
  {
    role: 'dv-domestic',
    chr: 'TWDV00001',
    chat: chatFor(['photo'], []),
    effectiveDate: '20260601',
    validityDays: 90,
    curve,
  },
);
const term = issueSubordinate(
  { cert: dv.cert, key: dv.key.privateKey },
  {
    role: 'terminal',
    chr: 'TWDEMO00001',
    chat: chatFor(['photo'], []),
    effectiveDate: '20260601',
    validityDays: 30,
    curve,
  },
);
const chain = [link, dv.cert, term.cert];

describe('TA signature (TR-03110-2 §3.3.1, A.7.4.1, A.7.5)', () => {
  const idPicc = Buffer.alloc(32, 0x01);
  const challenge = hex('0102030405060708');
  const comp = Buffer.alloc(32, 0x03);
  const aux = auxiliaryDataFor({ minimumAge: 18, today: '20260315' })!;

  it('is ID_PICC ‖ r_PICC ‖ Comp(PK_PCD) ‖ the whole 67 object', () => {
    expect(up(taSignatureInput({ idPicc, challenge, ephemeralCompressed: comp, auxData: aux }))).toBe(
      // ID_PICC (32) ‖ r_PICC (8) ‖ Comp(PK_PCD) (32) ‖ 67 17 73 15 06 09 id-DateOfBirth 53 08 "20080315"
      `${'01'.repeat(32)}0102030405060708${'03'.repeat(32)}671773150609` +
        '04007F000703010401530832303038303331' +
        '35',
    );
    expect(taSignatureInput({ idPicc, challenge, ephemeralCompressed: comp }).length).toBe(72);
  });

  it('is signed with ECDSA, plain r‖s, verifiable with the terminal certificate key', () => {
    const input = taSignatureInput({ idPicc, challenge, ephemeralCompressed: comp, auxData: aux });
    const sig = signTa(term.key.privateKey, term.cert.hash, input);
    expect(sig.length).toBe(64);
    expect(ecdsaVerify('sha256', input, term.cert.keyObject(curve), sig, 'plain')).toBe(true);
  });

  it('refuses a challenge that is not 8 bytes', async () => {
    expect(
      await codeOf(() => taSignatureInput({ idPicc, challenge: Buffer.alloc(7), ephemeralCompressed: comp })),
    ).toBe('invalid-argument');
  });
});

describe('certificate chain presentation (B.3 steps 1-2)', () => {
  const run = async (cars: string[]) => {
    const ch = new RecordingChannel();
    const sent = await presentCertificateChain(ch, chain, { cardCars: cars });
    return { sent, apdus: ch.sent.map(apduHex) };
  };

  it('starts at the DV certificate when the card already knows the new CVCA key', async () => {
    const { sent, apdus } = await run(['TWCVCA00002', 'TWCVCA00001']);
    expect(sent.map((c) => c.chr)).toEqual(['TWDV00001', 'TWDEMO00001']);
    expect(apdus).toHaveLength(4);
    expect(apdus[0]).toBe(`002281B60D830B${up(Buffer.from('TWCVCA00002'))}`);
    expect(apdus[1]!.startsWith('002A00BE')).toBe(true);
    expect(apdus[2]).toBe(`002281B60B8309${up(Buffer.from('TWDV00001'))}`);
  });

  it('sends the link certificate when the card knows only the old CVCA key', async () => {
    const { sent } = await run(['TWCVCA00001']);
    expect(sent.map((c) => c.chr)).toEqual(['TWCVCA00002', 'TWDV00001', 'TWDEMO00001']);
  });

  it('refuses a chain the card cannot anchor (no-trust-point)', async () => {
    expect(await codeOf(() => run(['TWCVCA00009']))).toBe('no-trust-point');
  });

  it('reports the refused certificate (certificate-rejected)', async () => {
    const ch = new RecordingChannel((c) => (c.ins === 0x2a ? { data: Buffer.alloc(0), sw: 0x6a80 } : ok()));
    const e = await codeOf(() => presentCertificateChain(ch, chain, { cardCars: ['TWCVCA00002'] }));
    expect(e).toBe('certificate-rejected');
  });
});

describe('MSE:Set AT, Get Challenge and External Authenticate', () => {
  const mse = {
    terminalChr: 'TWDEMO00001',
    algorithm: term.cert.publicKey.algorithm,
    ephemeralCompressed: Buffer.alloc(32, 7),
  };

  it('Get Challenge must return 8 bytes', async () => {
    expect(await requestChallenge(new RecordingChannel(() => ok(hex('0102030405060708'))))).toEqual(
      hex('0102030405060708'),
    );
    expect(await codeOf(() => requestChallenge(new RecordingChannel(() => ok(hex('01')))))).toBe(
      'malformed-response',
    );
  });

  it.each([
    [0x6300, 'authentication-failed'],
    [0x6985, 'authentication-failed'],
    [0x6982, 'access-denied'],
    [0x6a80, 'card-error'],
  ])('External Authenticate answered %s', async (sw, code) => {
    const ch = new RecordingChannel((c) => (c.ins === 0x82 ? { data: Buffer.alloc(0), sw } : ok()));
    expect(await codeOf(() => authenticateTerminal(ch, mse, Buffer.alloc(64)))).toBe(code);
  });

  it('sends MSE:Set AT then External Authenticate', async () => {
    const ch = new RecordingChannel();
    await authenticateTerminal(ch, mse, Buffer.alloc(64, 9));
    expect(ch.sent.map((c) => c.ins)).toEqual([0x22, 0x82]);
    expect(ch.sent[0]!.p1).toBe(0x81);
    expect(ch.sent[0]!.p2).toBe(0xa4);
  });
});
