import { describe, expect, it } from 'vitest';
import { aesCmac, pad, unpad } from '../../src/crypto/symmetric.js';

// RFC 4493 §4 test vectors (AES-128).
const K = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
const M = Buffer.from(
  '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  'hex',
);
const vectors: Array<[number, string]> = [
  [0, 'bb1d6929e95937287fa37d129b756746'],
  [16, '070a16b46b4d4144f79bdd9dd04a287c'],
  [40, 'dfa66747de9ae63030ca32611497c827'],
  [64, '51f0bebf7e3b9d92fc49741779363cfe'],
];

describe('AES-CMAC', () => {
  it.each(vectors)('RFC 4493 example with %i bytes', (len, mac) => {
    expect(aesCmac(K, M.subarray(0, len)).toString('hex')).toBe(mac);
  });

  it('ISO 9797-1 method 2 padding round-trips and rejects bad padding', () => {
    expect(pad(Buffer.alloc(0)).toString('hex')).toBe(`80${'00'.repeat(15)}`);
    expect(pad(Buffer.alloc(16)).length).toBe(32);
    expect(unpad(pad(Buffer.from('abc')))).toEqual(Buffer.from('abc'));
    expect(() => unpad(Buffer.alloc(16))).toThrow(/padding/);
    expect(() => unpad(Buffer.from(`01${'00'.repeat(15)}`, 'hex'))).toThrow(/padding/);
  });
});
