/**
 * The SAML attributes of N_eID-Server (docs/saml-idp.md §4). Where a New eID
 * field or function means what a TR-03130 attribute means, the TR-03130 name
 * and type are used (TR-03130-1 §4.3, table 8/9; PersonalDataType of
 * TR-03130eID-Server.xsd for Sex and DateOfIssuance). Taiwan fields without a
 * TR-03130 counterpart are named in the N_eID namespace
 * `urn:tw:neid:attribute:<Name>` (NameFormat uri).
 *
 * TR-03130 names of German data groups the New eID does not carry are known
 * (`NOT_ON_NEID`): requesting them is answered with AttributeNotOnChip
 * (TR-03130-1 §4.6.2) rather than an error. DG4/DG5 hold the Chinese and
 * romanised names, not GivenNames/FamilyNames (docs/chip-profile.md §3.1).
 */
import type { FunctionId } from '../../../profile/authorization.js';
import { type FieldId, fieldDef } from '../../../profile/fields.js';
import { ATTRNAME_FORMAT } from '../namespaces.js';

export const NEID_ATTRIBUTE_PREFIX = 'urn:tw:neid:attribute:';

export type AttributeSource =
  | { readonly kind: 'field'; readonly field: FieldId }
  | { readonly kind: 'function'; readonly fn: FunctionId }
  | { readonly kind: 'documentValidity' }
  | { readonly kind: 'restrictedId' };

export interface AttributeDef {
  /** The SAML Attribute Name. */
  readonly name: string;
  readonly nameFormat: string;
  /** Short name (FriendlyName); also accepted as Name in requests. */
  readonly friendlyName: string;
  /** xsi:type of the AttributeValue (prefixes xs:, eid: as declared on the Assertion). */
  readonly type: string;
  readonly source: AttributeSource;
  readonly tr03130: boolean;
  readonly label: { readonly zh: string; readonly en: string };
}

const tr = (
  name: string,
  type: string,
  source: AttributeSource,
  label: AttributeDef['label'],
): AttributeDef => ({
  name,
  nameFormat: ATTRNAME_FORMAT.basic,
  friendlyName: name,
  type,
  source,
  tr03130: true,
  label,
});
const tw = (
  short: string,
  type: string,
  source: AttributeSource,
  label: AttributeDef['label'],
): AttributeDef => ({
  name: `${NEID_ATTRIBUTE_PREFIX}${short}`,
  nameFormat: ATTRNAME_FORMAT.uri,
  friendlyName: short,
  type,
  source,
  tr03130: false,
  label,
});
const field = (f: FieldId): AttributeSource => ({ kind: 'field', field: f });
const lbl = (f: FieldId) => fieldDef(f).label;

export const ATTRIBUTES: readonly AttributeDef[] = [
  tr(
    'DocumentValidity',
    'eid:DocumentValidityResultType',
    { kind: 'documentValidity' },
    { zh: '證件有效性', en: 'Document validity' },
  ),
  tw('ChineseName', 'xs:string', field('chineseName'), lbl('chineseName')),
  tw('RomanizedName', 'xs:string', field('romanizedName'), lbl('romanizedName')),
  tw('NationalIdNumber', 'xs:string', field('nationalIdNumber'), lbl('nationalIdNumber')),
  tr('DateOfBirth', 'eid:GeneralDateType', field('dateOfBirth'), lbl('dateOfBirth')),
  tr('PlaceOfBirth', 'eid:GeneralPlaceType', field('placeOfBirth'), lbl('placeOfBirth')),
  tr('Sex', 'xs:string', field('sex'), lbl('sex')),
  tr('PlaceOfResidence', 'eid:GeneralPlaceType', field('householdAddress'), lbl('householdAddress')),
  tr('CommunityID', 'xs:string', field('householdArea'), lbl('householdArea')),
  tw('CardNumber', 'xs:string', field('cardNumber'), lbl('cardNumber')),
  tr('DateOfIssuance', 'xs:date', field('issueDate'), lbl('issueDate')),
  tr('DateOfExpiry', 'xs:date', field('renewalDueDate'), lbl('renewalDueDate')),
  tw('MaritalStatus', 'xs:string', field('maritalStatus'), lbl('maritalStatus')),
  tw('MilitaryService', 'xs:string', field('militaryService'), lbl('militaryService')),
  tw('SpouseName', 'xs:string', field('spouseName'), lbl('spouseName')),
  tw('FatherName', 'xs:string', field('fatherName'), lbl('fatherName')),
  tw('MotherName', 'xs:string', field('motherName'), lbl('motherName')),
  tw('Photo', 'xs:base64Binary', field('photo'), lbl('photo')),
  tw('CardAccessNumber', 'xs:string', field('can'), lbl('can')),
  tr(
    'RestrictedID',
    'eid:RestrictedIDType',
    { kind: 'restrictedId' },
    { zh: '區段識別碼', en: 'Sector-specific identifier' },
  ),
  tr(
    'AgeVerification',
    'eid:AgeVerificationResultType',
    { kind: 'function', fn: 'ageVerification' },
    { zh: '年齡驗證', en: 'Age verification' },
  ),
  tr(
    'PlaceVerification',
    'eid:PlaceVerificationResultType',
    { kind: 'function', fn: 'placeVerification' },
    { zh: '戶籍地驗證', en: 'Place verification' },
  ),
];

/** TR-03130 attribute names of data the New eID does not hold: answered with AttributeNotOnChip="true". */
export const NOT_ON_NEID: readonly string[] = [
  'DocumentType',
  'IssuingState',
  'GivenNames',
  'FamilyNames',
  'ArtisticName',
  'AcademicTitle',
  'Nationality',
  'BirthName',
  'ResidencePermitI',
  'ResidencePermitII',
  'PhoneNumber',
  'EmailAddress',
];

/** TR-03130 request attributes this IdP cannot perform: refused when required, ignored when optional. */
export const UNSUPPORTED: readonly string[] = ['TransactionAttestation', 'LevelOfAssurance', 'EIDType'];

/** TR-03130-1 table 8: TransactionInfo (xs:string) is shown to the citizen by the eID-Client. */
export const TRANSACTION_INFO = 'TransactionInfo';

const BY_NAME = new Map<string, AttributeDef>();
for (const a of ATTRIBUTES) {
  BY_NAME.set(a.name, a);
  BY_NAME.set(a.friendlyName, a);
}

/** The attribute of a requested Name (full name, or the friendly name of a Taiwan attribute). */
export const attributeByName = (name: string): AttributeDef | undefined => BY_NAME.get(name);

export function attributeOfField(f: FieldId): AttributeDef {
  return ATTRIBUTES.find((a) => a.source.kind === 'field' && a.source.field === f)!;
}

export function attributeOfFunction(fn: FunctionId): AttributeDef {
  return ATTRIBUTES.find((a) => a.source.kind === 'function' && a.source.fn === fn)!;
}
