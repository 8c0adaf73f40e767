/**
 * The console's words in both languages (zh-TW first): roles, states, reasons,
 * the label of every field the admin API can name in an error (by JSON
 * pointer), what each kind of error means, and the API's refusals as an admin
 * should read them. An error therefore always names its field in both
 * languages, whatever the API said in English.
 */
import { fieldDef, isFieldId } from '../../profile/fields.js';
import type { Role } from '../../registry/roles.js';
import type { Text } from './html.js';

export const ROLE_TEXT: Readonly<Record<Role, Text>> = {
  applicant: ['申請者（eService 聯絡人）', 'Applicant (eService contact)'],
  reviewer: ['審查者', 'Reviewer'],
  approver: ['核准者', 'Approver'],
  'security-officer': ['資訊安全官', 'Security officer'],
  auditor: ['稽核者', 'Auditor'],
};

export const STATUS_TEXT: Readonly<Record<string, Text>> = {
  draft: ['草稿', 'Draft'],
  submitted: ['已送出（待審查）', 'Submitted (to review)'],
  reviewed: ['已審查（待核定）', 'Reviewed (to decide)'],
  approved: ['已核准（待憑證）', 'Approved (certificate pending)'],
  rejected: ['未核准', 'Rejected'],
  active: ['生效中', 'Active'],
  suspended: ['已暫停', 'Suspended'],
  revoked: ['已撤銷', 'Revoked'],
  superseded: ['已被取代', 'Superseded'],
  pending: ['待生效', 'Pending'],
  invited: ['已邀請', 'Invited'],
  disabled: ['已停用', 'Disabled'],
  requested: ['已申請（待 DV 簽發）', 'Requested (awaiting the DV)'],
  generating: ['產生中', 'Generating'],
  withdrawn: ['已撤回', 'Withdrawn'],
};

export const statusText = (s: string): Text => STATUS_TEXT[s] ?? [s, s];

/** Seed 004 表8 「無法提供原因」. */
export const REASON_TEXT: Readonly<Record<string, Text>> = {
  'incomplete-form': ['申請書填寫不完整', 'The form is incomplete'],
  'host-address-mismatch': ['主機網路位址不符', 'The host addresses do not match'],
  'does-not-fit-business': ['申請欄位與業務不符', 'The fields do not fit the business'],
  other: ['其他', 'Other'],
};

export const ELIGIBILITY_TEXT: Readonly<Record<string, Text>> = {
  '': ['無（不申請加密區欄位）', 'None (no encrypted-area field)'],
  'critical-infrastructure': ['關鍵基礎設施提供者', 'Critical infrastructure provider'],
  'designated-industry': ['目的事業主管機關指定之行業', 'Industry designated by its competent authority'],
};

export const FUNCTION_TEXT: Readonly<Record<string, Text>> = {
  ageVerification: ['年齡驗證', 'Age verification'],
  placeVerification: ['戶籍地區驗證', 'Place verification'],
};

export const fieldText = (f: string): Text =>
  isFieldId(f) ? [fieldDef(f).label.zh, fieldDef(f).label.en] : (FUNCTION_TEXT[f] ?? [f, f]);

/** Field labels by JSON pointer (array indices removed). */
const LABELS: Readonly<Record<string, Text>> = {
  '/eServiceId': ['eService 代碼', 'eService id'],
  '/eService': ['eService 資料', 'eService profile'],
  '/eService/id': ['eService 代碼', 'eService id'],
  '/eService/displayName/zh': ['服務名稱（中文）', 'Service name (Chinese)'],
  '/eService/displayName/en': ['服務名稱（英文）', 'Service name (English)'],
  '/eService/purpose/zh': ['向民眾說明的用途（中文）', 'Purpose shown to citizens (Chinese)'],
  '/eService/purpose/en': ['向民眾說明的用途（英文）', 'Purpose shown to citizens (English)'],
  '/eService/url': ['服務網址', 'Service URL'],
  '/eService/terminalMnemonic': ['終端憑證代號', 'Terminal mnemonic'],
  '/form': ['表8 申請書', 'The 表8 form'],
  '/form/competentAuthority': ['目的事業主管機關', 'Competent authority'],
  '/form/agencyName': ['需用機關單位名稱', 'Agency name'],
  '/form/contact': ['聯絡人資料', 'Contact'],
  '/eService/displayName': ['服務名稱', 'Service name'],
  '/eService/purpose': ['向民眾說明的用途', 'Purpose shown to citizens'],
  '/form/competentAuthority/zh': ['目的事業主管機關（中文）', 'Competent authority (Chinese)'],
  '/form/competentAuthority/en': ['目的事業主管機關（英文）', 'Competent authority (English)'],
  '/form/agencyCode': ['機關代碼', 'Agency code'],
  '/form/agencyName/zh': ['需用機關單位名稱（中文）', 'Agency name (Chinese)'],
  '/form/agencyName/en': ['需用機關單位名稱（英文）', 'Agency name (English)'],
  '/form/taxId': ['統一編號', 'Tax ID number'],
  '/form/industryCode': ['適用行業代碼', 'Industry code'],
  '/form/address': ['機關單位地址', 'Address'],
  '/form/purpose': ['申請目的', 'Purpose of the application'],
  '/form/plannedTestDate': ['預計測試日期', 'Planned test date'],
  '/form/hostAddresses': ['主機網路位址', 'Host IP addresses'],
  '/form/subnetMask': ['子網路遮罩', 'Subnet mask'],
  '/form/eligibility': ['加密區資格', 'Eligibility for the encrypted area'],
  '/form/contact/name': ['聯絡人', 'Contact person'],
  '/form/contact/phone': ['連絡電話', 'Phone'],
  '/form/contact/email': ['電子信箱', 'Email'],
  '/requestedFields': ['申請讀取之欄位', 'Requested fields'],
  '/requestedFunctions': ['申請之功能', 'Requested functions'],
  '/reason': ['未核准原因', 'Reason for the rejection'],
  '/text': ['說明', 'Explanation'],
  '/note': ['審查意見', 'Review note'],
  '/name': ['名稱', 'Name'],
  '/roles': ['角色', 'Roles'],
  '/eServices': ['負責的 eService', 'Own eServices'],
  '/status': ['狀態', 'Status'],
  '/displayName/zh': ['服務名稱（中文）', 'Service name (Chinese)'],
  '/displayName/en': ['服務名稱（英文）', 'Service name (English)'],
  '/purpose/zh': ['向民眾說明的用途（中文）', 'Purpose shown to citizens (Chinese)'],
  '/purpose/en': ['向民眾說明的用途（英文）', 'Purpose shown to citizens (English)'],
  '/url': ['服務網址', 'Service URL'],
  '/maxOpenSessions': ['同時登入上限', 'Concurrent logins allowed'],
  '/metadataXml': ['SAML 中繼資料（上傳）', 'SAML metadata (upload)'],
  '/metadataUrl': ['SAML 中繼資料網址', 'SAML metadata URL'],
  '/client': ['OIDC 用戶端設定', 'OIDC client settings'],
  '/certificate': ['憑證', 'Certificate'],
  '/usage': ['用途', 'Usage'],
  '/requestCounter': ['RequestCounter 規則', 'RequestCounter rule'],
  '/subject': ['鎖定對象', 'Locked subject'],
  '/actor': ['操作者', 'Actor'],
  '/action': ['動作', 'Action'],
  '/target': ['對象', 'Target'],
  '/outcome': ['結果', 'Outcome'],
  '/from': ['起日', 'From'],
  '/to': ['迄日', 'To'],
  '/signature': ['組織憑證簽章', 'Organisation-certificate signature'],
  '/assessment': ['受理機關審核資料', 'The Ministry’s assessment'],
  '/assessment/result': ['審核結果', 'Result'],
  '/assessment/reasons': ['無法提供原因', 'Why it cannot be provided'],
  '/assessment/text': ['其他原因／備註', 'Other reason / remarks'],
  '/assessment/plannedTestDate': ['預計測試日期', 'Planned test date'],
  '/assessment/plannedConnectionDate': ['預計連線日期', 'Planned connection date'],
  '/assessment/applicantNetworks': ['申請單位網路位址', 'Applicant’s networks'],
  '/assessment/ministryNetworks': ['受理機關網路位址', 'Ministry’s networks'],
  '/networks': ['網路位址', 'Networks'],
  '/': ['整份表單', 'The whole form'],
};

/** The label of the field a JSON pointer names: exact, else without indices, else its nearest parent. */
export function labelOf(pointer: string): Text {
  let p = pointer.replace(/\/\d+(?=\/|$)/g, '');
  if (!p) p = '/';
  for (;;) {
    const hit = LABELS[p];
    if (hit) return hit;
    const cut = p.lastIndexOf('/');
    if (cut <= 0) return LABELS[p] ?? [pointer, pointer];
    p = p.slice(0, cut);
  }
}

const REASONS: Readonly<Record<string, Text>> = {
  required: ['必填', 'is required'],
  pattern: ['格式不正確', 'has the wrong format'],
  'format:date': ['應為日期 YYYY-MM-DD', 'must be a date, YYYY-MM-DD'],
  'format:email': ['應為電子信箱', 'must be an email address'],
  'format:uri': ['應為網址', 'must be a URL'],
  maxLength: ['太長', 'is too long'],
  minLength: ['不可空白', 'must not be empty'],
  minItems: ['至少填一項', 'needs at least one entry'],
  maxItems: ['項目太多', 'has too many entries'],
  enum: ['不是可選的值', 'is not one of the choices'],
  type: ['類型不正確', 'has the wrong type'],
  minimum: ['太小', 'is too small'],
  maximum: ['太大', 'is too large'],
  uniqueItems: ['有重複的項目', 'lists an entry twice'],
  additionalProperties: ['不是此表單的欄位', 'is not a field of this form'],
  'nothing-requested': ['至少申請一個欄位或功能', 'request at least one field or function'],
  eligibility: [
    '申請加密區欄位須具備資格（關鍵基礎設施或指定行業）',
    'encrypted-area fields need an eligibility (critical infrastructure or designated industry)',
  ],
  'not-an-ip': ['不是 IP 位址', 'is not an IP address'],
  'not-a-mask': ['不是子網路遮罩', 'is not a subnet mask'],
  'not-a-cidr': ['不是位址或 CIDR 網段（a.b.c.d/nn）', 'is not an address or a CIDR block (a.b.c.d/nn)'],
  'reason-required': ['無法提供須勾選原因', '“cannot provide” needs a reason'],
  'no-reason': ['提供時不填原因', '“provide” takes no reason'],
  'text-required': ['「其他」須說明', '“other” needs a text'],
  'date-order': ['連線日期應在測試日期之後', 'the connection comes after the test'],
  'organisation-mismatch': [
    '憑證之統一編號與申請書不符',
    'the certificate’s organisation identifier is not the form’s 統一編號',
  ],
  'certificate-revoked': ['憑證已被廢止', 'the certificate is revoked'],
  'unknown-ca': ['憑證非由受信任之憑證機構簽發', 'the certificate is not from a trusted CA'],
  'bad-signature': ['簽章不符此申請書', 'the signature does not match this application'],
  'malformed-signature': ['不是 CMS 簽章檔', 'not a CMS signature'],
  'certificate-expired': ['憑證不在效期內', 'the certificate is not valid now'],
  'revocation-unknown': ['無法確認憑證廢止狀態', 'the certificate’s revocation cannot be checked'],
  'unsuitable-certificate': ['此憑證不能用於簽章', 'the certificate cannot sign'],
  conflict: ['已被使用', 'is taken already'],
};

export const reasonText = (keyword: string | undefined): Text =>
  (keyword && REASONS[keyword]) || ['此值不被接受', 'this value is not accepted'];

/** What an admin should read for an API refusal that is not about one field. */
export function refusalText(status: number, kind: string): Text {
  if (kind === 'stale' || status === 412)
    return [
      '此資料已被他人修改：請重新載入頁面，檢視最新內容後再操作。',
      'Someone changed this record meanwhile: reload the page, check the current version, then try again.',
    ];
  if (kind === 'reauthentication-required')
    return [
      '此操作需要剛完成的身分驗證：請以晶片卡或通行金鑰重新驗證。',
      'This step needs a fresh authentication: confirm it is you with your card or passkey.',
    ];
  if (kind === 'address-not-registered')
    return [
      '此 eService 只接受來自其登記網路位址之呼叫。',
      'This eService’s calls are accepted from its registered addresses only.',
    ];
  if (status === 403)
    return [
      '您的角色不允許此操作（已記錄於稽核紀錄）。',
      'Your role does not allow this (recorded in the audit log).',
    ];
  if (status === 404) return ['找不到此資料。', 'This record does not exist.'];
  if (kind === 'wrong-state')
    return ['此資料目前的狀態不允許此操作。', 'The record’s state does not allow this step.'];
  if (kind === 'conflict') return ['與現有資料衝突。', 'This conflicts with an existing record.'];
  if (kind === 'certificate-failed')
    return [
      '已核准，但終端憑證未能產生；排除原因後請重試。',
      'Approved, but the terminal certificate failed; retry once the cause is fixed.',
    ];
  if (kind === 'fetch-failed') return ['無法取得中繼資料。', 'The metadata could not be fetched.'];
  if (status === 503)
    return ['資料庫暫時無法使用，請稍後再試。', 'The registry database is unavailable; try again shortly.'];
  if (status === 422 || status === 400) return ['輸入有誤。', 'The input is not valid.'];
  return ['操作失敗，詳情見伺服器紀錄。', 'The step failed; the server log has the details.'];
}
