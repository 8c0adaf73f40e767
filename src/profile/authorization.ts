/**
 * Field-level authorization ↔ CHAT bits (TR-03110-4 §2.2.3.2, table 4). An
 * eService's approval, a request and the effective authorization of a card
 * session are all sets of fields and functions; these helpers convert them
 * to and from the Authentication Terminal CHAT.
 */
import { Chat, SPECIAL_FUNCTIONS } from '../pki/cvc/chat.js';
import { FIELDS, type FieldId, fieldDef, readBitOfDg } from './fields.js';

/** Verifications the card performs without releasing the data (TR-03110-3 A.7.5). */
export const FUNCTION_IDS = ['ageVerification', 'placeVerification'] as const;
export type FunctionId = (typeof FUNCTION_IDS)[number];

const FUNCTION_BITS: Record<FunctionId, number> = {
  ageVerification: SPECIAL_FUNCTIONS.ageVerification,
  placeVerification: SPECIAL_FUNCTIONS.municipalityIdVerification,
};

export function isFunctionId(s: string): s is FunctionId {
  return (FUNCTION_IDS as readonly string[]).includes(s);
}

export const readBitOfField = (id: FieldId): number => readBitOfDg(fieldDef(id).dg);
export const bitOfFunction = (id: FunctionId): number => FUNCTION_BITS[id];

/**
 * An Authentication Terminal CHAT granting `fields` and `functions`.
 * Restricted Identification (bit 2) is always included: the sector-specific
 * identifier is how the server checks the card revocation list and derives
 * pairwise pseudonyms (docs/chip-profile.md §6).
 */
export function chatFor(
  fields: Iterable<FieldId>,
  functions: Iterable<FunctionId>,
  opts: { ri?: boolean } = {},
): Chat {
  const bits = [...[...fields].map(readBitOfField), ...[...functions].map(bitOfFunction)];
  if (opts.ri ?? true) bits.push(SPECIAL_FUNCTIONS.restrictedIdentification);
  return Chat.forRole('terminal', bits);
}

/** The fields and functions a CHAT grants. */
export function grantsOf(chat: Chat): {
  fields: FieldId[];
  functions: FunctionId[];
  restrictedIdentification: boolean;
} {
  return {
    fields: FIELDS.filter((f) => chat.hasBit(readBitOfDg(f.dg))).map((f) => f.id),
    functions: FUNCTION_IDS.filter((f) => chat.hasBit(FUNCTION_BITS[f])),
    restrictedIdentification: chat.hasBit(SPECIAL_FUNCTIONS.restrictedIdentification),
  };
}
