/**
 * Sessions at rest outside the process (Redis) are sealed with AES-256-GCM
 * under a server key; the session id is the additional authenticated data, so
 * a blob cannot be moved to another session. Redis never sees personal data
 * or protocol keys in clear.
 */
import { sealBytes, unsealBytes } from '../../crypto/aead.js';

export function seal(key: Buffer, id: string, plaintext: string): string {
  return sealBytes(key, id, Buffer.from(plaintext, 'utf8')).toString('base64');
}

export function unseal(key: Buffer, id: string, sealed: string): string {
  const b = Buffer.from(sealed, 'base64');
  if (b.length < 28) throw new Error('sealed session too short');
  return unsealBytes(key, id, b).toString('utf8');
}
