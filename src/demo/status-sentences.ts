/**
 * What the demo eService tells a person about a failed login: the SAML status
 * codes of the IdP's Response (interfaces/saml/status.ts, the reason code
 * `urn:tw:neid:saml:status:<reason>` as TR-03130-1 §4.7.3 asks for) turned
 * into a sentence and what to do next, Traditional Chinese first. The codes
 * themselves stay on the page in small print for support.
 */
import { NEID_STATUS_PREFIX } from '../interfaces/saml/status.js';

export interface Sentence {
  readonly zh: string;
  readonly en: string;
}

const TRY_AGAIN: Sentence = { zh: '請稍後再試一次。', en: 'Please try again later.' };

const BY_REASON: Readonly<Record<string, Sentence>> = {
  cancelled: { zh: '您已取消登入，未提供任何資料。', en: 'You cancelled the login; no data was shared.' },
  wrongPin: {
    zh: '登入未完成：PIN1 輸入錯誤。請確認您的 PIN1 後再試一次。',
    en: 'The login did not complete: the PIN1 entered was wrong. Check your PIN1 and try again.',
  },
  pinBlocked: {
    zh: '您的 PIN1 已鎖住。請在 eID-Client 以用戶代碼解鎖並設定新的 PIN1，或洽戶政事務所。',
    en: 'Your PIN1 is blocked. Unblock it with your user code in the eID-Client and set a new PIN1, or visit a household registration office.',
  },
  cardRemoved: {
    zh: '讀不到卡片，或卡片在登入途中被移開。請放好卡片後再試一次。',
    en: 'The card could not be read, or it was removed during the login. Put it on the reader and try again.',
  },
  timeout: { zh: '登入逾時。請再試一次。', en: 'The login took too long. Please try again.' },
  sessionExpired: {
    zh: '此登入已逾時或已使用過。請重新登入。',
    en: 'This login expired or was already used. Please log in again.',
  },
  documentExpired: {
    zh: '您的身分證已超過有效期限，無法用於登入。請至戶政事務所換發。',
    en: 'Your ID card has expired and cannot be used to log in. A household registration office can issue a new one.',
  },
  documentRevoked: {
    zh: '此身分證已註銷（例如已掛失），無法用於登入。',
    en: 'This ID card has been revoked (for example, reported lost) and cannot be used to log in.',
  },
  documentNotAuthentic: {
    zh: '無法確認此卡片為真正的新一代身分證，登入已中止。',
    en: 'The card could not be verified as a genuine New eID card; the login was stopped.',
  },
  requiredAttributeWithheld: {
    zh: '您未提供本服務必要的資料，因此無法登入。',
    en: 'You did not share data this service requires, so you cannot log in.',
  },
  clientError: {
    zh: 'eID-Client 回報錯誤，登入未完成。請再試一次。',
    en: 'The eID-Client reported an error and the login did not complete. Please try again.',
  },
  channelError: {
    zh: `與卡片的安全連線中斷。${TRY_AGAIN.zh}`,
    en: `The secure link to the card failed. ${TRY_AGAIN.en}`,
  },
  protocolError: {
    zh: `系統發生技術問題。${TRY_AGAIN.zh}`,
    en: `A technical problem occurred. ${TRY_AGAIN.en}`,
  },
  internalError: {
    zh: `系統發生技術問題。${TRY_AGAIN.zh}`,
    en: `A technical problem occurred. ${TRY_AGAIN.en}`,
  },
  tooManyOpenSessions: {
    zh: `目前登入的人數過多。${TRY_AGAIN.zh}`,
    en: `Too many logins at the moment. ${TRY_AGAIN.en}`,
  },
  notApproved: {
    zh: '本服務未獲准讀取所請求的資料（服務設定問題）。',
    en: 'This service is not approved for the data it asked for (a problem of the service).',
  },
};

const REQUEST_PROBLEM: Sentence = {
  zh: '本服務的登入請求無法處理（服務設定問題）。',
  en: "The service's login request could not be handled (a problem of the service).",
};

/** The sentence for a Response's status codes (outermost first). */
export function sentenceOf(codes: readonly string[]): Sentence {
  const reason = codes.find((c) => c.startsWith(NEID_STATUS_PREFIX))?.slice(NEID_STATUS_PREFIX.length);
  const known = reason ? BY_REASON[reason] : undefined;
  if (known) return known;
  if (codes[0]?.endsWith(':Requester')) return REQUEST_PROBLEM;
  return { zh: `登入失敗。${TRY_AGAIN.zh}`, en: `The login failed. ${TRY_AGAIN.en}` };
}
