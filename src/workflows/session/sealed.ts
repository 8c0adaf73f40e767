/**
 * Sessions at rest outside the process (Redis) are sealed with AES-256-GCM
 * under a server key; the session id is the additional authenticated data, so
 * a blob cannot be moved to another session. Redis never sees personal data
 * or protocol keys in clear.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export function seal(key: Buffer, id: string, plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(id));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64');
}

export function unseal(key: Buffer, id: string, sealed: string): string {
  const b = Buffer.from(sealed, 'base64');
  if (b.length < 28) throw new Error('sealed session too short');
  const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
  d.setAAD(Buffer.from(id));
  d.setAuthTag(b.subarray(b.length - 16));
  return Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]).toString('utf8');
}
