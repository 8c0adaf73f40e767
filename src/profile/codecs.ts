/**
 * DER encodings of the data groups (TR-03110-4 §2.2.3.1, with the Taiwanese
 * fields of fields.ts). Every data group is [APPLICATION dg] around one value:
 *
 *   utf8 / printable / date / code:  6n L { 0C | 13 | 12 L value }
 *   placeOfBirth (GeneralPlace):     69 L { A1 L { 0C L text } }     freetextPlace
 *   sex (ICAOSex):                   6B L { 13 01 'M'|'F'|' ' }      X is stored as ' '
 *   householdAddress (Place):        71 L { 30 L { AA{0C street} AB{0C city} AC{0C state} AD{13 country} [AE{13 zip}] } }
 *   householdArea (MunicipalityID):  72 L { 04 0B BCD }              see household-area.ts
 *   photo:                           6E L { 04 L JPEG }
 */
import { decodeUtf8Strict, printable, TAG, utf8 } from '../asn1/der.js';
import { TlvError } from '../tlv/errors.js';
import { childrenOf, findTlv, parseTlv, requireTlv, type Tlv, tlv, validateTree } from '../tlv/tlv.js';
import { type FieldDef, type FieldId, fieldByDg, fieldDef, tagOfDg } from './fields.js';
import { decodeAreaCode, encodeAreaCode } from './household-area.js';
import type { Address, FieldValue, FieldValueMap, FieldValues } from './values.js';
import { validateFieldValue } from './values.js';

const ascii = (t: number, s: string) => tlv(t, Buffer.from(s, 'latin1'));

function encodeInner(def: FieldDef, value: FieldValue): Buffer {
  switch (def.encoding) {
    case 'utf8':
      return utf8(value as string);
    case 'printable':
      return printable(value as string);
    case 'date':
    case 'code':
      return ascii(TAG.NUMERIC_STRING, value as string);
    case 'sex':
      return printable(value === 'X' ? ' ' : (value as string));
    case 'place':
      return tlv(0xa1, utf8(value as string));
    case 'address': {
      const a = value as Address;
      return tlv(TAG.SEQUENCE, [
        tlv(0xaa, utf8(a.street)),
        tlv(0xab, utf8(a.city)),
        tlv(0xac, utf8(a.state)),
        tlv(0xad, printable(a.country)),
        ...(a.zipcode ? [tlv(0xae, printable(a.zipcode))] : []),
      ]);
    }
    case 'municipality':
      return tlv(TAG.OCTET_STRING, encodeAreaCode(value as string));
    case 'jpeg':
      return tlv(TAG.OCTET_STRING, value as Buffer);
  }
}

/** DER content of the data group holding `id`. Validates the value first. */
export function encodeField<K extends FieldId>(id: K, value: FieldValueMap[K]): Buffer {
  validateFieldValue(id, value);
  const def = fieldDef(id);
  return tlv(tagOfDg(def.dg), encodeInner(def, value));
}

function str(t: Tlv, tag: number, what: string): string {
  if (t.tag !== tag) throw new TlvError('unexpected-tag', `${what}: unexpected type 0x${t.tag.toString(16)}`);
  return tag === TAG.UTF8_STRING ? decodeUtf8Strict(t.value, what) : t.value.toString('latin1');
}

function single(outer: Tlv, what: string): Tlv {
  const kids = childrenOf(outer);
  if (kids.length !== 1) throw new TlvError('unexpected-tag', `${what}: expected one element`);
  return kids[0]!;
}

function decodeInner(def: FieldDef, outer: Tlv): FieldValue {
  const what = `DG${def.dg} (${def.id})`;
  const inner = single(outer, what);
  switch (def.encoding) {
    case 'utf8':
      return str(inner, TAG.UTF8_STRING, what);
    case 'printable':
      return str(inner, TAG.PRINTABLE_STRING, what);
    case 'date':
    case 'code':
      return str(inner, TAG.NUMERIC_STRING, what);
    case 'sex': {
      const s = str(inner, TAG.PRINTABLE_STRING, what);
      return s === ' ' ? 'X' : s;
    }
    case 'place':
      if (inner.tag !== 0xa1) throw new TlvError('unexpected-tag', `${what}: only freetextPlace is used`);
      return str(single(inner, what), TAG.UTF8_STRING, what);
    case 'address': {
      if (inner.tag !== TAG.SEQUENCE)
        throw new TlvError('unexpected-tag', `${what}: expected structuredPlace`);
      const kids = childrenOf(inner);
      const get = (tag: number, name: string, t: number) =>
        str(single(requireTlv(kids, tag, `${what} ${name}`), what), t, what);
      const zip = findTlv(kids, 0xae);
      return {
        street: get(0xaa, 'street', TAG.UTF8_STRING),
        city: get(0xab, 'city', TAG.UTF8_STRING),
        state: get(0xac, 'state', TAG.UTF8_STRING),
        country: get(0xad, 'country', TAG.PRINTABLE_STRING),
        ...(zip ? { zipcode: str(single(zip, what), TAG.PRINTABLE_STRING, what) } : {}),
      };
    }
    case 'municipality':
      if (inner.tag !== TAG.OCTET_STRING)
        throw new TlvError('unexpected-tag', `${what}: expected OCTET STRING`);
      return decodeAreaCode(inner.value);
    case 'jpeg':
      if (inner.tag !== TAG.OCTET_STRING)
        throw new TlvError('unexpected-tag', `${what}: expected OCTET STRING`);
      return Buffer.from(inner.value);
  }
}

/**
 * Decodes the content of data group `dg` into its field and value. Every
 * decoding failure is a TlvError or a FieldValueError naming the field.
 */
export function decodeDataGroup(dg: number, bytes: Buffer): { id: FieldId; value: FieldValue } {
  const def = fieldByDg(dg);
  if (!def) throw new TlvError('unexpected-tag', `DG${dg} is not part of the New eID profile`);
  validateTree(bytes, 4);
  const outer = parseTlv(bytes);
  if (outer.tag !== tagOfDg(dg)) {
    throw new TlvError(
      'unexpected-tag',
      `DG${dg}: expected tag 0x${tagOfDg(dg).toString(16)}, got 0x${outer.tag.toString(16)}`,
    );
  }
  const value = decodeInner(def, outer);
  validateFieldValue(def.id, value);
  return { id: def.id, value };
}

/**
 * An empty data group: the file exists but holds no value — [APPLICATION dg]
 * with no content, or around one element of length 0 (e.g. `6D 00`,
 * `6D 02 0C 00`). TR-03130-4 card EIDCARD_3 has such files; the server
 * reports the field as NOTONCHIP, like a missing file (docs/chip-profile.md §3).
 */
export function isEmptyDataGroup(dg: number, bytes: Buffer): boolean {
  try {
    const outer = parseTlv(bytes);
    if (outer.tag !== tagOfDg(dg)) return false;
    if (outer.value.length === 0) return true;
    const kids = childrenOf(outer);
    return kids.length === 1 && kids[0]!.value.length === 0;
  } catch {
    return false; // malformed: not "empty", and decodeDataGroup says why
  }
}

/** The content of an empty data group for `id` (personalisation of test cards). */
export const emptyDataGroup = (id: FieldId): Buffer => tlv(tagOfDg(fieldDef(id).dg), Buffer.alloc(0));

/** All data groups of a card, keyed by DG number. */
export function encodeDataGroups(values: FieldValues): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const [id, value] of Object.entries(values) as [FieldId, FieldValue][]) {
    if (value === undefined) continue;
    out.set(fieldDef(id).dg, encodeField(id, value as never));
  }
  return out;
}
