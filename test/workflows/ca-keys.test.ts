import { execFileSync } from 'node:child_process';
import { diffieHellman, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storeCaKey, takeCaKey } from '../../src/workflows/eac-server/ca-keys.js';

const curves = ['brainpoolP256r1', 'brainpoolP384r1', 'brainpoolP512r1', 'prime256v1'];
const peer = (curve: string) => generateKeyPairSync('ec', { namedCurve: curve }).publicKey;
const agree = (
  privateKey: Parameters<typeof diffieHellman>[0]['privateKey'],
  publicKey: ReturnType<typeof peer>,
) => diffieHellman({ privateKey, publicKey }).toString('hex');

describe('ephemeral Chip Authentication keys between EAC1 and EAC2', () => {
  it.each(curves)('%s: the session holds SEC1 DER that OpenSSL reads as the same key', (curve) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const der = storeCaKey(privateKey);
    // Independent reader: the openssl CLI parses the DER as an EC private key (SEC1, "EC PRIVATE KEY").
    const text = execFileSync('openssl', ['ec', '-inform', 'DER', '-noout', '-text'], {
      input: der,
      stdio: ['pipe', 'pipe', 'ignore'],
    }).toString();
    expect(text).toContain(curve === 'prime256v1' ? 'prime256v1' : curve);
    const other = peer(curve);
    expect(agree(takeCaKey(der), other)).toBe(agree(privateKey, other));
  });

  it('the worker that made the key hands out the same KeyObject once, then imports like any other worker', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
    const der = storeCaKey(privateKey);
    expect(takeCaKey(der)).toBe(privateKey);
    const again = takeCaKey(der);
    expect(again).not.toBe(privateKey);
    expect(again.equals(privateKey)).toBe(true);
  });

  it('a kept key past its time is imported from the session bytes', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
    const der = storeCaKey(privateKey, 0);
    const key = takeCaKey(der, 10 * 60_000);
    expect(key).not.toBe(privateKey);
    expect(key.equals(privateKey)).toBe(true);
  });

  it('sessions written with PKCS#8 (before SEC1) are still read', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'brainpoolP384r1' });
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(takeCaKey(pkcs8).equals(privateKey)).toBe(true);
  });

  it('bytes that are no key are refused', () => {
    expect(() => takeCaKey(Buffer.from('300302' + '0100', 'hex'))).toThrow();
    expect(() => takeCaKey(Buffer.alloc(0))).toThrow();
  });
});
