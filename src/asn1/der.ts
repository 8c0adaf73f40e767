/**
 * Small DER builders and readers for the universal types used by TR-03110
 * structures (X.690). Higher-level structures live one file each next to this.
 */
import { TlvError } from '../tlv/errors.js';
import { childrenOf, expectTlv, parseTlv, type Tlv, tlv } from '../tlv/tlv.js';
import { decodeOidValue, encodeOidValue } from './oid.js';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export const seq = (...items: Uint8Array[]): Buffer => tlv(TAG.SEQUENCE, items);
export const set = (...items: Uint8Array[]): Buffer => tlv(TAG.SET, items);
export const octets = (v: Uint8Array): Buffer => tlv(TAG.OCTET_STRING, v);
export const oid = (dotted: string): Buffer => tlv(TAG.OID, encodeOidValue(dotted));
export const utf8 = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const printable = (s: string): Buffer => tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
export const ia5 = (s: string): Buffer => tlv(TAG.IA5_STRING, Buffer.from(s, 'latin1'));
export const numeric = (s: string): Buffer => tlv(TAG.NUMERIC_STRING, Buffer.from(s, 'latin1'));
/** Context-specific constructed wrapper [n] EXPLICIT. */
export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);

/** DER INTEGER from a non-negative number or bigint (minimal two's complement). */
export function integer(n: number | bigint): Buffer {
  let v = BigInt(n);
  if (v < 0n) throw new RangeError('negative INTEGER not supported');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

/** Non-negative INTEGER content to number; rejects negatives and values beyond 2^53. */
export function readSmallInteger(t: Tlv, what: string): number {
  if (t.tag !== TAG.INTEGER) throw new TlvError('unexpected-tag', `${what}: not an INTEGER`);
  if (t.value.length === 0 || t.value.length > 7)
    throw new TlvError('invalid-length', `${what}: bad INTEGER size`);
  if (t.value[0]! & 0x80) throw new TlvError('invalid-length', `${what}: negative INTEGER`);
  return t.value.readUIntBE(0, t.value.length);
}

export function readOid(t: Tlv, what: string): string {
  if (t.tag !== TAG.OID) throw new TlvError('unexpected-tag', `${what}: not an OBJECT IDENTIFIER`);
  return decodeOidValue(t.value);
}

export function readString(t: Tlv, what: string, tags: readonly number[]): string {
  if (!tags.includes(t.tag))
    throw new TlvError('unexpected-tag', `${what}: unexpected string type 0x${t.tag.toString(16)}`);
  return t.tag === TAG.UTF8_STRING ? decodeUtf8Strict(t.value, what) : t.value.toString('latin1');
}

// ignoreBOM: a leading U+FEFF is content and must survive, like every other character.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** UTF-8 that must be well formed: a name with a rare character must never turn into U+FFFD. */
export function decodeUtf8Strict(b: Uint8Array, what: string): string {
  try {
    return utf8Decoder.decode(b);
  } catch {
    throw new TlvError('invalid-length', `${what}: malformed UTF-8`);
  }
}

/** The children of a SEQUENCE given as bytes. */
export function sequenceOf(buf: Buffer, what: string): Tlv[] {
  return childrenOf(expectTlv(buf, TAG.SEQUENCE, what));
}

export { childrenOf, parseTlv };
