/**
 * Certification Authority / Holder Reference (TR-03110-3 A.6.1 and C.1.2):
 * ISO 3166-1 alpha-2 country code, a holder mnemonic of up to 9 characters and
 * a 5-character sequence number, all ISO 8859-1. New eID references use the
 * country code TW (docs/chip-profile.md §CV certificates).
 */
import { CvcError } from './errors.js';

export interface HolderReference {
  readonly country: string;
  readonly mnemonic: string;
  readonly sequence: string;
}

const RE = /^([A-Z]{2})([\x20-\x7e]{0,9})([A-Z0-9]{5})$/;

export function parseHolderReference(s: string): HolderReference {
  const m = RE.exec(s);
  if (!m) throw new CvcError('malformed', `invalid holder reference "${s}"`);
  return { country: m[1]!, mnemonic: m[2]!, sequence: m[3]! };
}

export function isHolderReference(s: string): boolean {
  return RE.test(s);
}

/** The next sequence number, keeping the alphabetic prefix of the sequence (e.g. 00001 → 00002). */
export function nextSequence(ref: string): string {
  const r = parseHolderReference(ref);
  const digits = /(\d+)$/.exec(r.sequence)?.[1] ?? '';
  if (!digits) throw new CvcError('malformed', `sequence of ${ref} has no number`);
  const n = (Number(digits) + 1).toString().padStart(digits.length, '0');
  if (n.length > digits.length) throw new CvcError('malformed', `sequence of ${ref} overflows`);
  return `${r.country}${r.mnemonic}${r.sequence.slice(0, 5 - digits.length)}${n}`;
}
