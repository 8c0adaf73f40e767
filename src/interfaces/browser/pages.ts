/** The IdP's pages around the eID login (server-rendered, no external resources, strict CSP). */
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { esc, escAttr } from '../../xml/build.js';

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>
body{font-family:system-ui,"Noto Sans TC",sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.4rem}.card{border:1px solid #ccd;border-radius:.6rem;padding:1rem 1.2rem;margin:1rem 0}
a.button,button{display:inline-block;background:#0b5fa5;color:#fff;border:0;border-radius:.4rem;padding:.6rem 1.1rem;font-size:1rem;text-decoration:none;cursor:pointer}
.muted{color:#555;font-size:.9rem}
</style></head><body>${body}</body></html>`;
}

export function activationPage(v: {
  title: string;
  eServiceName: string;
  clientUrl: string;
  statusUrl: string;
  returnUrl: string;
}): string {
  return layout(
    v.title,
    `<h1>${esc(v.title)}</h1>
<div class="card"><p>${esc(v.eServiceName)} 請求以新一代身分證 (New eID) 登入。<br>${esc(v.eServiceName)} asks you to log in with your New eID card.</p>
<p><a class="button" id="start" href="${escAttr(v.clientUrl)}">啟動 eID-Client / Start the eID-Client</a></p>
<p class="muted" id="status">請於 eID-Client 中確認欄位並輸入 PIN1。 Confirm the fields and enter PIN1 in the eID-Client.</p></div>
<script>
(function(){var s="${escAttr(v.statusUrl)}",r="${escAttr(v.returnUrl)}";
function poll(){fetch(s,{credentials:"same-origin"}).then(function(x){return x.json()}).then(function(j){
if(j.state==="done"){location.href=r;}else if(j.state==="running"){setTimeout(poll,1500);}}).catch(function(){setTimeout(poll,3000)});}
setTimeout(poll,2000);})();
</script>`,
  );
}

/** A text in Traditional Chinese (first) and English. */
export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

/** The "back" link's only script: leave this page for the one before it (the eService, as a rule). */
const BACK_SCRIPT =
  'document.getElementById("back").addEventListener("click",function(e){if(history.length>1){e.preventDefault();history.back();}});';
const BACK_HASH = createHash('sha256').update(BACK_SCRIPT).digest('base64');

export const ERROR_PAGE_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${BACK_HASH}'; form-action 'none'; frame-ancestors 'none'`;

export interface ErrorView {
  readonly title: Bilingual;
  /** What happened and what to do, as a sentence for the citizen. */
  readonly message: Bilingual;
  /** A technical detail for support (a code, never personal data). */
  readonly detail?: string;
  /** Where "back" leads: the eService when it is known; otherwise the page before this one. */
  readonly back?: { readonly href: string; readonly label: Bilingual };
}

/** An IdP error page: a sentence in both languages and a way back to the eService. */
export function errorPage(v: ErrorView): string {
  const back = v.back ?? {
    href: '#',
    label: { zh: '返回上一頁（服務網站）', en: 'Back to the previous page (the service)' },
  };
  const href = back.href;
  return layout(
    `${v.title.zh} ${v.title.en}`,
    `<h1>${esc(v.title.zh)}<br><span class="muted">${esc(v.title.en)}</span></h1>
<div class="card"><p>${esc(v.message.zh)}</p><p class="muted">${esc(v.message.en)}</p>
${v.detail ? `<p class="muted">${esc(v.detail)}</p>` : ''}
<p><a class="button" id="back" href="${escAttr(href)}">${esc(back.label.zh)} ${esc(back.label.en)}</a></p></div>
${v.back ? '' : `<script>${BACK_SCRIPT}</script>`}`,
  );
}

/** Sends an error page with its status, no caching and the page's CSP. */
export function sendErrorPage(ctx: Context, status: number, v: ErrorView): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Security-Policy', ERROR_PAGE_CSP);
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = errorPage(v);
}

/** The login this page belongs to is unknown or over: start again at the eService. */
export const LOGIN_UNKNOWN: ErrorView = {
  title: { zh: '登入已結束', en: 'This login is over' },
  message: {
    zh: '此登入已逾時、已完成，或是在另一個瀏覽器開始的。請回到服務網站重新登入。',
    en: 'This login has expired, has already finished, or was started in another browser. Go back to the service and log in again.',
  },
};
