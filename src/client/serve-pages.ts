/**
 * The pages of `neid-client serve` (TR-03124-1 §3.8): who asks for what and
 * PIN1, the PIN dialogue (wrong PIN, CAN, user code), the card, and the way
 * back to the eService. Traditional Chinese first, English second; no
 * scripts, no external resources (the server's CSP allows neither).
 */
import type { FunctionId } from '../profile/authorization.js';
import { esc, escAttr } from '../xml/build.js';
import type { ConsentRequest } from './consent.js';
import {
  ALWAYS,
  type Bilingual,
  formatDate,
  functionInWords,
  rightLabel,
  todayInTaiwan,
} from './consent-view.js';
import type { PinPrompt } from './pin-dialogue.js';

const both = (t: Bilingual) => `${esc(t.zh)}<br><span class="en">${esc(t.en)}</span>`;
const inline = (t: Bilingual) => `${esc(t.zh)} <span class="en">${esc(t.en)}</span>`;

export function page(title: Bilingual, body: string, refresh?: { url: string; seconds: number }): string {
  const meta = refresh
    ? `<meta http-equiv="refresh" content="${refresh.seconds};url=${escAttr(refresh.url)}">`
    : '';
  return `<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${meta}
<title>${esc(title.zh)} ${esc(title.en)}</title><style>
body{font-family:system-ui,"Noto Sans TC",sans-serif;max-width:42rem;margin:1.5rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.1rem;color:#12355b;margin:0 0 1rem}h2{font-size:1.25rem;margin:.2rem 0 .8rem}.en{color:#444;font-size:.92em}
section,fieldset{border:1px solid #ccd;border-radius:.5rem;margin:1rem 0;padding:.7rem 1rem}legend{font-weight:600;padding:0 .3rem}
ul{padding-left:1.2rem}li{margin:.35rem 0}.hint{color:#555;font-size:.9rem}.alert{border-color:#c33;background:#fff4f4}
label.field{display:block;margin:.6rem 0}input[type=password],input[type=text]{font-size:1.1rem;padding:.3rem;width:12rem}
button,a.button{display:inline-block;background:#0b5fa5;color:#fff;border:0;border-radius:.4rem;padding:.55rem 1.1rem;font-size:1rem;text-decoration:none;margin:.3rem .4rem .3rem 0}
button.secondary{background:#6b7280}button .en,a.button .en{color:inherit;opacity:.9}pre{white-space:pre-wrap;background:#f6f6f8;padding:.6rem;font-size:.9rem}.tag{font-size:.8rem;background:#e8eef6;border-radius:.3rem;padding:0 .3rem}
</style></head><body><h1>新一代身分證 eID-Client <span class="en">New eID-Client</span></h1>
<h2>${inline(title)}</h2>${body}</body></html>`;
}

const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${escAttr(name)}" value="${escAttr(value)}">`;

const pinInput = (name: string, label: Bilingual, autofocus = true) =>
  `<label class="field">${inline(label)}<br><input type="password" name="${escAttr(name)}" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="off" required${autofocus ? ' autofocus' : ''}></label>`;

const buttons = (accept: Bilingual, cancel: Bilingual = { zh: '取消', en: 'Cancel' }) =>
  `<p><button type="submit" name="action" value="accept">${inline(accept)}</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>${inline(cancel)}</button></p>`;

const form = (action: string, seq: number, inner: string) =>
  `<form method="post" action="${escAttr(action)}">${hidden('seq', String(seq))}${inner}</form>`;

const PIN_HINT: Bilingual = {
  zh: 'PIN1 為 6 位數字。連續輸入錯誤兩次後 PIN1 暫停（需卡面上的 CAN），第三次錯誤即鎖住（需用戶代碼解鎖）。',
  en: 'PIN1 has 6 digits. After two wrong entries it is suspended (the CAN printed on the card resumes it); a third wrong entry blocks it (the user code unblocks it).',
};

function rightItem(r: ConsentRequest, id: string, optional: boolean, today: string): string {
  const words =
    id === 'ageVerification' || id === 'placeVerification'
      ? `<br><span class="hint">${both(functionInWords(id as FunctionId, r.auxiliaryData, today))}</span>`
      : '';
  const box = optional
    ? `<input type="checkbox" name="keep" value="${escAttr(id)}" checked>`
    : '<input type="checkbox" checked disabled>';
  const tag = optional ? '<span class="tag">可選 optional</span>' : '<span class="tag">必要 required</span>';
  return `<li><label>${box} ${inline(rightLabel(id))} ${tag}</label>${words}</li>`;
}

export function consentPage(action: string, seq: number, r: ConsentRequest, error?: Bilingual): string {
  const today = r.auxiliaryData.find((a) => a.kind === 'validity')?.currentDate ?? todayInTaiwan();
  const required = [...r.required.fields, ...r.required.functions];
  const optional = [...r.optional.fields, ...r.optional.functions];
  const d = r.description;
  const from = formatDate(r.validFrom);
  const to = formatDate(r.validTo);
  const always = [
    ...(r.required.restrictedIdentification || r.optional.restrictedIdentification ? [ALWAYS.pseudonym] : []),
    ...(r.auxiliaryData.some((a) => a.kind === 'validity') ? [ALWAYS.validity] : []),
  ];
  const approved = [...r.approved.fields, ...r.approved.functions];
  return page(
    { zh: '確認提供資料', en: 'Confirm the data you share' },
    `${error ? `<section class="alert">${both(error)}</section>` : ''}
<section><p><strong>${esc(d.subjectName)}</strong>${d.subjectUrl ? `<br><span class="hint">${esc(d.subjectUrl)}</span>` : ''}</p>
<p>${both({ zh: '請求讀取您新一代身分證上的下列資料。', en: 'asks to read the following from your New eID card.' })}</p>
<p class="hint">${inline({ zh: '服務憑證核發者', en: 'Certificate issued by' })}: ${esc(d.issuerName)}${d.issuerUrl ? ` (${esc(d.issuerUrl)})` : ''}<br>
${inline({ zh: '憑證有效期間', en: 'Valid' })}: ${esc(from.zh)} – ${esc(to.zh)}<br><span class="en">${esc(from.en)} – ${esc(to.en)}</span></p>
${r.transactionInfo ? `<p>${esc(r.transactionInfo)}</p>` : ''}
<details><summary>${inline({ zh: '服務說明及本服務經核准讀取之資料', en: 'About this service and what it is approved to read' })}</summary>
<pre>${esc(d.termsOfUsage)}</pre>
<ul>${approved.map((id) => `<li>${inline(rightLabel(id))}</li>`).join('')}</ul></details></section>
${form(
  action,
  seq,
  `<fieldset><legend>${inline({ zh: '請求之資料', en: 'Requested data' })}</legend><ul>
${required.map((id) => rightItem(r, id, false, today)).join('\n')}
${optional.map((id) => rightItem(r, id, true, today)).join('\n')}
</ul>
${required.length ? `<p class="hint">${both({ zh: '「必要」資料是服務辦理所需，無法取消勾選；若不同意提供，請按「取消」。', en: 'Required data is needed by the service and cannot be unticked; if you do not agree, press Cancel.' })}</p>` : ''}
${optional.length ? `<p class="hint">${both({ zh: '「可選」資料可取消勾選，服務將不會收到。', en: 'You may untick optional data; the service will not receive it.' })}</p>` : ''}
</fieldset>
${always.length ? `<section><ul>${always.map((t) => `<li class="hint">${both(t)}</li>`).join('')}</ul></section>` : ''}
${pinInput('pin', { zh: '請輸入 PIN1 (6 位數字)', en: 'Enter PIN1 (6 digits)' })}
<p class="hint">${both(PIN_HINT)}</p>
${buttons({ zh: '同意並登入', en: 'Accept and log in' })}`,
)}`,
  );
}

/** The PIN dialogue after a failed attempt, and the card prompt. */
export function promptPage(action: string, seq: number, p: PinPrompt, error?: Bilingual): string {
  const err = error ? `<section class="alert">${both(error)}</section>` : '';
  switch (p.kind) {
    case 'pin': {
      const left = p.retriesLeft;
      return page(
        { zh: 'PIN1 錯誤', en: 'Wrong PIN1' },
        `${err}<section class="alert">${both({
          zh: `您輸入的 PIN1 不正確${left !== undefined ? `，尚餘 ${left} 次機會` : ''}。`,
          en: `The PIN1 you entered is wrong${left !== undefined ? `; ${left} attempt${left === 1 ? '' : 's'} left` : ''}.`,
        })}</section>
${form(action, seq, `${pinInput('pin', { zh: '請再輸入 PIN1', en: 'Enter PIN1 again' })}<p class="hint">${both(PIN_HINT)}</p>${buttons({ zh: '重試', en: 'Try again' })}`)}`,
      );
    }
    case 'can':
      return page(
        { zh: 'PIN1 已暫停', en: 'PIN1 is suspended' },
        `${err}<section class="alert">${both(
          p.wrongCan
            ? {
                zh: 'CAN 不正確，請核對卡面上的 6 位數字。',
                en: 'The CAN is wrong; check the 6 digits printed on the card.',
              }
            : {
                zh: 'PIN1 已連續輸入錯誤兩次而暫停。請輸入卡面上的 6 位數 CAN，再輸入 PIN1（最後一次機會）。',
                en: 'PIN1 was entered wrongly twice and is suspended. Enter the 6-digit CAN printed on the card, then PIN1 (last attempt).',
              },
        )}</section>
${form(
  action,
  seq,
  `<label class="field">${inline({ zh: 'CAN（卡面上的 6 位數字）', en: 'CAN (6 digits on the card)' })}<br><input type="text" name="can" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="off" required autofocus></label>
${pinInput('pin', { zh: 'PIN1', en: 'PIN1' }, false)}${buttons({ zh: '繼續', en: 'Continue' })}`,
)}`,
      );
    case 'unblock':
      return page(
        { zh: 'PIN1 已鎖住', en: 'PIN1 is blocked' },
        `${err}<section class="alert">${both(
          p.wrongUserCode
            ? {
                zh: `用戶代碼不正確${p.retriesLeft !== undefined ? `，尚餘 ${p.retriesLeft} 次機會` : ''}。`,
                en: `The user code is wrong${p.retriesLeft !== undefined ? `; ${p.retriesLeft} attempts left` : ''}.`,
              }
            : {
                zh: 'PIN1 已鎖住。請輸入用戶代碼（領證時「領證確認書」上的 6–10 位英數字）解鎖，並設定新的 PIN1。',
                en: 'PIN1 is blocked. Enter your user code (6–10 letters or digits, on the confirmation slip you received with the card) to unblock it, and set a new PIN1.',
              },
        )}</section>
${form(
  action,
  seq,
  `<label class="field">${inline({ zh: '用戶代碼', en: 'User code' })}<br><input type="password" name="userCode" pattern="[A-Za-z0-9]{6,10}" maxlength="10" autocomplete="off" required autofocus></label>
${pinInput('newPin', { zh: '新的 PIN1 (6 位數字)', en: 'New PIN1 (6 digits)' }, false)}
${pinInput('newPin2', { zh: '再輸入一次新的 PIN1', en: 'New PIN1 again' }, false)}
<p class="hint">${both({ zh: '忘記用戶代碼時，請洽戶政事務所。', en: 'If you have lost the user code, a household registration office (戶政事務所) can help.' })}</p>
${buttons({ zh: '解鎖並繼續', en: 'Unblock and continue' })}`,
)}`,
      );
    case 'card':
      return page(
        { zh: '找不到卡片', en: 'No card' },
        `${err}<section class="alert">${both({ zh: '讀不到您的新一代身分證。請將卡片放上讀卡機後按「重試」。', en: 'Your New eID card cannot be read. Put it on the reader and press Try again.' })}
<p class="hint">${esc(p.reason)}</p></section>
${form(action, seq, buttons({ zh: '重試', en: 'Try again' }))}`,
      );
  }
}

export function waitPage(url: string): string {
  return page(
    { zh: '處理中', en: 'Working' },
    `<section><p>${both({ zh: '正在與服務及卡片通訊，請稍候…', en: 'Talking to the service and the card, please wait…' })}</p></section>`,
    { url, seconds: 1 },
  );
}

/** After a form: no cross-origin redirect (CSP form-action); the page itself sends the citizen back. */
export function returnPage(url: string): string {
  return page(
    { zh: '返回服務', en: 'Back to the service' },
    `<section><p>${both({ zh: '正在帶您返回服務…', en: 'Taking you back to the service…' })}</p>
<p><a class="button" id="continue" href="${escAttr(url)}">${inline({ zh: '繼續', en: 'Continue' })}</a></p></section>`,
    { url, seconds: 0 },
  );
}

export function messagePage(title: Bilingual, message: Bilingual, detail?: string): string {
  return page(
    title,
    `<section class="alert"><p>${both(message)}</p>${detail ? `<p class="hint">${esc(detail)}</p>` : ''}</section>`,
  );
}
