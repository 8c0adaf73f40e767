/**
 * The default personalisation: a fictitious citizen of Taipei whose Chinese
 * name contains 𪚥 (U+2A6A5, CJK Extension B, four bytes in
 * UTF-8), so that every layer is exercised with a character outside the BMP.
 */
import { type FieldValues, nationalIdCheckDigit } from '../profile/values.js';
import { portraitJpeg } from './photo.js';

/** 陳𪚥華 — 𪚥 (zhé) is U+2A6A5. */
export const SAMPLE_CHINESE_NAME = '陳\u{2A6A5}華';

export function addYears(yyyymmdd: string, years: number): string {
  const d = new Date(
    Date.UTC(
      Number(yyyymmdd.slice(0, 4)) + years,
      Number(yyyymmdd.slice(4, 6)) - 1,
      Number(yyyymmdd.slice(6, 8)),
    ),
  );
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

export function sampleCitizen(opts: {
  issueDate: string;
  cardNumber: string;
  can: string;
}): Required<FieldValues> {
  const idPrefix = 'A12345678';
  return {
    householdArea: '63000010001007',
    chineseName: SAMPLE_CHINESE_NAME,
    romanizedName: 'CHEN, ZHE-HUA',
    nationalIdNumber: idPrefix + nationalIdCheckDigit(idPrefix),
    dateOfBirth: '19900315',
    householdAddress: {
      state: '臺北市',
      city: '松山區',
      street: '莊敬里7鄰八德路四段123號',
      country: 'TWN',
      zipcode: '105',
    },
    maritalStatus: '2',
    militaryService: '1',
    cardNumber: opts.cardNumber,
    renewalDueDate: addYears(opts.issueDate, 10),
    issueDate: opts.issueDate,
    spouseName: '王美玲',
    fatherName: '陳志明',
    motherName: '李淑芬',
    placeOfBirth: '臺灣省臺南市',
    sex: 'M',
    photo: portraitJpeg(),
    can: opts.can,
  };
}
