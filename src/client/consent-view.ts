/**
 * The consent request in words a citizen reads (TR-03124-1 §3.8): dates in
 * the Gregorian and the Republic-of-China (民國) calendar, the age threshold
 * and the place of a verification spelled out, what each right means.
 * Traditional Chinese first, English second, everywhere.
 */
import type { AuxiliaryDataItem } from '../eac/aux-data.js';
import type { FunctionId } from '../profile/authorization.js';
import { countyOf } from '../profile/codes.js';
import { fieldDef, isFieldId } from '../profile/fields.js';
import { decodeAreaPrefix, formatAreaCode, levelOf } from '../profile/household-area.js';

export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** YYYYMMDD as "2026年12月6日（民國115年12月6日）" and "6 Dec 2026". */
export function formatDate(yyyymmdd: string): Bilingual {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) return { zh: yyyymmdd, en: yyyymmdd };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const roc = y > 1911 ? `民國${y - 1911}年` : `民國前${1912 - y}年`;
  return { zh: `${y}年${mo}月${d}日（${roc}${mo}月${d}日）`, en: `${d} ${MONTHS[mo - 1] ?? mo} ${y}` };
}

/** Today as YYYYMMDD in Taiwan (UTC+8), the citizen's calendar day. */
export function todayInTaiwan(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * The age a required date of birth stands for: the server commits to "today minus N years"
 * (eac/aux-data.ts requiredDateOfBirth); undefined when the dates do not line up that way.
 */
export function ageOf(requiredDateOfBirth: string, today: string): number | undefined {
  const n = Number(today.slice(0, 4)) - Number(requiredDateOfBirth.slice(0, 4));
  const md = today.slice(4);
  const ok = requiredDateOfBirth.slice(4) === md || (md === '0229' && requiredDateOfBirth.endsWith('0228'));
  return ok && n >= 0 ? n : undefined;
}

/** A place-verification prefix in words: "臺北市（地區代碼 63000）". */
export function placeOf(prefix: Uint8Array): Bilingual {
  const code = decodeAreaPrefix(prefix);
  if (!code)
    return {
      zh: `地區代碼 ${Buffer.from(prefix).toString('hex')}`,
      en: `area ${Buffer.from(prefix).toString('hex')}`,
    };
  const county = countyOf(code);
  const shown = formatAreaCode(code);
  const level = levelOf(code);
  const within: Bilingual =
    level === 'county'
      ? { zh: '', en: '' }
      : {
          zh: { township: '之鄉鎮市區', village: '之村里', neighbourhood: '之鄰' }[level],
          en: {
            township: ' (a township of it)',
            village: ' (a village of it)',
            neighbourhood: ' (a neighbourhood of it)',
          }[level],
        };
  return county
    ? {
        zh: `${county.zh}${within.zh}（地區代碼 ${shown}）`,
        en: `${county.en}${within.en} (area code ${shown})`,
      }
    : { zh: `地區代碼 ${shown}`, en: `area code ${shown}` };
}

/** The label of a field or verification. */
export function rightLabel(id: string): Bilingual {
  if (isFieldId(id)) return fieldDef(id).label;
  return FUNCTION_LABEL[id as FunctionId] ?? { zh: id, en: id };
}

const FUNCTION_LABEL: Record<FunctionId, Bilingual> = {
  ageVerification: { zh: '年齡驗證', en: 'Age verification' },
  placeVerification: { zh: '戶籍地區驗證', en: 'Place-of-residence verification' },
};

/** What a verification asks the card, in words, with the comparison data of EAC1. */
export function functionInWords(id: FunctionId, aux: readonly AuxiliaryDataItem[], today: string): Bilingual {
  if (id === 'ageVerification') {
    const age = aux.find((a) => a.kind === 'age');
    if (age?.kind !== 'age')
      return {
        zh: '卡片回答您是否達到服務要求之年齡。',
        en: 'The card answers whether you reach the age the service asks for.',
      };
    const n = ageOf(age.requiredDateOfBirth, today);
    const born = formatDate(age.requiredDateOfBirth);
    return {
      zh: `卡片只回答您是否${n !== undefined ? `年滿 ${n} 歲` : '達到要求之年齡'}（出生於 ${born.zh} 或之前），不提供出生日期。`,
      en: `The card only answers whether you are ${n !== undefined ? `at least ${n} years old` : 'old enough'} (born on or before ${born.en}); your date of birth is not released.`,
    };
  }
  const place = aux.find((a) => a.kind === 'municipality');
  if (place?.kind !== 'municipality')
    return {
      zh: '卡片回答您的戶籍是否在服務指定之地區。',
      en: 'The card answers whether your household is registered in the area the service names.',
    };
  const where = placeOf(place.prefix);
  return {
    zh: `卡片只回答您的戶籍是否在${where.zh}，不提供地址。`,
    en: `The card only answers whether your household is registered in ${where.en}; your address is not released.`,
  };
}

/** Always part of a login (Restricted Identification, document validity). */
export const ALWAYS = {
  pseudonym: {
    zh: '服務專屬識別碼：只給本服務的代碼（不是身分證統一編號），並用來檢查卡片是否已註銷。',
    en: 'A pseudonym for this service only (not your ID number), also used to check that the card is not revoked.',
  },
  validity: {
    zh: '卡片有效期限：檢查卡片是否仍在有效期間內。',
    en: 'Card validity: whether the card is still valid.',
  },
} as const satisfies Record<string, Bilingual>;
