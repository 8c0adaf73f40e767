/**
 * The New eID chip profile: every card field, where it lives on the chip, how
 * it is encoded and which CHAT bit authorizes reading it. This table is the
 * single source for the card simulator, the server's authorization checks,
 * the front-ends' attribute names and docs/chip-profile.md.
 *
 * Data-group numbering follows TR-03110-4 §2.2.3 (table 3) wherever a German
 * eID data group means the same thing; Taiwan-specific fields take the data
 * groups whose German meaning Taiwan's card does not carry. Reading DGn is
 * authorized by CHAT bit 7+n of the Authentication Terminal template
 * (TR-03110-4 §2.2.3.2, table 4), so each field has exactly one bit.
 */

/** Chip areas of seed 004 第參章 五 (ICAO and certificate areas are out of this profile). */
export type Area = 'household' | 'public' | 'encrypted';

/**
 * Access conditions (seed 004 表 5): household area none; public area a secure
 * channel (PACE with CAN, or PIN1); encrypted area PACE with PIN1, Terminal and
 * Chip Authentication and the field's bit in the effective CHAT.
 */
export type AccessCondition = 'none' | 'pace' | 'eac';

/** Value encodings; see codecs.ts for the exact ASN.1. */
export type Encoding =
  | 'utf8' // [APPLICATION n] UTF8String
  | 'printable' // [APPLICATION n] PrintableString
  | 'date' // [APPLICATION n] NumericString SIZE(8), YYYYMMDD (Gregorian)
  | 'code' // [APPLICATION n] NumericString, a code of codes.ts
  | 'sex' // [APPLICATION 11] ICAOSex
  | 'place' // [APPLICATION 9] GeneralPlace, freetextPlace
  | 'address' // [APPLICATION 17] PlaceOfResidence, structuredPlace
  | 'municipality' // [APPLICATION 18] OCTET STRING, BCD household area code
  | 'jpeg'; // [APPLICATION n] OCTET STRING, a JPEG image

export const FIELD_IDS = [
  'householdArea',
  'chineseName',
  'romanizedName',
  'nationalIdNumber',
  'dateOfBirth',
  'householdAddress',
  'maritalStatus',
  'militaryService',
  'cardNumber',
  'renewalDueDate',
  'issueDate',
  'spouseName',
  'fatherName',
  'motherName',
  'placeOfBirth',
  'sex',
  'photo',
  'can',
] as const;

export type FieldId = (typeof FIELD_IDS)[number];

export interface FieldDef {
  readonly id: FieldId;
  readonly area: Area;
  readonly access: AccessCondition;
  /** Data group number 1..22 of the eID application. */
  readonly dg: number;
  readonly encoding: Encoding;
  readonly label: { readonly zh: string; readonly en: string };
  /** The TR-03110-4 name of the data group, as standard eID-Clients label the right. */
  readonly tr03110Name: string;
  /** True where the German meaning of the data group is kept. */
  readonly germanMeaning: boolean;
}

const f = (
  id: FieldId,
  area: Area,
  dg: number,
  encoding: Encoding,
  zh: string,
  en: string,
  tr03110Name: string,
  germanMeaning: boolean,
): FieldDef => ({
  id,
  area,
  access: area === 'household' ? 'none' : area === 'public' ? 'pace' : 'eac',
  dg,
  encoding,
  label: { zh, en },
  tr03110Name,
  germanMeaning,
});

export const FIELDS: readonly FieldDef[] = [
  f(
    'householdArea',
    'household',
    18,
    'municipality',
    '戶籍地區',
    'Household area code',
    'Municipality ID',
    true,
  ),
  f('renewalDueDate', 'public', 3, 'date', '應換領日期', 'Renewal due date', 'Date of Expiry', true),
  f('chineseName', 'public', 4, 'utf8', '中文姓名', 'Name (Chinese)', 'Given Names', false),
  f('romanizedName', 'public', 5, 'utf8', '外文姓名', 'Name (romanised)', 'Family Names', false),
  f('nationalIdNumber', 'public', 6, 'printable', '統一編號', 'National ID number', 'Nom de Plume', false),
  f('cardNumber', 'public', 7, 'printable', '證件號碼', 'Card number', 'Academic Title', false),
  f('dateOfBirth', 'public', 8, 'date', '出生日期', 'Date of birth', 'Date of Birth', true),
  f('maritalStatus', 'public', 10, 'code', '結婚狀態', 'Marital status', 'Nationality', false),
  f('militaryService', 'public', 12, 'code', '役別', 'Military service status', 'Optional Data', false),
  f('issueDate', 'public', 15, 'date', '製證日期', 'Issue date', 'Date of Issuance', true),
  f(
    'householdAddress',
    'public',
    17,
    'address',
    '戶籍地址',
    'Household address',
    'Normal Place of Residence',
    true,
  ),
  f('placeOfBirth', 'encrypted', 9, 'place', '出生地', 'Place of birth', 'Place of Birth', true),
  f('sex', 'encrypted', 11, 'sex', '性別', 'Sex', 'Sex', true),
  f('spouseName', 'encrypted', 13, 'utf8', '配偶姓名', "Spouse's name", 'Birth Name', false),
  f('photo', 'encrypted', 14, 'jpeg', '相片', 'Photo', 'Written Signature', false),
  f('fatherName', 'encrypted', 19, 'utf8', '父姓名', "Father's name", 'Residence Permit I', false),
  f('motherName', 'encrypted', 20, 'utf8', '母姓名', "Mother's name", 'Residence Permit II', false),
  f('can', 'encrypted', 21, 'printable', 'CAN', 'Card access number (CAN)', 'Phone Number', false),
];

const BY_ID = new Map(FIELDS.map((d) => [d.id, d]));
const BY_DG = new Map(FIELDS.map((d) => [d.dg, d]));

export function isFieldId(s: string): s is FieldId {
  return BY_ID.has(s as FieldId);
}

export function fieldDef(id: FieldId): FieldDef {
  return BY_ID.get(id)!;
}

export function fieldByDg(dg: number): FieldDef | undefined {
  return BY_DG.get(dg);
}

/** File identifier of DGn in the eID application: 0x0100 + n (TR-03110-4 table 3). */
export const fileIdOfDg = (dg: number): number => 0x0100 + dg;
/** Short file identifier of DGn: n. */
export const shortFileIdOfDg = (dg: number): number => dg;
/** [APPLICATION n] tag of DGn's content: 0x60 + n (constructed, TR-03110-4 §2.2.3.1). */
export const tagOfDg = (dg: number): number => 0x60 + dg;
/** CHAT bit (Authentication Terminal) that grants reading DGn. */
export const readBitOfDg = (dg: number): number => 7 + dg;
