/**
 * Authenticated auxiliary data A_PCD for Terminal Authentication version 2
 * (TR-03110-3 A.7.5, table 19; data objects of D.2 table 27):
 *
 *   67 Authentication
 *     73 Discretionary Data Template
 *       06 id-DateOfBirth (A.7.5.2)     53 required date of birth, Date
 *     73 …
 *       06 id-DateOfExpiry (A.7.5.3)    53 current date, Date
 *     73 …
 *       06 id-MunicipalityID (A.7.5.4)  53 (leading part of) the municipality ID, OCTET STRING
 *
 * Date is the 8-character NumericString YYYYMMDD of TR-03110-4 (`Date ::=
 * NumericString (SIZE (8))`), carried as its 8 ASCII octets. Age verification
 * succeeds when the stored date of birth is not after the required one, so
 * "at least N years old today" commits to today minus N years. The
 * municipality ID prefix is the BCD of the household area code (profile).
 */
import { oid, readOid } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { dateString } from '../pki/cvc/dates.js';
import { encodeAreaCode } from '../profile/household-area.js';
import { isValidDate } from '../profile/values.js';
import { TlvError } from '../tlv/errors.js';
import { childrenOf, expectTlv, type Tlv, tlv } from '../tlv/tlv.js';
import { EacError } from './errors.js';

export const AUTHENTICATION_TAG = 0x67;
export const DISCRETIONARY_DATA_TEMPLATE_TAG = 0x73;
export const DISCRETIONARY_DATA_TAG = 0x53;

export type AuxiliaryDataItem =
  | { readonly kind: 'age'; readonly requiredDateOfBirth: string }
  | { readonly kind: 'validity'; readonly currentDate: string }
  | { readonly kind: 'municipality'; readonly prefix: Buffer }
  | { readonly kind: 'other'; readonly oid: string; readonly data: Buffer };

/** The auxiliary-data OID of each verification (A.7.5.2–A.7.5.4). */
export const AUX_DATA_OID = {
  age: OID.idDateOfBirth,
  validity: OID.idDateOfExpiry,
  municipality: OID.idMunicipalityId,
} as const;

function checkDate(d: string, what: string): Buffer {
  if (!/^\d{8}$/.test(d) || !isValidDate(d))
    throw new EacError('invalid-argument', `${what} must be a date YYYYMMDD, got ${d}`);
  return Buffer.from(d, 'ascii');
}

function templateOf(item: AuxiliaryDataItem): Buffer {
  let id: string;
  let data: Buffer;
  switch (item.kind) {
    case 'age':
      id = AUX_DATA_OID.age;
      data = checkDate(item.requiredDateOfBirth, 'the required date of birth');
      break;
    case 'validity':
      id = AUX_DATA_OID.validity;
      data = checkDate(item.currentDate, 'the current date');
      break;
    case 'municipality':
      id = AUX_DATA_OID.municipality;
      if (item.prefix.length === 0) throw new EacError('invalid-argument', 'empty municipality ID');
      data = item.prefix;
      break;
    case 'other':
      id = item.oid;
      data = item.data;
      break;
  }
  return tlv(DISCRETIONARY_DATA_TEMPLATE_TAG, [oid(id), tlv(DISCRETIONARY_DATA_TAG, data)]);
}

/** 67 { 73 { 06 OID, 53 data } … } in the order given. */
export function encodeAuxiliaryData(items: readonly AuxiliaryDataItem[]): Buffer {
  if (items.length === 0)
    throw new EacError('invalid-argument', 'authenticated auxiliary data needs at least one template');
  return tlv(AUTHENTICATION_TAG, items.map(templateOf));
}

/** Parses a 67 object (e.g. AuthenticatedAuxiliaryData from EAC1). Unknown OIDs come back as `other`. */
export function decodeAuxiliaryData(buf: Buffer): AuxiliaryDataItem[] {
  try {
    const outer = expectTlv(buf, AUTHENTICATION_TAG, 'authenticated auxiliary data');
    return childrenOf(outer).map((t: Tlv): AuxiliaryDataItem => {
      if (t.tag !== DISCRETIONARY_DATA_TEMPLATE_TAG)
        throw new TlvError('unexpected-tag', 'not a discretionary data template (73)');
      const kids = childrenOf(t);
      if (kids.length !== 2 || kids[1]!.tag !== DISCRETIONARY_DATA_TAG) {
        throw new TlvError('unexpected-tag', 'a template holds 06 OID and 53 data');
      }
      const id = readOid(kids[0]!, 'auxiliary data OID');
      const data = Buffer.from(kids[1]!.value);
      const text = data.toString('ascii');
      if (id === AUX_DATA_OID.age) return { kind: 'age', requiredDateOfBirth: checkDateText(text) };
      if (id === AUX_DATA_OID.validity) return { kind: 'validity', currentDate: checkDateText(text) };
      if (id === AUX_DATA_OID.municipality) return { kind: 'municipality', prefix: data };
      return { kind: 'other', oid: id, data };
    });
  } catch (e) {
    if (e instanceof TlvError)
      throw new EacError('invalid-argument', `authenticated auxiliary data: ${e.message}`);
    throw e;
  }
}

function checkDateText(d: string): string {
  checkDate(d, 'auxiliary data date');
  return d;
}

/**
 * The required date of birth for "at least `minimumAge` years old on `today`":
 * today minus N years; 29 February becomes 28 February in a common year, so
 * someone born on 1 March is not yet of age.
 */
export function requiredDateOfBirth(minimumAge: number, today: string = dateString()): string {
  if (!Number.isInteger(minimumAge) || minimumAge < 0 || minimumAge > 150)
    throw new EacError('invalid-argument', `age ${minimumAge}`);
  checkDate(today, 'today');
  const y = Number(today.slice(0, 4)) - minimumAge;
  let md = today.slice(4);
  if (md === '0229' && !isValidDate(`${String(y).padStart(4, '0')}0229`)) md = '0228';
  return `${String(y).padStart(4, '0')}${md}`;
}

export interface AuxiliaryDataRequest {
  /** Age verification: at least this many years old. */
  readonly minimumAge?: number;
  /** Place verification: household area code (county, township, village or neighbourhood). */
  readonly municipality?: string;
  /** Document validity verification. */
  readonly validity?: boolean;
  /** YYYYMMDD; default: today (UTC). */
  readonly today?: string;
}

/** The 67 object for the requested verifications, or undefined when none is requested. */
export function auxiliaryDataFor(req: AuxiliaryDataRequest): Buffer | undefined {
  const today = req.today ?? dateString();
  const items: AuxiliaryDataItem[] = [];
  if (req.minimumAge !== undefined)
    items.push({ kind: 'age', requiredDateOfBirth: requiredDateOfBirth(req.minimumAge, today) });
  if (req.validity) items.push({ kind: 'validity', currentDate: checkDateText(today) });
  if (req.municipality !== undefined) {
    let prefix: Buffer;
    try {
      prefix = encodeAreaCode(req.municipality);
    } catch (e) {
      if (e instanceof TlvError) throw new EacError('invalid-argument', e.message);
      throw e;
    }
    items.push({ kind: 'municipality', prefix });
  }
  return items.length ? encodeAuxiliaryData(items) : undefined;
}
