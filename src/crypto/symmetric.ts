/**
 * AES primitives for PACE, Chip Authentication and secure messaging
 * (TR-03110-3 A.2.3, F.2): AES-CBC without padding, ISO/IEC 9797-1 padding
 * method 2, and AES-CMAC (RFC 4493 / NIST SP 800-38B).
 */
import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';
import { CryptoError } from './errors.js';

const BLOCK = 16;

function aesAlgo(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  if (![16, 24, 32].includes(key.length))
    throw new CryptoError('invalid-key', `AES key of ${key.length} bytes`);
  return `aes-${key.length * 8}-${mode}`;
}

/** AES-CBC over whole blocks, no padding. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  if (data.length % BLOCK)
    throw new CryptoError('invalid-input', 'CBC input is not a whole number of blocks');
  const c = createCipheriv(aesAlgo(key, 'cbc'), key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  if (data.length === 0 || data.length % BLOCK)
    throw new CryptoError('invalid-input', 'CBC input is not a whole number of blocks');
  const d = createDecipheriv(aesAlgo(key, 'cbc'), key, iv);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

/** One-block AES encryption (for the secure-messaging IV = E(KSenc, SSC)). */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv(aesAlgo(key, 'ecb'), key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** ISO/IEC 9797-1 padding method 2: 0x80 then zeros to a block boundary. */
export function pad(data: Uint8Array): Buffer {
  const n = BLOCK - (data.length % BLOCK);
  const out = Buffer.alloc(data.length + n);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

export function unpad(data: Uint8Array): Buffer {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80 || data.length - i > BLOCK)
    throw new CryptoError('bad-padding', 'invalid ISO 9797-1 padding');
  return Buffer.from(data.subarray(0, i));
}

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i++) out[i] = ((b[i]! << 1) | (i + 1 < b.length ? b[i + 1]! >> 7 : 0)) & 0xff;
  return out;
}

/** RFC 4493 §2.3 subkey generation. */
function subkeys(key: Uint8Array): [Buffer, Buffer] {
  const l = aesEncryptBlock(key, Buffer.alloc(BLOCK));
  const k1 = shiftLeft(l);
  if (l[0]! & 0x80) k1[BLOCK - 1]! ^= 0x87;
  const k2 = shiftLeft(k1);
  if (k1[0]! & 0x80) k2[BLOCK - 1]! ^= 0x87;
  return [k1, k2];
}

/** AES-CMAC (RFC 4493 §2.4), full 16-byte tag. */
export function aesCmac(key: Uint8Array, message: Uint8Array): Buffer {
  const [k1, k2] = subkeys(key);
  const n = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = Buffer.alloc(BLOCK);
  const tail = message.subarray((n - 1) * BLOCK);
  if (complete) {
    for (let i = 0; i < BLOCK; i++) last[i] = tail[i]! ^ k1[i]!;
  } else {
    const padded = Buffer.alloc(BLOCK);
    padded.set(tail);
    padded[tail.length] = 0x80;
    for (let i = 0; i < BLOCK; i++) last[i] = padded[i]! ^ k2[i]!;
  }
  const body = Buffer.concat([message.subarray(0, (n - 1) * BLOCK), last]);
  // CBC-MAC with zero IV: the tag is the last ciphertext block.
  const c = createCipheriv(aesAlgo(key, 'cbc'), key, Buffer.alloc(BLOCK));
  c.setAutoPadding(false);
  const out = Buffer.concat([c.update(body), c.final()]);
  return out.subarray(out.length - BLOCK);
}

/** Constant-time equality for MACs, tokens and secrets; false on length mismatch. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
