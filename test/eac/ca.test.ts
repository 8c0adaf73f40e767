/**
 * Chip Authentication version 2: the client's two commands against a
 * scripted response, and the server's key derivation checked against an
 * independent computation of the chip's side (noble-curves scalar
 * multiplication, KDF of TR-03110-3 A.2.3 with the nonce, A.2.4 token).
 */
import { describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.js';
import { curveByName, toBigInt, toFixed } from '../../src/crypto/curves.js';
import { kdf } from '../../src/crypto/kdf.js';
import { generateEcKeyPair, privateScalarOf } from '../../src/crypto/keys.js';
import { authToken } from '../../src/crypto/pace.js';
import { chipAuthenticate, compressPoint, finishChipAuthentication } from '../../src/eac/ca.js';
import { apduHex, codeOf, hex, ok, RecordingChannel, up } from './helpers.js';

const protocol = OID.idCaEcdhAesCbcCmac128;

describe.each(['brainpoolP256r1', 'brainpoolP384r1'] as const)('Chip Authentication on %s', (name) => {
  const curve = curveByName(name);
  const chip = generateEcKeyPair(curve);
  const eph = generateEcKeyPair(curve);
  const nonce = hex('0001020304050607');
  // The chip's side, computed independently: K = x(SK_PICC · PK_PCD)
  const k = toFixed(
    curve.Point.fromBytes(eph.publicPoint).multiply(toBigInt(privateScalarOf(chip.privateKey))).x,
    curve.size,
  );
  const kEnc = kdf(k, 1, 128, nonce);
  const kMac = kdf(k, 2, 128, nonce);
  const token = authToken(kMac, protocol, eph.publicPoint);

  it('client: MSE:Set AT and General Authenticate, response 7C{81 nonce, 82 token}', async () => {
    const ch = new RecordingChannel((_c, i) =>
      i === 0 ? ok() : ok(hex(`7C14 8108${up(nonce)} 8208${up(token)}`)),
    );
    const r = await chipAuthenticate(ch, { protocol, keyId: 41, ephemeralPoint: eph.publicPoint });
    expect(ch.sent.map(apduHex)).toEqual([
      '002241A40F800A04007F00070202030202840129',
      `00860000${(curve.size * 2 + 5).toString(16).toUpperCase()}7C${(curve.size * 2 + 3).toString(16).toUpperCase()}80${(curve.size * 2 + 1).toString(16).toUpperCase()}${up(eph.publicPoint)}00`,
    ]);
    expect(r.nonce).toEqual(nonce);
    expect(r.token).toEqual(token);
  });

  it('server: KSenc = KDF(K, r, 1), KSmac = KDF(K, r, 2), token verified', () => {
    const keys = finishChipAuthentication({
      protocol,
      curve,
      ephemeralPrivate: eph.privateKey,
      chipPublicPoint: chip.publicPoint,
      nonce,
      token,
    });
    expect(keys.enc).toEqual(kEnc);
    expect(keys.mac).toEqual(kMac);
  });

  it('server: a wrong token or nonce is bad-token; a bad chip key is invalid-point', async () => {
    const base = {
      protocol,
      curve,
      ephemeralPrivate: eph.privateKey,
      chipPublicPoint: chip.publicPoint,
      nonce,
      token,
    };
    const wrong = Buffer.from(token);
    wrong[7]! ^= 1;
    expect(await codeOf(() => finishChipAuthentication({ ...base, token: wrong }))).toBe('bad-token');
    expect(await codeOf(() => finishChipAuthentication({ ...base, nonce: hex('0001020304050608') }))).toBe(
      'bad-token',
    );
    const off = Buffer.from(chip.publicPoint);
    off[off.length - 1]! ^= 1;
    expect(await codeOf(() => finishChipAuthentication({ ...base, chipPublicPoint: off }))).toBe(
      'invalid-point',
    );
    expect(
      await codeOf(() => finishChipAuthentication({ ...base, protocol: OID.idPaceEcdhGmAesCbcCmac128 })),
    ).toBe('unsupported-protocol');
  });

  it('Comp(PK_PCD) is the x coordinate', () => {
    expect(compressPoint(curve, eph.publicPoint)).toEqual(eph.publicPoint.subarray(1, 1 + curve.size));
  });
});

describe('Chip Authentication response errors', () => {
  const pt = generateEcKeyPair(curveByName('brainpoolP256r1')).publicPoint;
  it.each([
    ['6300', 'authentication-failed'],
    ['6A80', 'card-error'],
    ['6982', 'access-denied'],
  ])('General Authenticate answered %s → %s', async (sw, code) => {
    const ch = new RecordingChannel((_c, i) =>
      i === 0 ? ok() : { data: Buffer.alloc(0), sw: Number.parseInt(sw, 16) },
    );
    expect(await codeOf(() => chipAuthenticate(ch, { protocol, ephemeralPoint: pt }))).toBe(code);
  });

  it('a 7-byte nonce is malformed', async () => {
    const ch = new RecordingChannel((_c, i) =>
      i === 0 ? ok() : ok(hex('7C13 8107 00010203040506 8208 0000000000000000')),
    );
    expect(await codeOf(() => chipAuthenticate(ch, { protocol, ephemeralPoint: pt }))).toBe(
      'malformed-response',
    );
  });
});
