/**
 * Key derivation function of TR-03110-3 A.2.3: KDF(K, c) = H(K || c)
 * truncated, with SHA-1 for AES-128 and SHA-256 for AES-192/256
 * (A.2.3.2). c = 1 encryption, 2 MAC, 3 PACE password key.
 */
import { createHash } from 'node:crypto';

export const KDF_ENC = 1;
export const KDF_MAC = 2;
export const KDF_PI = 3;

export function kdf(
  secret: Uint8Array,
  counter: number,
  keyBits: 128 | 192 | 256,
  nonce?: Uint8Array,
): Buffer {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(counter);
  const h = createHash(keyBits === 128 ? 'sha1' : 'sha256');
  h.update(secret);
  if (nonce) h.update(nonce);
  h.update(c);
  return h.digest().subarray(0, keyBits / 8);
}
