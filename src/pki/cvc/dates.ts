/**
 * CV certificate dates (TR-03110-3 D.2.1.3): six bytes, one unpacked BCD
 * digit each, YYMMDD, years 2000-2099. Dates are compared as YYYYMMDD strings.
 */
import { CvcError } from './errors.js';

export function encodeCvDate(yyyymmdd: string): Buffer {
  if (!/^20\d{6}$/.test(yyyymmdd))
    throw new CvcError('malformed', `CV certificate date must be 20YYMMDD, got ${yyyymmdd}`);
  return Buffer.from(yyyymmdd.slice(2).split('').map(Number));
}

export function decodeCvDate(b: Uint8Array): string {
  if (b.length !== 6 || b.some((d) => d > 9))
    throw new CvcError('malformed', 'CV certificate date is not 6 unpacked BCD digits');
  const s = `20${Array.from(b).join('')}`;
  const mo = Number(s.slice(4, 6));
  const d = Number(s.slice(6, 8));
  if (mo < 1 || mo > 12 || d < 1 || d > 31)
    throw new CvcError('malformed', `invalid CV certificate date ${s}`);
  return s;
}

/** Today's (or `at`'s) UTC date as YYYYMMDD. */
export function dateString(at: Date = new Date()): string {
  return at.toISOString().slice(0, 10).replace(/-/g, '');
}

export function addDays(yyyymmdd: string, days: number): string {
  const d = new Date(
    Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8))),
  );
  d.setUTCDate(d.getUTCDate() + days);
  return dateString(d);
}

/** A CV certificate is valid through its expiration date (TR-03110-3 §2.5): until the end of that day, UTC. */
export function validUntil(yyyymmdd: string): Date {
  return new Date(
    Date.UTC(
      Number(yyyymmdd.slice(0, 4)),
      Number(yyyymmdd.slice(4, 6)) - 1,
      Number(yyyymmdd.slice(6, 8)) + 1,
    ),
  );
}
