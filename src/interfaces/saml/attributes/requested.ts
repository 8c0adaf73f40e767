/**
 * What an SP asks for, as an authentication request: requested attributes —
 * from the TR-03130 AuthnRequestExtension (RequiredAttribute defaults to true,
 * TR-03130-1 §4.6.1) or from the SP metadata's AttributeConsumingService
 * (isRequired defaults to false) — become required and optional fields
 * (RequiredCHAT / OptionalCHAT, TR-03130-1 §4.6.1), age and place
 * verification with their request values (AgeVerificationRequestType,
 * PlaceVerificationRequestType), the RestrictedID flag and TransactionInfo.
 * Approval is checked afterwards, once, by SessionService (before any card
 * contact).
 */
import type { Element } from '@xmldom/xmldom';
import type { FieldId } from '../../../profile/fields.js';
import { normalizeAreaCode } from '../../../profile/household-area.js';
import { childText, elementChildren, textOf } from '../../../xml/dom.js';
import { SamlStatusError } from '../errors.js';
import type { RequestedAttribute } from '../metadata/sp-metadata.js';
import { NS } from '../namespaces.js';
import { attributeByName, NOT_ON_NEID, TRANSACTION_INFO, UNSUPPORTED } from './catalogue.js';

export interface RequestedSet {
  readonly required: readonly FieldId[];
  readonly optional: readonly FieldId[];
  readonly ageVerification?: { readonly age: number; readonly required: boolean };
  readonly placeVerification?: { readonly areaCode: string; readonly required: boolean };
  readonly restrictedId: boolean;
  readonly transactionInfo?: string;
  /** Requested TR-03130 names the New eID does not carry (answered with AttributeNotOnChip). */
  readonly notOnChip: readonly string[];
  /** Requested names ignored (unknown or unsupported, not required) — for the log. */
  readonly ignored: readonly string[];
}

const invalid = (msg: string): never => {
  throw new SamlStatusError('invalid-attribute-value', msg);
};

/** The request value: the child element `local` (eid namespace) of the single AttributeValue, or its text. */
function requestValue(a: RequestedAttribute, local: string): string {
  if (a.values.length !== 1) return invalid(`${a.name} needs exactly one AttributeValue`);
  const v = a.values[0] as Element;
  if (elementChildren(v).length === 0) return textOf(v).trim();
  return childText(v, NS.eid, local) ?? invalid(`${a.name}: AttributeValue lacks eid:${local}`);
}

export function interpretRequested(list: readonly RequestedAttribute[]): RequestedSet {
  const fields = new Map<FieldId, boolean>();
  let age: RequestedSet['ageVerification'];
  let place: RequestedSet['placeVerification'];
  let restrictedId = false;
  let transactionInfo: string | undefined;
  const notOnChip = new Set<string>();
  const ignored: string[] = [];
  for (const a of list) {
    const def = attributeByName(a.name);
    if (def) {
      const s = def.source;
      if (s.kind === 'field') fields.set(s.field, (fields.get(s.field) ?? false) || a.required);
      else if (s.kind === 'restrictedId') restrictedId = true;
      else if (s.kind === 'function' && s.fn === 'ageVerification') {
        const v = requestValue(a, 'Age');
        if (!/^\d{1,3}$/.test(v) || Number(v) > 150) invalid('AgeVerification: Age must be an integer 0-150');
        if (age && age.age !== Number(v)) invalid('AgeVerification requested twice with different ages');
        age = { age: Number(v), required: (age?.required ?? false) || a.required };
      } else if (s.kind === 'function' && s.fn === 'placeVerification') {
        let v = '';
        try {
          v = normalizeAreaCode(requestValue(a, 'CommunityID'));
        } catch (e) {
          if (e instanceof SamlStatusError) throw e;
          invalid('PlaceVerification: CommunityID must be a household area code of 5, 8, 11 or 14 digits');
        }
        if (place && place.areaCode !== v) invalid('PlaceVerification requested twice with different areas');
        place = { areaCode: v, required: (place?.required ?? false) || a.required };
      }
      // DocumentValidity is always answered.
      continue;
    }
    if (a.name === TRANSACTION_INFO) {
      transactionInfo = requestValue(a, 'TransactionInfo');
      if (transactionInfo.length > 2000) invalid('TransactionInfo is too long');
    } else if (NOT_ON_NEID.includes(a.name)) {
      notOnChip.add(a.name);
    } else if (a.required) {
      throw new SamlStatusError(
        'unsupported-request',
        `attribute ${a.name.slice(0, 100)} is ${UNSUPPORTED.includes(a.name) ? 'not supported' : 'unknown'}`,
      );
    } else {
      ignored.push(a.name.slice(0, 100));
    }
  }
  return {
    required: [...fields].filter(([, r]) => r).map(([f]) => f),
    optional: [...fields].filter(([, r]) => !r).map(([f]) => f),
    ...(age ? { ageVerification: age } : {}),
    ...(place ? { placeVerification: place } : {}),
    restrictedId,
    ...(transactionInfo ? { transactionInfo } : {}),
    notOnChip: [...notOnChip],
    ignored,
  };
}
