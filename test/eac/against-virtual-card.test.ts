/**
 * End to end: this terminal (written from TR-03110) against the virtual card
 * of src/card (written independently from the same TR). PACE with the PIN →
 * Terminal Authentication → Chip Authentication → Restricted Identification
 * → VERIFY → READ BINARY, split between client and server as online
 * authentication does (runLocalEac).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCard } from '../../src/card/personalize.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { curveByName, toFixed } from '../../src/crypto/curves.js';
import { generateEcKeyPair, loadPrivateKey, privateScalarOf } from '../../src/crypto/keys.js';
import { auxiliaryDataFor } from '../../src/eac/aux-data.js';
import { SmChannel } from '../../src/eac/channel.js';
import { readCardAccess } from '../../src/eac/files.js';
import { runLocalEac } from '../../src/eac/local-terminal.js';
import { pace } from '../../src/eac/pace.js';
import { setNewPin, unblockPin } from '../../src/eac/pin-management.js';
import { Chat } from '../../src/pki/cvc/chat.js';
import { addDays, dateString } from '../../src/pki/cvc/dates.js';
import {
  allAtBits,
  issueCvca,
  issueSubordinate,
  sectorKeyHash,
  sectorPublicKeyObject,
} from '../../src/pki/cvc/issue.js';
import { issueCertificate } from '../../src/pki/x509/certificate.js';
import { parseCms } from '../../src/pki/x509/cms-parser.js';
import { chatFor } from '../../src/profile/authorization.js';
import { decodeDataGroup } from '../../src/profile/codecs.js';
import { eacError } from './helpers.js';

const TODAY = dateString();

function makeWorld(
  curveName = 'brainpoolP256r1',
  terminalChat = chatFor(
    ['chineseName', 'dateOfBirth', 'photo', 'sex', 'householdArea'],
    ['ageVerification', 'placeVerification'],
  ),
) {
  const curve = curveByName(curveName);
  const cvca = issueCvca({
    curve,
    chr: 'TWCVCA00001',
    effectiveDate: addDays(TODAY, -30),
    validityDays: 1095,
  });
  const dv = issueSubordinate(
    { cert: cvca.cert, key: cvca.key.privateKey },
    {
      role: 'dv-domestic',
      chr: 'TWDV00001',
      chat: Chat.forRole('dv-domestic', allAtBits()),
      effectiveDate: addDays(TODAY, -10),
      validityDays: 365,
      curve,
    },
  );
  const sector = generateEcKeyPair(curve);
  const terminal = issueSubordinate(
    { cert: dv.cert, key: dv.key.privateKey },
    {
      role: 'terminal',
      chr: 'TWTERM00001',
      chat: terminalChat,
      effectiveDate: TODAY,
      validityDays: 30,
      curve,
      sectorKeyHash: sectorKeyHash(curve, sector.publicPoint),
    },
  );
  const csca = generateEcKeyPair(curve);
  const now = Date.now();
  const cscaCert = issueCertificate({
    subject: { C: 'TW', O: 'Test', CN: 'EAC test CSCA' },
    issuer: { C: 'TW', O: 'Test', CN: 'EAC test CSCA' },
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 3_650 * 86_400_000),
    subjectPublicKey: csca.publicKey,
    issuerKey: csca.privateKey,
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const ds = generateEcKeyPair(curve);
  const dsCert = issueCertificate({
    subject: { C: 'TW', O: 'Test', CN: 'EAC test DS' },
    issuer: cscaCert,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 365 * 86_400_000),
    subjectPublicKey: ds.publicKey,
    issuerKey: csca.privateKey,
    keyUsage: ['digitalSignature'],
  });
  const cardJson = createCard({
    pki: { trustPoints: [cvca.cert.raw], dsCert, dsKey: ds.privateKey, curve: curve.name },
    serialNumber: 'TW0123456789',
    pin: '123456',
    date: TODAY,
  });
  return { curve, cvca, dv, terminal, sector, cardJson };
}

describe.each(['brainpoolP256r1', 'brainpoolP384r1'])(
  'runLocalEac against the virtual card (%s)',
  (curveName) => {
    const w = makeWorld(curveName);

    it('PACE → TA → CA → RI → VERIFY → READ BINARY', async () => {
      const card = VirtualCard.fromJson(w.cardJson);
      const aux = auxiliaryDataFor({ minimumAge: 18, municipality: '63000-010', validity: true })!;
      const r = await runLocalEac(card, {
        pin: '123456',
        cvcaChain: [w.dv.cert, w.terminal.cert],
        terminalKey: w.terminal.key.privateKey,
        terminalHash: w.terminal.cert.hash,
        requiredChat: w.terminal.cert.chat,
        auxData: aux,
        sectorKeyObject: sectorPublicKeyObject(w.curve, w.sector.publicPoint),
        readDgs: [4, 8, 11, 14, 18],
        verify: ['age', 'place', 'validity'],
      });
      expect(r.cars).toContain('TWCVCA00001');
      expect(r.verifications).toEqual({ age: true, place: true, validity: true });
      expect(decodeDataGroup(4, r.dataGroups.get(4)!).value).toBe('陳\u{2A6A5}華');
      expect(decodeDataGroup(8, r.dataGroups.get(8)!).value).toBe('19900315');
      expect(decodeDataGroup(11, r.dataGroups.get(11)!).value).toBe('M');
      expect(decodeDataGroup(18, r.dataGroups.get(18)!).value).toBe('63000010001007');
      expect(r.dataGroups.get(14)!.length).toBeGreaterThan(1000);
      // I_ID^Sector = SHA-256(x(SK_ID · PK_Sector)), computed from the card file's RI key (A.5.4)
      const skId = privateScalarOf(loadPrivateKey(w.cardJson.keys.restrictedIdentification.privateKey));
      const shared = w.curve.Point.fromBytes(w.sector.publicPoint).multiply(
        BigInt(`0x${skId.toString('hex')}`),
      );
      expect(r.restrictedId).toEqual(createHash('sha256').update(toFixed(shared.x, w.curve.size)).digest());
      expect(parseCms(r.efCardSecurity).content.length).toBeGreaterThan(0);
    });

    it('reads the photo with one extended READ BINARY when allowed', async () => {
      const card = VirtualCard.fromJson(w.cardJson);
      const r = await runLocalEac(card, {
        pin: '123456',
        cvcaChain: [w.dv.cert, w.terminal.cert],
        terminalKey: w.terminal.key.privateKey,
        terminalHash: w.terminal.cert.hash,
        requiredChat: w.terminal.cert.chat,
        readDgs: [14],
        read: { firstChunk: 0xdf, extended: true },
      });
      expect(r.dataGroupResults.get(14)).toMatchObject({ status: 'ok' });
    });
  },
);

describe('the virtual card refuses what it must', () => {
  const w = makeWorld();
  const base = () => ({
    pin: '123456',
    cvcaChain: [w.dv.cert, w.terminal.cert],
    terminalKey: w.terminal.key.privateKey,
    terminalHash: w.terminal.cert.hash,
    requiredChat: w.terminal.cert.chat,
  });

  it('sends the APDU sequence of an online authentication (CLA/INS/P1/P2)', async () => {
    const inner = VirtualCard.fromJson(w.cardJson);
    const headers: string[] = [];
    const card = {
      transmit: async (a: Buffer) => {
        headers.push(a.subarray(0, 4).toString('hex').toUpperCase());
        return inner.transmit(a);
      },
    };
    await runLocalEac(card, {
      ...base(),
      auxData: auxiliaryDataFor({ minimumAge: 18 })!,
      sectorKeyObject: sectorPublicKeyObject(w.curve, w.sector.publicPoint),
      readDgs: [4],
      verify: ['age'],
    });
    expect(headers.join(' ')).toMatch(
      new RegExp(
        [
          '^00A4000C 00B09C00( 00B0\\w{4})*', // EF.CardAccess, plain
          '0022C1A4 10860000 10860000 10860000 00860000', // PACE
          '0C840000', // Get Challenge (EAC1)
          '0C2281B6 0C2A00BE 0C2281B6 0C2A00BE', // DV, terminal certificates
          '0C2281A4 0C820000', // MSE:Set AT, External Authenticate
          '0CB09D00( 0CB0\\w{4})*', // EF.CardSecurity
          '0C2241A4 0C860000', // Chip Authentication (PACE keys)
          '0CA4040C 0C2241A4 0C860000 8C208000 0CB08400', // CA keys: SELECT, RI, VERIFY (CLA 8C), READ
        ].join(' '),
      ),
    );
  });

  it('negative verifications are false, not errors', async () => {
    const card = VirtualCard.fromJson(w.cardJson);
    const r = await runLocalEac(card, {
      ...base(),
      auxData: auxiliaryDataFor({ minimumAge: 150, municipality: '64000' })!,
      readDgs: [],
      verify: ['age', 'place'],
    });
    expect(r.verifications).toEqual({ age: false, place: false });
  });

  it('VERIFY without committed auxiliary data is verification-failed', async () => {
    const card = VirtualCard.fromJson(w.cardJson);
    const e = await eacError(() => runLocalEac(card, { ...base(), readDgs: [], verify: ['validity'] }));
    expect(e.code).toBe('verification-failed');
  });

  it('a response MAC changed in transit is bad-mac', async () => {
    const inner = VirtualCard.fromJson(w.cardJson);
    let n = 0;
    const card = {
      transmit: async (a: Buffer) => {
        const r = await inner.transmit(a);
        // corrupt the MAC of the first response under the CA keys (SELECT eID application)
        if (a[0] === 0x0c && a[1] === 0xa4 && n++ === 0) r[r.length - 3]! ^= 1;
        return r;
      },
    };
    const e = await eacError(() => runLocalEac(card, { ...base(), readDgs: [4] }));
    expect(e.code).toBe('bad-mac');
  });

  it('a data group outside the effective CHAT is access-denied, the others are read', async () => {
    const card = VirtualCard.fromJson(w.cardJson);
    const r = await runLocalEac(card, {
      pin: '123456',
      cvcaChain: [w.dv.cert, w.terminal.cert],
      terminalKey: w.terminal.key.privateKey,
      terminalHash: w.terminal.cert.hash,
      requiredChat: chatFor(['chineseName'], []),
      readDgs: [4, 14],
    });
    expect(r.dataGroupResults.get(4)).toMatchObject({ status: 'ok' });
    expect(r.dataGroupResults.get(14)).toEqual({ dg: 14, status: 'access-denied', sw: 0x6982 });
  });

  it('a wrong PIN is wrong-password with the tries left', async () => {
    const card = VirtualCard.fromJson(w.cardJson);
    const cardAccess = await readCardAccess(card);
    const e = await eacError(() =>
      pace(card, { password: '000000', passwordRef: 'pin', cardAccess, chat: w.terminal.cert.chat }),
    );
    expect(e.code).toBe('wrong-password');
    expect(e.retriesLeft).toBe(2);
  });

  it('a terminal signature by another key is refused', async () => {
    const card = VirtualCard.fromJson(w.cardJson);
    const e = await eacError(() =>
      runLocalEac(card, {
        pin: '123456',
        cvcaChain: [w.dv.cert, w.terminal.cert],
        terminalKey: w.dv.key.privateKey,
        terminalHash: w.terminal.cert.hash,
        requiredChat: w.terminal.cert.chat,
        readDgs: [4],
      }),
    );
    expect(e.code).toBe('authentication-failed');
  });
});

describe('PIN states and PIN management against the virtual card (TR-03110-2 §2.2.3, §2.4)', () => {
  const w = makeWorld();

  it('suspend after two wrong PINs, resume with the CAN, then PACE with the PIN inside the CAN channel', async () => {
    const card = VirtualCard.fromJson(w.cardJson);
    const cardAccess = await readCardAccess(card);
    const tryPin = (pin: string) => pace(card, { password: pin, passwordRef: 'pin', cardAccess });
    expect((await eacError(() => tryPin('000000'))).retriesLeft).toBe(2);
    expect((await eacError(() => tryPin('000000'))).code).toBe('password-suspended');
    expect((await eacError(() => tryPin('123456'))).code).toBe('password-suspended');
    const can = await pace(card, { password: '456789', passwordRef: 'can', cardAccess });
    const r = await pace(card, {
      password: '123456',
      passwordRef: 'pin',
      cardAccess,
      channel: new SmChannel(card, can.sm),
    });
    expect(r.idPicc.length).toBe(32);
  });

  it('change the PIN after PACE with the PIN; unblock after PACE with the PUK', async () => {
    const card = VirtualCard.fromJson(w.cardJson);
    const cardAccess = await readCardAccess(card);
    const withPin = await pace(card, { password: '123456', passwordRef: 'pin', cardAccess });
    await setNewPin(new SmChannel(card, withPin.sm), '654321');
    // F.6: a plain APDU inside a session is answered 6987 and ends the session
    expect(
      (await eacError(() => pace(card, { password: '654321', passwordRef: 'pin', cardAccess }))).sw,
    ).toBe(0x6987);
    expect(
      (await eacError(() => pace(card, { password: '123456', passwordRef: 'pin', cardAccess }))).code,
    ).toBe('wrong-password');
    card.reset();
    const withPuk = await pace(card, { password: 'A1B2C3D4', passwordRef: 'puk', cardAccess });
    await unblockPin(new SmChannel(card, withPuk.sm));
    card.reset();
    const again = await pace(card, { password: '654321', passwordRef: 'pin', cardAccess });
    expect(again.retriesLeft).toBeUndefined();
  });
});
