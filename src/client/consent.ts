/**
 * What the citizen is asked before PIN entry (TR-03124-1 §3.6; TR-03112-7
 * §3.6.4.1: the CertificateDescription MUST be displayed), and how the
 * answer becomes the CHAT used in PACE: the required rights plus the
 * optional rights the citizen kept.
 */

import { OID } from '../asn1/oids.js';
import type { AuxiliaryDataItem } from '../eac/aux-data.js';
import type { CertificateDescription } from '../pki/cvc/certificate-description.js';
import { Chat } from '../pki/cvc/chat.js';
import {
  bitOfFunction,
  type FunctionId,
  grantsOf,
  isFunctionId,
  readBitOfField,
} from '../profile/authorization.js';
import { type FieldId, isFieldId } from '../profile/fields.js';

export interface Rights {
  readonly fields: readonly FieldId[];
  readonly functions: readonly FunctionId[];
  /** Restricted Identification: a pseudonym for the eService's sector (docs/chip-profile.md §6). */
  readonly restrictedIdentification?: boolean;
}

export interface ConsentRequest {
  readonly description: CertificateDescription;
  readonly terminalChr: string;
  /** Validity of the eService certificate, YYYYMMDD. */
  readonly validFrom: string;
  readonly validTo: string;
  /** What the eService is approved for: the rights of its terminal certificate. */
  readonly approved: Rights;
  readonly required: Rights;
  readonly optional: Rights;
  /** The comparison data of age and place verification (TR-03124-1 §3.8: shown to the citizen). */
  readonly auxiliaryData: readonly AuxiliaryDataItem[];
  readonly transactionInfo?: string;
}

export interface ConsentDecision {
  readonly accept: boolean;
  /** Optional fields or functions the citizen withholds (names of src/profile). */
  readonly deselect: readonly string[];
  /** PIN1; asked together with consent (the card is read only after both). */
  readonly pin: string;
}

export type ConsentUi = (req: ConsentRequest) => Promise<ConsentDecision>;

export function rightsOf(chat: Chat | undefined): Rights {
  if (!chat) return { fields: [], functions: [] };
  const g = grantsOf(chat);
  return { fields: g.fields, functions: g.functions, restrictedIdentification: g.restrictedIdentification };
}

/** The CHAT bit of a field or function name; undefined for an unknown name. */
function bitOfRight(name: string): number | undefined {
  if (isFieldId(name)) return readBitOfField(name);
  if (isFunctionId(name)) return bitOfFunction(name);
  return undefined;
}

/**
 * The CHAT for PACE: the required bits, plus the optional bits the citizen did
 * not withhold. A withheld required right stays in: a compliant client cannot
 * drop it (TR-03112-7 §3.6.4.1 RequiredCHAT).
 */
export function chosenChat(
  required: Chat | undefined,
  optional: Chat | undefined,
  deselect: readonly string[],
): Chat {
  const bits = new Set(required?.bits() ?? []);
  const withheld = new Set(deselect.map(bitOfRight));
  for (const b of optional?.bits() ?? []) if (!withheld.has(b)) bits.add(b);
  return Chat.forRole(
    'terminal',
    [...bits].sort((a, b) => a - b),
    (required ?? optional)?.terminalType ?? OID.idAt,
  );
}
