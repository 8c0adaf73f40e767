/**
 * The household area code (戶籍地區) and its chip encoding, DG18
 * "Municipality ID" of TR-03110-4. The code is 14 digits: county (縣市) 5,
 * township (鄉鎮市區) 3, village (村里) 3, neighbourhood (鄰) 3. On the chip it
 * is packed BCD behind the country prefix 0158 (ISO 3166-1 numeric of Taiwan,
 * as German cards prefix 0276), each level padded on the left to an even
 * number of digits so that every level ends on a byte boundary:
 *
 *   0158 | 0CCCCC | 0TTT | 0VVV | 0NNN   → 11 bytes
 *
 * Place verification (TR-03110-3 A.7.5.4) compares the leftmost bytes, so a
 * request for a county, township, village or neighbourhood is a 5-, 7-, 9- or
 * 11-byte prefix.
 */
import { TlvError } from '../tlv/errors.js';

export const COUNTRY_PREFIX = '0158';
export type AreaLevel = 'county' | 'township' | 'village' | 'neighbourhood';
const LEVEL_DIGITS: Record<AreaLevel, number> = { county: 5, township: 8, village: 11, neighbourhood: 14 };

/** Accepts "63000010001007" or "63000-010-001-007". */
export function normalizeAreaCode(code: string): string {
  const digits = code.replace(/-/g, '');
  if (!/^\d+$/.test(digits) || !Object.values(LEVEL_DIGITS).includes(digits.length)) {
    throw new TlvError(
      'invalid-length',
      'household area code must be 5, 8, 11 or 14 digits (county/township/village/neighbourhood)',
    );
  }
  return digits;
}

export function levelOf(code: string): AreaLevel {
  const len = normalizeAreaCode(code).length;
  return (Object.keys(LEVEL_DIGITS) as AreaLevel[]).find((l) => LEVEL_DIGITS[l] === len)!;
}

/** BCD bytes of a full code or of a prefix (for place verification). */
export function encodeAreaCode(code: string): Buffer {
  const d = normalizeAreaCode(code);
  const parts = [d.slice(0, 5), d.slice(5, 8), d.slice(8, 11), d.slice(11, 14)].filter((p) => p.length > 0);
  const padded = COUNTRY_PREFIX + parts.map((p) => p.padStart(p.length + (p.length % 2), '0')).join('');
  return Buffer.from(padded, 'hex');
}

export function decodeAreaCode(bcd: Uint8Array): string {
  const hex = Buffer.from(bcd).toString('hex');
  if (bcd.length !== 11 || !/^\d+$/.test(hex) || !hex.startsWith(COUNTRY_PREFIX)) {
    throw new TlvError('invalid-length', 'not a New eID household area code');
  }
  const body = hex.slice(4);
  const county = body.slice(0, 6);
  const township = body.slice(6, 10);
  const village = body.slice(10, 14);
  const nbh = body.slice(14, 18);
  if (county[0] !== '0' || township[0] !== '0' || village[0] !== '0' || nbh[0] !== '0') {
    throw new TlvError('invalid-length', 'household area code padding is not zero');
  }
  return county.slice(1) + township.slice(1) + village.slice(1) + nbh.slice(1);
}

/** Display form: 63000-010-001-007. */
export function formatAreaCode(code: string): string {
  const d = normalizeAreaCode(code);
  return [d.slice(0, 5), d.slice(5, 8), d.slice(8, 11), d.slice(11, 14)].filter(Boolean).join('-');
}

/**
 * The area code of a place-verification prefix (the leftmost 5, 7, 9 or 11
 * bytes of an encoded code, A.7.5.4): county, township, village or
 * neighbourhood. Undefined when it is not such a prefix.
 */
export function decodeAreaPrefix(prefix: Uint8Array): string | undefined {
  const hex = Buffer.from(prefix).toString('hex');
  if (!/^\d+$/.test(hex) || !hex.startsWith(COUNTRY_PREFIX)) return undefined;
  const body = hex.slice(4);
  const levels = [6, 4, 4, 4];
  const parts: string[] = [];
  let at = 0;
  for (const width of levels) {
    if (at === body.length) break;
    const part = body.slice(at, at + width);
    if (part.length !== width || part[0] !== '0') return undefined;
    parts.push(part.slice(1));
    at += width;
  }
  return parts.length && at === body.length ? parts.join('') : undefined;
}
