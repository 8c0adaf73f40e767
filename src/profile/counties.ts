/**
 * The 22 counties and cities (縣市) of Taiwan by their administrative area
 * code (行政區域代碼, the first 5 digits of a household area code), for
 * showing a place verification in words.
 */

export interface County {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
}

export const COUNTIES: readonly County[] = [
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
export function countyOf(code: string): County | undefined {
  return COUNTIES.find((c) => c.code === code.slice(0, 5));
}
