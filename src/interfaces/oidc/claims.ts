/**
 * The claim catalogue of the OpenID Provider: one claim per card field, with
 * the standard OpenID Connect Core 1.0 §5.1 names where the meaning fits
 * (name, birthdate, gender, address) and private names with the `neid_`
 * prefix (OIDC Core §5.1.2, "Private Claim Names") for the rest; the scopes
 * that request them (OIDC Core §5.4); and the conversion of an EAC result
 * into claim values (OIDC Core §5.1 formats). docs/oidc-provider.md carries
 * the same table for relying parties.
 */
import type { FieldId } from '../../profile/fields.js';
import { type Address, type FieldValues, formatAddress } from '../../profile/values.js';
import type { AuthResult } from '../../workflows/session/types.js';

export interface FieldClaim {
  readonly field: FieldId;
  readonly claim: string;
  /** The scope that requests the claim (as a voluntary claim, OIDC Core §5.4). */
  readonly scope: string;
}

export const FIELD_CLAIMS: readonly FieldClaim[] = [
  { field: 'chineseName', claim: 'name', scope: 'profile' },
  { field: 'romanizedName', claim: 'neid_romanized_name', scope: 'profile' },
  { field: 'dateOfBirth', claim: 'birthdate', scope: 'profile' },
  { field: 'sex', claim: 'gender', scope: 'profile' },
  { field: 'householdAddress', claim: 'address', scope: 'address' },
  { field: 'householdArea', claim: 'neid_household_area', scope: 'neid:household_area' },
  { field: 'nationalIdNumber', claim: 'neid_national_id', scope: 'neid:national_id' },
  { field: 'cardNumber', claim: 'neid_card_number', scope: 'neid:card' },
  { field: 'issueDate', claim: 'neid_card_issue_date', scope: 'neid:card' },
  { field: 'renewalDueDate', claim: 'neid_card_renewal_due_date', scope: 'neid:card' },
  { field: 'photo', claim: 'neid_photo', scope: 'neid:photo' },
  { field: 'placeOfBirth', claim: 'neid_place_of_birth', scope: 'neid:place_of_birth' },
  { field: 'maritalStatus', claim: 'neid_marital_status', scope: 'neid:family' },
  { field: 'spouseName', claim: 'neid_spouse_name', scope: 'neid:family' },
  { field: 'fatherName', claim: 'neid_father_name', scope: 'neid:family' },
  { field: 'motherName', claim: 'neid_mother_name', scope: 'neid:family' },
  { field: 'militaryService', claim: 'neid_military_service', scope: 'neid:military_service' },
  { field: 'can', claim: 'neid_can', scope: 'neid:can' },
];

/** Age verification (TR-03110-3 A.7.5.2): requested as `{"neid_age_over": {"value": 18}}`, answered true/false. */
export const AGE_CLAIM = 'neid_age_over';
/** Place verification (A.7.5.4): requested as `{"neid_place_verification": {"value": "63000"}}`, answered true/false. */
export const PLACE_CLAIM = 'neid_place_verification';

/** The level of assurance of every login: the card's chip, PIN1 and EAC (eIDAS "high" equivalent). */
export const ACR = 'urn:tw:neid:loa:high';
/** RFC 8176 methods: smart card, hardware-secured key (Chip Authentication), PIN, multiple factors. */
export const AMR: readonly string[] = ['sc', 'hwk', 'pin', 'mfa'];

const BY_CLAIM = new Map(FIELD_CLAIMS.map((c) => [c.claim, c]));
const BY_FIELD = new Map(FIELD_CLAIMS.map((c) => [c.field, c]));

export const fieldOfClaim = (claim: string): FieldId | undefined => BY_CLAIM.get(claim)?.field;
export const claimOfField = (field: FieldId): string => BY_FIELD.get(field)!.claim;

/** scope → the fields it requests. */
export const SCOPE_FIELDS: ReadonlyMap<string, readonly FieldId[]> = (() => {
  const m = new Map<string, FieldId[]>();
  for (const c of FIELD_CLAIMS) m.set(c.scope, [...(m.get(c.scope) ?? []), c.field]);
  return m;
})();

/** Every scope the provider knows, `openid` first. */
export const SCOPES: readonly string[] = ['openid', ...SCOPE_FIELDS.keys()];

/** oidc-provider `claims` configuration: scope → claims, and the claims only the `claims` parameter requests. */
export function claimsConfiguration(): Record<string, string[] | null> {
  // acr, amr and auth_time belong to every ID Token (OIDC Core §2): part of the openid scope.
  const cfg: Record<string, string[] | null> = { openid: ['sub', 'acr', 'amr', 'auth_time'] };
  for (const [scope, fields] of SCOPE_FIELDS) cfg[scope] = fields.map(claimOfField);
  cfg[AGE_CLAIM] = null;
  cfg[PLACE_CLAIM] = null;
  return cfg;
}

/** The scopes an eService may request: those with at least one approved field. */
export function scopesFor(approvedFields: readonly FieldId[]): string[] {
  return [
    'openid',
    ...[...SCOPE_FIELDS]
      .filter(([, fields]) => fields.some((f) => approvedFields.includes(f)))
      .map(([s]) => s),
  ];
}

const isoDate = (yyyymmdd: string) =>
  `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;

const GENDER = { M: 'male', F: 'female', X: 'other' } as const;

/** OIDC Core §5.1.1 address claim from the household address (TR-03110-4 Place). */
export function addressClaim(a: Address): Record<string, string> {
  return {
    formatted: formatAddress(a),
    street_address: a.street,
    locality: a.city,
    region: a.state,
    ...(a.zipcode ? { postal_code: a.zipcode } : {}),
    country: a.country,
  };
}

/** The claim value of one released field. */
export function claimValue(field: FieldId, values: FieldValues): unknown {
  switch (field) {
    case 'dateOfBirth':
    case 'issueDate':
    case 'renewalDueDate':
      return isoDate(values[field]!);
    case 'sex':
      return GENDER[values.sex!];
    case 'householdAddress':
      return addressClaim(values.householdAddress!);
    case 'photo':
      return `data:image/jpeg;base64,${values.photo!.toString('base64')}`;
    default:
      return values[field];
  }
}

/** All claims of an EAC result: the released fields and the verification answers. */
export function claimsOf(result: AuthResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of FIELD_CLAIMS) {
    if (result.fields[c.field] !== undefined) out[c.claim] = claimValue(c.field, result.fields);
  }
  if (result.ageVerification !== undefined) out[AGE_CLAIM] = result.ageVerification;
  if (result.placeVerification !== undefined) out[PLACE_CLAIM] = result.placeVerification;
  return out;
}
