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

/**
 * 縣市 — the 22 counties and cities of Taiwan by their administrative area code (行政區域代碼, the
 * first 5 digits of a household area code), for showing a place verification in words.
 */
export const COUNTIES: readonly Code[] = [
  { code: '63000', zh: '臺北市', en: 'Taipei City' },
  { code: '64000', zh: '高雄市', en: 'Kaohsiung City' },
  { code: '65000', zh: '新北市', en: 'New Taipei City' },
  { code: '66000', zh: '臺中市', en: 'Taichung City' },
  { code: '67000', zh: '臺南市', en: 'Tainan City' },
  { code: '68000', zh: '桃園市', en: 'Taoyuan City' },
  { code: '10002', zh: '宜蘭縣', en: 'Yilan County' },
  { code: '10004', zh: '新竹縣', en: 'Hsinchu County' },
  { code: '10005', zh: '苗栗縣', en: 'Miaoli County' },
  { code: '10007', zh: '彰化縣', en: 'Changhua County' },
  { code: '10008', zh: '南投縣', en: 'Nantou County' },
  { code: '10009', zh: '雲林縣', en: 'Yunlin County' },
  { code: '10010', zh: '嘉義縣', en: 'Chiayi County' },
  { code: '10013', zh: '屏東縣', en: 'Pingtung County' },
  { code: '10014', zh: '臺東縣', en: 'Taitung County' },
  { code: '10015', zh: '花蓮縣', en: 'Hualien County' },
  { code: '10016', zh: '澎湖縣', en: 'Penghu County' },
  { code: '10017', zh: '基隆市', en: 'Keelung City' },
  { code: '10018', zh: '新竹市', en: 'Hsinchu City' },
  { code: '10020', zh: '嘉義市', en: 'Chiayi City' },
  { code: '09007', zh: '連江縣', en: 'Lienchiang County' },
  { code: '09020', zh: '金門縣', en: 'Kinmen County' },
];

/** The county or city of a household area code (or of its first 5 digits). */
export function countyOf(code: string): Code | undefined {
  return COUNTIES.find((c) => c.code === code.slice(0, 5));
}
