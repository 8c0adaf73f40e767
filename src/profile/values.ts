/** Typed field values and their validation (the rules a personalisation must satisfy). */
import { isCode, MARITAL_STATUS, MILITARY_SERVICE } from './codes.js';
import type { FieldId } from './fields.js';
import { normalizeAreaCode } from './household-area.js';

/** TR-03110-4 Place, used for the household address (structuredPlace). */
export interface Address {
  /** County / city (縣市), Place.state. */
  readonly state: string;
  /** Township / district (鄉鎮市區), Place.city. */
  readonly city: string;
  /** Village, neighbourhood, street and number (村里鄰 + 街路門牌), Place.street. */
  readonly street: string;
  /** ICAO country code, "TWN". */
  readonly country: string;
  readonly zipcode?: string;
}

export type Sex = 'M' | 'F' | 'X';

export interface FieldValueMap {
  householdArea: string;
  chineseName: string;
  romanizedName: string;
  nationalIdNumber: string;
  cardNumber: string;
  dateOfBirth: string;
  maritalStatus: string;
  militaryService: string;
  issueDate: string;
  renewalDueDate: string;
  householdAddress: Address;
  placeOfBirth: string;
  sex: Sex;
  spouseName: string;
  photo: Buffer;
  fatherName: string;
  motherName: string;
  can: string;
}

export type FieldValue = FieldValueMap[FieldId];
/** The fields of one card or one authentication result; absent fields are not on the chip / not released. */
export type FieldValues = { -readonly [K in FieldId]?: FieldValueMap[K] };

export class FieldValueError extends Error {
  override readonly name = 'FieldValueError';
  constructor(
    readonly field: FieldId,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The full address as one line, as printed on the card. */
export function formatAddress(a: Address): string {
  return `${a.state}${a.city}${a.street}`;
}

export function isValidDate(s: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

const ID_LETTER = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
/** Taiwan national ID number (統一編號) of a citizen: letter, 1 or 2, 7 digits, check digit. */
export function isValidNationalId(id: string): boolean {
  if (!/^[A-Z][12]\d{8}$/.test(id)) return false;
  const n = ID_LETTER.indexOf(id[0]!) + 10;
  const digits = id.slice(1).split('').map(Number);
  let sum = Math.floor(n / 10) + (n % 10) * 9;
  for (let i = 0; i < 8; i++) sum += digits[i]! * (8 - i);
  sum += digits[8]!;
  return sum % 10 === 0;
}

/** Computes the check digit for the first nine characters of a national ID. */
export function nationalIdCheckDigit(prefix9: string): string {
  for (let c = 0; c <= 9; c++) if (isValidNationalId(prefix9 + c)) return String(c);
  throw new RangeError('no check digit');
}

const isJpeg = (b: Buffer) =>
  b.length > 4 &&
  b[0] === 0xff &&
  b[1] === 0xd8 &&
  b[2] === 0xff &&
  b[b.length - 2] === 0xff &&
  b[b.length - 1] === 0xd9;
/** Length in Unicode code points: a name of rare CJK Extension-B characters counts each once. */
const codePoints = (s: string) => [...s].length;
const text = (s: unknown, max: number) =>
  typeof s === 'string' &&
  codePoints(s) > 0 &&
  codePoints(s) <= max &&
  !/[\u0000-\u001f]/.test(s) &&
  s.isWellFormed();
/** DG14 must stay addressable by READ BINARY with a 15-bit offset (ISO 7816-4): at most 32 KiB with its header. */
export const MAX_PHOTO_BYTES = 32_000;

/** Throws FieldValueError unless `value` is a valid value of `id`. */
export function validateFieldValue(id: FieldId, value: unknown): void {
  const fail = (msg: string): never => {
    throw new FieldValueError(id, msg);
  };
  switch (id) {
    case 'householdArea':
      if (typeof value !== 'string') fail('expected a string');
      try {
        if (normalizeAreaCode(value as string).length !== 14) fail('a card carries the full 14-digit code');
      } catch (e) {
        if (e instanceof FieldValueError) throw e;
        fail('not a household area code');
      }
      return;
    case 'chineseName':
    case 'spouseName':
    case 'fatherName':
    case 'motherName':
    case 'placeOfBirth':
      if (!text(value, 100)) fail('expected 1-100 characters of text');
      return;
    case 'romanizedName':
      if (!text(value, 100)) fail('expected 1-100 characters of text');
      return;
    case 'nationalIdNumber':
      if (typeof value !== 'string' || !isValidNationalId(value)) fail('not a valid national ID number');
      return;
    case 'cardNumber':
      if (typeof value !== 'string' || !/^[A-Z0-9]{9,12}$/.test(value))
        fail('expected 9-12 capital letters or digits');
      return;
    case 'dateOfBirth':
    case 'issueDate':
    case 'renewalDueDate':
      if (typeof value !== 'string' || !isValidDate(value)) fail('expected a date YYYYMMDD');
      return;
    case 'maritalStatus':
      if (typeof value !== 'string' || !isCode(MARITAL_STATUS, value)) fail('unknown marital status code');
      return;
    case 'militaryService':
      if (typeof value !== 'string' || !isCode(MILITARY_SERVICE, value))
        fail('unknown military service code');
      return;
    case 'householdAddress': {
      const a = value as Address;
      if (
        typeof a !== 'object' ||
        a === null ||
        !text(a.state, 20) ||
        !text(a.city, 20) ||
        !text(a.street, 100)
      ) {
        fail('expected {state, city, street, country}');
      }
      if (!/^[A-Z]{3}$|^[A-Z]$/.test(a.country)) fail('country must be an ICAO code');
      if (a.zipcode !== undefined && !/^[0-9A-Z-]{1,10}$/.test(a.zipcode)) fail('bad zipcode');
      return;
    }
    case 'sex':
      if (value !== 'M' && value !== 'F' && value !== 'X') fail('expected M, F or X');
      return;
    case 'photo':
      if (!Buffer.isBuffer(value) || !isJpeg(value)) fail('expected a JPEG image');
      if ((value as Buffer).length > MAX_PHOTO_BYTES)
        fail(`a photo may have at most ${MAX_PHOTO_BYTES} bytes`);
      return;
    case 'can':
      if (typeof value !== 'string' || !/^\d{6}$/.test(value)) fail('expected 6 digits');
      return;
  }
}
