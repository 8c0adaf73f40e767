/** Shared readers, writers and error mapping for the SecurityInfo codecs. */

import { integer, readSmallInteger, TAG } from '../../asn1/der.js';
import { CryptoError } from '../../crypto/errors.js';
import { TlvError } from '../../tlv/errors.js';
import { type Tlv, tlv } from '../../tlv/tlv.js';
import { SecurityInfoError } from './errors.js';

export function malformed(message: string): never {
  throw new SecurityInfoError('malformed', message);
}

/** Runs a decoder and maps every failure to a SecurityInfoError. */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SecurityInfoError) throw e;
    if (e instanceof CryptoError && e.code === 'unsupported-curve') {
      throw new SecurityInfoError('unsupported', `${what}: ${e.message}`);
    }
    if (e instanceof TlvError || e instanceof CryptoError)
      throw new SecurityInfoError('malformed', `${what}: ${e.message}`);
    throw new SecurityInfoError('malformed', `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A non-negative INTEGER that must be present. */
export function readInt(t: Tlv | undefined, what: string): number {
  if (!t) malformed(`${what} is missing`);
  return readSmallInteger(t, what);
}

/** BOOLEAN (X.690 §8.2: any non-zero octet is TRUE). */
export function readBoolean(t: Tlv | undefined, what: string): boolean {
  if (!t) malformed(`${what} is missing`);
  if (t.tag !== TAG.BOOLEAN || t.value.length !== 1) malformed(`${what}: not a BOOLEAN`);
  return t.value[0] !== 0;
}

/** DER BOOLEAN: TRUE is 0xFF (X.690 §11.1). */
export function boolean(v: boolean): Buffer {
  return tlv(TAG.BOOLEAN, Buffer.from([v ? 0xff : 0x00]));
}

/** INTEGER from a value the caller supplied; rejects what is not a non-negative safe integer. */
export function int(n: number, what: string): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) malformed(`${what} must be a non-negative integer, got ${n}`);
  return integer(n);
}

/** Optional trailing INTEGER (keyId, parameterId, …). */
export function optInt(n: number | undefined, what: string): Buffer[] {
  return n === undefined ? [] : [int(n, what)];
}

/** Checks that a SEQUENCE has between `min` and `max` elements. */
export function arity(kids: readonly Tlv[], min: number, max: number, what: string): void {
  if (kids.length < min || kids.length > max) malformed(`${what} has ${kids.length} elements`);
}
