import { describe, expect, it } from 'vitest';
import { curveByName, encodePoint, toBigInt } from '../../src/crypto/curves.js';
import { kdf } from '../../src/crypto/kdf.js';
import {
  authToken,
  decryptNonce,
  encryptNonce,
  ephemeralKey,
  keyBitsOfProtocol,
  mapNonce,
  sessionKeys,
  sharedSecret,
} from '../../src/crypto/pace.js';
import v from '../fixtures/icao-9303-p11-g1.json' with { type: 'json' };

const hex = (s: string) => Buffer.from(s, 'hex');
const up = (b: Buffer) => b.toString('hex').toUpperCase();

describe('PACE ECDH-GM reproduces ICAO 9303-11 appendix G.1 byte for byte', () => {
  const curve = curveByName('brainpoolP256r1');
  const bits = keyBitsOfProtocol(v.protocol);

  it('derives Kπ and decrypts the nonce', () => {
    expect(bits).toBe(128);
    expect(up(kdf(hex(v.mrzKeySeed), 3, bits))).toBe(v.kpi);
    expect(up(decryptNonce(hex(v.kpi), hex(v.encryptedNonce)))).toBe(v.nonce);
    expect(up(encryptNonce(hex(v.kpi), hex(v.nonce)))).toBe(v.encryptedNonce);
  });

  it('computes both mapping keys, H and the mapped generator from either side', () => {
    const terminal = ephemeralKey(curve, undefined, toBigInt(hex(v.terminalMappingPrivate)));
    const chip = ephemeralKey(curve, undefined, toBigInt(hex(v.chipMappingPrivate)));
    expect(up(encodePoint(terminal.Q))).toBe(v.terminalMappingPublic);
    expect(up(encodePoint(chip.Q))).toBe(v.chipMappingPublic);
    expect(up(encodePoint(chip.Q.multiply(terminal.d)))).toBe(v.mappingSharedH);
    const gTerminal = mapNonce(curve, hex(v.nonce), terminal, hex(v.chipMappingPublic));
    const gChip = mapNonce(curve, hex(v.nonce), chip, hex(v.terminalMappingPublic));
    expect(up(encodePoint(gTerminal))).toBe(v.mappedGenerator);
    expect(up(encodePoint(gChip))).toBe(v.mappedGenerator);
  });

  it('agrees on the ephemeral keys, shared secret, session keys and tokens', () => {
    const g = curve.Point.fromBytes(hex(v.mappedGenerator));
    const terminal = ephemeralKey(curve, g, toBigInt(hex(v.terminalEphemeralPrivate)));
    const chip = ephemeralKey(curve, g, toBigInt(hex(v.chipEphemeralPrivate)));
    expect(up(encodePoint(terminal.Q))).toBe(v.terminalEphemeralPublic);
    expect(up(encodePoint(chip.Q))).toBe(v.chipEphemeralPublic);
    const k = sharedSecret(curve, terminal.d, hex(v.chipEphemeralPublic));
    expect(up(k)).toBe(v.sharedSecret);
    expect(up(sharedSecret(curve, chip.d, hex(v.terminalEphemeralPublic)))).toBe(v.sharedSecret);
    const keys = sessionKeys(k, bits);
    expect(up(keys.enc)).toBe(v.ksEnc);
    expect(up(keys.mac)).toBe(v.ksMac);
    expect(up(authToken(keys.mac, v.protocol, hex(v.chipEphemeralPublic)))).toBe(v.terminalToken);
    expect(up(authToken(keys.mac, v.protocol, hex(v.terminalEphemeralPublic)))).toBe(v.chipToken);
  });

  it('rejects a peer point that is not on the curve', () => {
    const bad = hex(v.chipMappingPublic);
    bad[40]! ^= 1;
    const terminal = ephemeralKey(curve);
    expect(() => mapNonce(curve, hex(v.nonce), terminal, bad)).toThrow(/not on/);
  });
});
