/**
 * AES-256-GCM sealing of data at rest outside the process (sessions in Redis,
 * private keys in the registry database): a fresh 96-bit IV per message, the
 * 128-bit tag appended, and associated data that binds the blob to its place
 * (a session id, a terminal's CHR), so it cannot be moved to another record.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** iv (12) ‖ ciphertext ‖ tag (16). */
export function sealBytes(key: Buffer, aad: string, plaintext: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]);
}

/** Throws when the tag does not verify (wrong key, wrong associated data, altered blob). */
export function unsealBytes(key: Buffer, aad: string, sealed: Buffer): Buffer {
  if (sealed.length < 28) throw new Error('sealed data too short');
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
}
