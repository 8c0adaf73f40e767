/**
 * The AttributeStatement of a successful authentication (TR-03130-1 §4.3.2,
 * §4.7.4 table 15): one saml:Attribute per released field, with the
 * documented Name, NameFormat, FriendlyName and xsi:type of catalogue.ts;
 * eid:AttributeNotOnChip="true" (no value) for a requested field the card
 * does not hold (§4.6.2); nothing for an optional field the citizen withheld;
 * the age / place verification results with their request values; the
 * RestrictedID when asked; and always DocumentValidity (§4.4.3).
 */
import type { FieldId } from '../../../profile/fields.js';
import type { Address, FieldValueMap } from '../../../profile/values.js';
import type { AuthResult } from '../../../workflows/session/types.js';
import { el, esc, textEl } from '../../../xml/build.js';
import { type AttributeDef, attributeByName, attributeOfField, attributeOfFunction } from './catalogue.js';

/** What was requested, as carried in the login context. */
export interface RequestedSummary {
  readonly required: readonly FieldId[];
  readonly optional: readonly FieldId[];
  readonly age?: number;
  readonly place?: string;
  readonly restrictedId: boolean;
  readonly notOnChip: readonly string[];
}

const isoDate = (yyyymmdd: string) =>
  `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;

function attribute(def: AttributeDef, values: string[], extra: Record<string, string> = {}): string {
  return el(
    'saml:Attribute',
    { Name: def.name, NameFormat: def.nameFormat, FriendlyName: def.friendlyName, ...extra },
    ...values,
  );
}

function value(type: string, body: string, attrs: Record<string, string> = {}): string {
  return el('saml:AttributeValue', { 'xsi:type': type, ...attrs }, body);
}

function structuredPlace(a: Address): string {
  return el(
    'eid:StructuredPlace',
    {},
    textEl('eid:Street', a.street),
    textEl('eid:City', a.city),
    textEl('eid:State', a.state),
    textEl('eid:Country', a.country),
    a.zipcode ? textEl('eid:ZipCode', a.zipcode) : undefined,
  );
}

/** The AttributeValue of one field (xsi:type as in catalogue.ts). */
export function fieldValue<K extends FieldId>(field: K, v: FieldValueMap[K]): string {
  const def = attributeOfField(field);
  switch (field) {
    case 'dateOfBirth': {
      const d = v as string;
      return value(def.type, textEl('eid:DateString', d) + textEl('eid:DateValue', isoDate(d)));
    }
    case 'issueDate':
    case 'renewalDueDate':
      return value(def.type, esc(isoDate(v as string)));
    case 'placeOfBirth':
      return value(def.type, textEl('eid:FreetextPlace', v as string));
    case 'householdAddress':
      return value(def.type, structuredPlace(v as Address));
    case 'photo':
      return value(def.type, (v as Buffer).toString('base64'));
    default:
      return value(def.type, esc(v as string));
  }
}

const verification = (type: string, request: string, fulfils: boolean) =>
  value(
    type,
    el('eid:Request', {}, request) + el('eid:Result', {}, textEl('eid:FulfilsRequest', String(fulfils))),
  );

export function renderAttributeStatement(result: AuthResult, req: RequestedSummary): string {
  const out: string[] = [];
  const validity = attributeByName('DocumentValidity')!;
  const refDate = isoDate(new Date(result.completedAt).toISOString().slice(0, 10).replace(/-/g, ''));
  out.push(
    attribute(validity, [
      value(
        validity.type,
        textEl('eid:ReferenceDate', refDate) + textEl('eid:Status', result.documentValidity),
        { Version: '1' },
      ),
    ]),
  );
  for (const f of [...req.required, ...req.optional]) {
    const def = attributeOfField(f);
    const op = result.operations[f];
    const v = result.fields[f];
    if (op === 'ALLOWED' && v !== undefined) out.push(attribute(def, [fieldValue(f, v)]));
    else if (op === 'NOTONCHIP') out.push(attribute(def, [], { 'eid:AttributeNotOnChip': 'true' }));
    // PROHIBITED: withheld by the citizen — not transmitted (TR-03130-1 §4.10.4).
  }
  if (req.age !== undefined && result.ageVerification !== undefined) {
    const def = attributeOfFunction('ageVerification');
    out.push(
      attribute(def, [verification(def.type, textEl('eid:Age', String(req.age)), result.ageVerification)]),
    );
  }
  if (req.place !== undefined && result.placeVerification !== undefined) {
    const def = attributeOfFunction('placeVerification');
    out.push(
      attribute(def, [
        verification(def.type, textEl('eid:CommunityID', req.place), result.placeVerification),
      ]),
    );
  }
  if (req.restrictedId && result.restrictedId) {
    const def = attributeByName('RestrictedID')!;
    out.push(attribute(def, [value(def.type, textEl('eid:ID', result.restrictedId.toUpperCase()))]));
  }
  for (const name of req.notOnChip) {
    out.push(
      // TR-03130 names (GivenNames, DocumentType …): the FriendlyName is the name itself, as for every attribute.
      el('saml:Attribute', {
        Name: name,
        NameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
        FriendlyName: name,
        'eid:AttributeNotOnChip': 'true',
      }),
    );
  }
  return el('saml:AttributeStatement', {}, ...out);
}
