/**
 * PersonalData of getResultResponse in the Taiwan profile (cf. TR-03130-1
 * §3.3.3 PersonalDataType): one element per released field, in schema order,
 * typed as schemas/neid-eid-tw.xsd declares. DateOfBirth is a
 * GeneralDateType (§3.3.19: the chip's YYYYMMDD plus xs:date), the household
 * address a StructuredPlace and the place of birth a FreetextPlace
 * (§3.3.4–3.3.5), the photo base64Binary.
 */
import type { Element } from '@xmldom/xmldom';
import { FIELD_IDS, type FieldId } from '../../../profile/fields.js';
import type { Address, FieldValues } from '../../../profile/values.js';
import { el, textEl } from '../../../xml/build.js';
import { NS } from '../namespaces.js';
import { elementOf } from '../operations.js';
import { schemaViolation } from '../result-codes.js';
import { collapse, hexBinaryOf, maybe, one, sequence, simpleText } from './common.js';

/** YYYYMMDD → YYYY-MM-DD. */
export const isoDate = (d: string): string => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

function fieldXml(id: FieldId, v: FieldValues): string | undefined {
  const name = `tw:${elementOf(id)}`;
  switch (id) {
    case 'dateOfBirth':
      return v.dateOfBirth
        ? el(
            name,
            {},
            textEl('eid:DateString', v.dateOfBirth),
            textEl('eid:DateValue', isoDate(v.dateOfBirth)),
          )
        : undefined;
    case 'renewalDueDate':
    case 'issueDate':
      return v[id] ? textEl(name, isoDate(v[id]!)) : undefined;
    case 'householdAddress': {
      const a = v.householdAddress;
      return a
        ? el(
            name,
            {},
            el(
              'eid:StructuredPlace',
              {},
              textEl('eid:Street', a.street),
              textEl('eid:City', a.city),
              textEl('eid:State', a.state),
              textEl('eid:Country', a.country),
              a.zipcode ? textEl('eid:ZipCode', a.zipcode) : undefined,
            ),
          )
        : undefined;
    }
    case 'placeOfBirth':
      return v.placeOfBirth ? el(name, {}, textEl('eid:FreetextPlace', v.placeOfBirth)) : undefined;
    case 'photo':
      return v.photo ? textEl(name, v.photo.toString('base64')) : undefined;
    default: {
      const s = v[id];
      return typeof s === 'string' ? textEl(name, s) : undefined;
    }
  }
}

export function buildPersonalData(fields: FieldValues, restrictedId?: string): string {
  return el(
    'eid:PersonalData',
    {},
    ...FIELD_IDS.map((id) => fieldXml(id, fields)),
    restrictedId ? el('tw:RestrictedID', {}, textEl('eid:ID', restrictedId.toUpperCase())) : undefined,
  );
}

/** The eService side: PersonalData back to field values (tests, demo eService). */
export function parsePersonalData(e: Element): { fields: FieldValues; restrictedId?: string } {
  const m = sequence(e, [
    ...FIELD_IDS.map((id) => ({ ns: NS.tw, name: elementOf(id), min: 0 })),
    { ns: NS.tw, name: 'RestrictedID', min: 0 },
  ]);
  const out: Record<string, unknown> = {};
  const date = (s: string) => {
    const t = collapse(s);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(t)) throw schemaViolation(`not an xs:date: ${t}`);
    return t.replace(/-/g, '');
  };
  for (const id of FIELD_IDS) {
    const x = maybe(m, elementOf(id));
    if (!x) continue;
    switch (id) {
      case 'dateOfBirth':
        out[id] = simpleText(
          one(
            sequence(x, [
              { ns: NS.eid, name: 'DateString' },
              { ns: NS.eid, name: 'DateValue', min: 0 },
            ]),
            'DateString',
          ),
        );
        break;
      case 'renewalDueDate':
      case 'issueDate':
        out[id] = date(simpleText(x));
        break;
      case 'householdAddress': {
        const p = sequence(one(sequence(x, [{ ns: NS.eid, name: 'StructuredPlace' }]), 'StructuredPlace'), [
          { ns: NS.eid, name: 'Street', min: 0 },
          { ns: NS.eid, name: 'City' },
          { ns: NS.eid, name: 'State', min: 0 },
          { ns: NS.eid, name: 'Country' },
          { ns: NS.eid, name: 'ZipCode', min: 0 },
        ]);
        const t = (n: string) => {
          const c = maybe(p, n);
          return c ? simpleText(c) : undefined;
        };
        const a: Address = {
          state: t('State') ?? '',
          city: t('City')!,
          street: t('Street') ?? '',
          country: t('Country')!,
          ...(t('ZipCode') ? { zipcode: t('ZipCode')! } : {}),
        };
        out[id] = a;
        break;
      }
      case 'placeOfBirth':
        out[id] = simpleText(one(sequence(x, [{ ns: NS.eid, name: 'FreetextPlace' }]), 'FreetextPlace'));
        break;
      case 'photo':
        out[id] = Buffer.from(collapse(simpleText(x)), 'base64');
        break;
      default:
        out[id] = simpleText(x);
    }
  }
  const ri = maybe(m, 'RestrictedID');
  const restrictedId = ri
    ? hexBinaryOf(
        one(
          sequence(ri, [
            { ns: NS.eid, name: 'ID' },
            { ns: NS.eid, name: 'ID2', min: 0 },
          ]),
          'ID',
        ),
      ).toString('hex')
    : undefined;
  return { fields: out as FieldValues, ...(restrictedId ? { restrictedId } : {}) };
}
