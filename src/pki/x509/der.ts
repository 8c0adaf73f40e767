/**
 * DER pieces X.509 needs beyond src/asn1/der.ts: BIT STRING, NULL, Time
 * (RFC 5280 §4.1.2.5), signed INTEGERs, implicit context tags, and a guard
 * mapping every decoding failure to X509Error.
 */
import { TAG } from '../../asn1/der.js';
import { CryptoError } from '../../crypto/errors.js';
import { TlvError } from '../../tlv/errors.js';
import { type Tlv, tlv } from '../../tlv/tlv.js';
import { SecurityInfoError } from '../security-infos.js';
import { X509Error } from './errors.js';

export function malformed(message: string): never {
  throw new X509Error('malformed', message);
}

/** Runs a parser and maps every failure to X509Error (code 'malformed' unless already typed). */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof X509Error) throw e;
    if (e instanceof SecurityInfoError && e.code === 'unsupported')
      throw new X509Error('unsupported', `${what}: ${e.message}`);
    if (e instanceof CryptoError && e.code === 'unsupported-curve') {
      throw new X509Error('unsupported', `${what}: ${e.message}`);
    }
    const detail = e instanceof TlvError || e instanceof Error ? e.message : String(e);
    throw new X509Error('malformed', `${what}: ${detail}`);
  }
}

export const bitString = (bytes: Uint8Array, unusedBits = 0): Buffer =>
  tlv(TAG.BIT_STRING, [Buffer.from([unusedBits]), bytes]);
export const nullValue = (): Buffer => Buffer.from([TAG.NULL, 0]);
export const boolTrue = (): Buffer => Buffer.from([TAG.BOOLEAN, 1, 0xff]);
/** [n] IMPLICIT primitive. */
export const implicitPrimitive = (n: number, value: Uint8Array): Buffer => tlv(0x80 | n, value);
/** [n] IMPLICIT constructed (e.g. SET OF re-tagged). */
export const implicitConstructed = (n: number, items: readonly Uint8Array[]): Buffer => tlv(0xa0 | n, items);

/** INTEGER from a bigint of either sign (minimal two's complement). */
export function signedInteger(n: bigint): Buffer {
  const bytes: number[] = [];
  let v = n;
  for (;;) {
    const b = Number(v & 0xffn);
    bytes.unshift(b);
    v >>= 8n;
    if ((v === 0n && (b & 0x80) === 0) || (v === -1n && (b & 0x80) !== 0)) break;
  }
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

/** INTEGER of any size, two's complement. */
export function readBigInteger(t: Tlv | undefined, what: string): bigint {
  if (!t || t.tag !== TAG.INTEGER || t.value.length === 0) malformed(`${what}: not an INTEGER`);
  const v = BigInt(`0x${t.value.toString('hex')}`);
  return t.value[0]! & 0x80 ? v - (1n << BigInt(t.value.length * 8)) : v;
}

/** The canonical text of a serial number: lowercase hex without leading zeros ('-' for negatives). */
export function serialHex(serial: bigint): string {
  return serial < 0n ? `-${(-serial).toString(16)}` : serial.toString(16);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Time: UTCTime for 1950-2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), whole seconds. */
export function time(d: Date): Buffer {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new X509Error('invalid-input', 'invalid date');
  const y = d.getUTCFullYear();
  const rest = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, Buffer.from(`${pad(y % 100)}${rest}`, 'latin1'));
  if (y < 0 || y > 9999) throw new X509Error('invalid-input', `year ${y} cannot be encoded`);
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${pad(y, 4)}${rest}`, 'latin1'));
}

/** Reads UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), the forms RFC 5280 allows. */
export function readTime(t: Tlv | undefined, what: string): Date {
  if (!t) malformed(`${what} is missing`);
  const s = t.value.toString('latin1');
  const utc = t.tag === TAG.UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  const gen = t.tag === TAG.GENERALIZED_TIME ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  const m = utc ?? gen;
  if (!m) malformed(`${what}: not a UTCTime or GeneralizedTime in RFC 5280 form`);
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const year = utc ? (y < 50 ? 2000 + y : 1900 + y) : y;
  const date = new Date(0);
  date.setUTCFullYear(year, mo - 1, d);
  date.setUTCHours(h, mi, se, 0);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    malformed(`${what}: invalid date ${s}`);
  }
  return date;
}
