/**
 * The New eID operations the per-attribute cases (…_T) of TR-03130-4 run
 * over, each with the German attribute whose data group it occupies
 * (docs/conformance.md §2, docs/chip-profile.md §3.1), and the requests of the
 * three interfaces for "this operation, plus a second field" — the testbed's
 * [DGROUP_B] pattern (a FamilyNames companion), which also keeps RestrictedID
 * from being requested alone (not allowed on the eID-Interface).
 */
import {
  attributeByName,
  attributeOfField,
  attributeOfFunction,
} from '../../../src/interfaces/saml/attributes/catalogue.js';
import { OPERATION_IDS, type OperationId } from '../../../src/interfaces/soap/operations.js';
import { isFunctionId } from '../../../src/profile/authorization.js';
import type { FieldId } from '../../../src/profile/fields.js';
import type { AuthRequest } from '../../../src/workflows/session/types.js';

export const OPERATIONS: readonly OperationId[] = OPERATION_IDS;

/** The German attribute (and data group) of TR-03130 each New eID operation stands in for. */
export const GERMAN: Readonly<Record<OperationId, string>> = {
  householdArea: 'CommunityID, DG18',
  chineseName: 'GivenNames, DG4',
  romanizedName: 'FamilyNames, DG5',
  nationalIdNumber: 'ArtisticName, DG6',
  dateOfBirth: 'DateOfBirth, DG8',
  householdAddress: 'PlaceOfResidence, DG17',
  maritalStatus: 'Nationality, DG10',
  militaryService: 'no German attribute, DG12',
  cardNumber: 'AcademicTitle, DG7',
  renewalDueDate: 'DateOfExpiry, DG3',
  issueDate: 'no German attribute, DG15',
  spouseName: 'BirthName, DG13',
  fatherName: 'ResidencePermitI, DG19',
  motherName: 'no German attribute, DG20',
  placeOfBirth: 'PlaceOfBirth, DG9',
  sex: 'no German attribute, DG11',
  photo: 'no German attribute, DG14',
  can: 'no German attribute, DG21',
  restrictedId: 'RestrictedID',
  ageVerification: 'AgeVerification',
  placeVerification: 'PlaceVerification',
};

export const label = (op: OperationId) => `${op} (${GERMAN[op]})`;

/** The [DGROUP_B] companion field requested with `op`. */
export const companionOf = (op: OperationId): FieldId =>
  op === 'romanizedName' ? 'chineseName' : 'romanizedName';

export const AGE = 18;
/** The sample citizen lives in 63000-010-001-007 (Taipei City); 63000 is its county. */
export const PLACE = '63000';

/** An AuthRequest (direct session) for `op` at `level`, with the companion field REQUIRED. */
export function authRequestFor(
  op: OperationId,
  level: 'REQUIRED' | 'ALLOWED',
  base: Omit<AuthRequest, 'required' | 'optional'>,
): AuthRequest {
  const required: FieldId[] = [companionOf(op)];
  const optional: FieldId[] = [];
  const r = level === 'REQUIRED';
  if (op !== 'restrictedId' && !isFunctionId(op)) (r ? required : optional).push(op);
  return {
    ...base,
    required,
    optional,
    ...(op === 'ageVerification' ? { ageVerification: { age: AGE, required: r } } : {}),
    ...(op === 'placeVerification' ? { placeVerification: { areaCode: PLACE, required: r } } : {}),
  };
}

/** The SAML attribute name of an operation. */
export function samlNameOf(op: OperationId): string {
  if (op === 'restrictedId') return attributeByName('RestrictedID')!.name;
  if (isFunctionId(op)) return attributeOfFunction(op).name;
  return attributeOfField(op).name;
}
