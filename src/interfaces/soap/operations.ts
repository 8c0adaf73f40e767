/**
 * The operations of the Taiwan profile of the eID-Interface: one element per
 * card field of src/profile/fields.ts, then RestrictedID and the two
 * verifications — the analogue of TR-03130-1 §3.3.6–3.3.8
 * (OperationsSelectorType, OperationsRequestorType, OperationsResponderType)
 * and of the PersonalDataType elements (§3.3.3), in the namespace
 * urn:tw:gov:moi:neid:eid:1. The order is the xs:sequence order of
 * schemas/neid-eid-tw.xsd.
 */
import { FUNCTION_IDS, type FunctionId } from '../../profile/authorization.js';
import { FIELD_IDS, type FieldId } from '../../profile/fields.js';

/** Restricted Identification: the sector-specific card identifier (TR-03110-2 §3.6). */
export type OperationId = FieldId | 'restrictedId' | FunctionId;

export const OPERATION_IDS: readonly OperationId[] = [...FIELD_IDS, 'restrictedId', ...FUNCTION_IDS];

const SPECIAL: Partial<Record<OperationId, string>> = { can: 'CAN', restrictedId: 'RestrictedID' };

/** XML element name of an operation: the field id in UpperCamelCase (TR-03130 style). */
export function elementOf(op: OperationId): string {
  return SPECIAL[op] ?? op[0]!.toUpperCase() + op.slice(1);
}

const BY_ELEMENT = new Map(OPERATION_IDS.map((op) => [elementOf(op), op]));

export function operationOfElement(name: string): OperationId | undefined {
  return BY_ELEMENT.get(name);
}

export const isFunction = (op: OperationId): op is FunctionId =>
  (FUNCTION_IDS as readonly string[]).includes(op);
export const isField = (op: OperationId): op is FieldId => (FIELD_IDS as readonly string[]).includes(op);

/** TR-03130-1 §3.3.21 AttributeRequestType. */
export type AttributeRequest = 'REQUIRED' | 'ALLOWED' | 'PROHIBITED';
/** TR-03130-1 §3.3.22 AttributeResponseType. */
export type AttributeResponse = 'ALLOWED' | 'PROHIBITED' | 'NOTONCHIP';
/** TR-03130-1 §3.3.20 AttributeSelectionType. */
export type AttributeSelection = 'ALLOWED' | 'PROHIBITED';
