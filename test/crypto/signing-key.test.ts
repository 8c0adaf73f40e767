/**
 * SigningKey on a node:crypto KeyObject: byte for byte what the call sites
 * signed before (RSA PKCS#1 v1.5 is deterministic), and verifiable with
 * node:crypto where the scheme is randomized (ECDSA, RSA-PSS). TA through a
 * SigningKey equals TA with the KeyObject; the plain → DER conversion X.509
 * issuing uses for a token key verifies as DER.
 */
import { constants, createHash, generateKeyPairSync, publicDecrypt, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ecdsaPlainToDer } from '../../src/crypto/ecdsa.js';
import { asSigningKey, digestInfo, isSigningKey, keyObjectSigningKey } from '../../src/crypto/signing-key.js';
import { signTa } from '../../src/eac/ta.js';
import { testRsaKey } from '../support/server.js';

const DATA = Buffer.from('ID_PICC ‖ r_PICC ‖ Comp(PK_PCD) ‖ A_PCD');
const ec = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
const rsa = testRsaKey();

describe('keyObjectSigningKey', () => {
  it('RSA PKCS#1 v1.5: identical bytes to node:crypto sign (the SAML rsa-sha256 and SOAP signatures of before)', () => {
    const k = keyObjectSigningKey(rsa);
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      expect(k.sign({ hash, scheme: 'rsa-pkcs1' }, DATA).equals(sign(hash, DATA, rsa))).toBe(true);
    }
    expect(k.type).toBe('rsa');
  });

  it('the PKCS#1 v1.5 signature covers the DigestInfo of RFC 8017 §9.2', () => {
    const sig = keyObjectSigningKey(rsa).sign({ hash: 'sha384', scheme: 'rsa-pkcs1' }, DATA);
    const recovered = publicDecrypt({ key: rsa, padding: constants.RSA_PKCS1_PADDING }, sig);
    expect(recovered.equals(digestInfo('sha384', createHash('sha384').update(DATA).digest()))).toBe(true);
  });

  it('RSA-PSS: salt as long as the hash, MGF1 with the same hash; verifies with node:crypto', () => {
    const sig = keyObjectSigningKey(rsa).sign({ hash: 'sha256', scheme: 'rsa-pss' }, DATA);
    const opts = { key: rsa, padding: constants.RSA_PKCS1_PSS_PADDING };
    expect(verify('sha256', DATA, { ...opts, saltLength: 32 }, sig)).toBe(true);
    expect(verify('sha256', DATA, { ...opts, saltLength: 20 }, sig)).toBe(false);
  });

  it('ECDSA: plain r ‖ s of the curve size, verifiable as ieee-p1363 and, converted, as DER', () => {
    const k = keyObjectSigningKey(ec.privateKey, 'terminal.key.pem');
    const sig = k.sign({ hash: 'sha256', scheme: 'ecdsa' }, DATA);
    expect(sig.length).toBe(64);
    expect(verify('sha256', DATA, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    expect(verify('sha256', DATA, { key: ec.publicKey, dsaEncoding: 'der' }, ecdsaPlainToDer(sig))).toBe(
      true,
    );
    expect(k.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      ec.publicKey.export({ format: 'der', type: 'spki' }),
    );
  });

  it('refuses a scheme of the other key type, and public keys', () => {
    expect(() => keyObjectSigningKey(rsa).sign({ hash: 'sha256', scheme: 'ecdsa' }, DATA)).toThrow(
      /RSA key; it cannot sign ecdsa/,
    );
    expect(() =>
      keyObjectSigningKey(ec.privateKey).sign({ hash: 'sha256', scheme: 'rsa-pss' }, DATA),
    ).toThrow(/EC key/);
    expect(() => keyObjectSigningKey(ec.publicKey)).toThrow(/not a private key/);
  });

  it('asSigningKey wraps a KeyObject and passes a SigningKey through', () => {
    const k = keyObjectSigningKey(ec.privateKey);
    expect(asSigningKey(k)).toBe(k);
    expect(isSigningKey(asSigningKey(ec.privateKey))).toBe(true);
    expect(isSigningKey(ec.privateKey)).toBe(false);
  });
});

describe('signTa with a SigningKey', () => {
  it('is the TR-03110-3 A.7.4.1 plain signature the KeyObject path makes', () => {
    const viaKey = signTa(ec.privateKey, 'sha256', DATA);
    const viaSigning = signTa(keyObjectSigningKey(ec.privateKey), 'sha256', DATA);
    for (const sig of [viaKey, viaSigning]) {
      expect(sig.length).toBe(64);
      expect(verify('sha256', DATA, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    }
  });
});

describe('ecdsaPlainToDer', () => {
  it('encodes minimal positive INTEGERs (leading zeros dropped, 00 before a high bit)', () => {
    const plain = Buffer.concat([
      Buffer.alloc(31),
      Buffer.from([0x80]),
      Buffer.from([0x00, 0x01]),
      Buffer.alloc(30, 0x11),
    ]);
    const der = ecdsaPlainToDer(plain);
    expect(der.subarray(0, 8).toString('hex')).toBe('302502020080021f');
    expect(der.length).toBe(2 + 0x25);
    expect(() => ecdsaPlainToDer(Buffer.alloc(63))).toThrow(/two halves/);
  });
});
