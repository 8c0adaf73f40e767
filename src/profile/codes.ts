/**
 * Code lists for fields that the household register keeps as codes. The chip
 * stores the code; front-ends show the label in the citizen's language.
 */
export interface Code {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
}

/** 結婚狀態 — marital status as recorded in the household register. */
export const MARITAL_STATUS: readonly Code[] = [
  { code: '1', zh: '未婚', en: 'never married' },
  { code: '2', zh: '有偶', en: 'married' },
  { code: '3', zh: '離婚', en: 'divorced' },
  { code: '4', zh: '喪偶', en: 'widowed' },
];

/** 役別 — military service status. */
export const MILITARY_SERVICE: readonly Code[] = [
  { code: '0', zh: '不適用', en: 'not applicable' },
  { code: '1', zh: '常備役', en: 'regular service' },
  { code: '2', zh: '替代役', en: 'alternative service' },
  { code: '3', zh: '補充兵役', en: 'supplementary service' },
  { code: '4', zh: '國民兵役', en: 'national militia' },
  { code: '5', zh: '免役', en: 'exempt' },
  { code: '6', zh: '禁役', en: 'barred from service' },
  { code: '7', zh: '待役', en: 'awaiting service' },
];

export function isCode(list: readonly Code[], code: string): boolean {
  return list.some((c) => c.code === code);
}
