/**
 * JSON encoding of sessions for stores: Buffers (photos, keys, PSKs) become
 * {"$b": base64}. Used by the Redis store; the memory store keeps objects.
 */
import type { AuthSession } from './types.js';

export function encodeSession(s: AuthSession): string {
  return JSON.stringify(s, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    if (Buffer.isBuffer(raw)) return { $b: raw.toString('base64') };
    return value;
  });
}

export function decodeSession(json: string): AuthSession {
  return JSON.parse(json, (_key, value) => {
    if (
      value &&
      typeof value === 'object' &&
      typeof value.$b === 'string' &&
      Object.keys(value).length === 1
    ) {
      return Buffer.from(value.$b, 'base64');
    }
    return value;
  }) as AuthSession;
}
