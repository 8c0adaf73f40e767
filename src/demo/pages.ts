/** The demo eService's pages: server-rendered, no external resources (strict CSP set by portal.ts). */
import { esc, escAttr } from '../xml/build.js';

export interface ShownAttribute {
  readonly label: string;
  readonly value: string;
  /** A JPEG to show instead of text (the Photo attribute), base64. */
  readonly jpeg?: string;
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>
body{font-family:system-ui,"Noto Sans TC",sans-serif;margin:0;color:#1b1b1b;line-height:1.5;background:#f4f6f9}
header{background:#12355b;color:#fff;padding:.9rem 1.5rem}header h1{margin:0;font-size:1.25rem}header p{margin:0;opacity:.8;font-size:.9rem}
main{max-width:46rem;margin:1.5rem auto;padding:0 1rem}.card{background:#fff;border:1px solid #d5dbe3;border-radius:.6rem;padding:1.1rem 1.3rem;margin:1rem 0}
a.button{display:inline-block;background:#0b5fa5;color:#fff;border-radius:.4rem;padding:.6rem 1.1rem;text-decoration:none;margin:.2rem .4rem .2rem 0}
a.button.secondary{background:#4d6b8a}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e4e8ee;vertical-align:top}
th{width:40%;font-weight:600}.muted{color:#555;font-size:.9rem}img.photo{max-width:9rem;border:1px solid #ccd;border-radius:.3rem}code{background:#eef1f5;padding:0 .25rem}
</style></head><body><header><h1>示範政府服務入口網 Demo government portal</h1><p>N_eID-Server demo eService (SAML SP)</p></header><main>${body}</main></body></html>`;
}

export function landingPage(v: {
  loginUrl: string;
  ageLoginUrl: string;
  clientRunning: boolean;
  card: { pin: string; can: string; userCode: string };
}): string {
  return layout(
    'Demo government portal',
    `<div class="card"><h2>以新一代身分證登入 Log in with the New eID</h2>
<p>This demo portal is a SAML service provider of the N_eID-Server on this machine. Logging in runs a
complete EAC online authentication against a <strong>virtual New eID card</strong> through the local
eID-Client, and shows the attributes the IdP released in its encrypted, signed assertion.</p>
<p><a class="button" id="login" href="${escAttr(v.loginUrl)}">以新一代身分證登入 Log in with New eID</a>
<a class="button secondary" id="login-age" href="${escAttr(v.ageLoginUrl)}">登入並驗證年滿 18 歲 Log in and verify age ≥ 18</a></p>
<p class="muted">示範卡 demo card: PIN1 <code>${esc(v.card.pin)}</code>, CAN <code>${esc(v.card.can)}</code>, 用戶代碼 user code <code>${esc(v.card.userCode)}</code>.
${
  v.clientRunning
    ? 'The demo eID-Client listens on http://127.0.0.1:24727.'
    : 'The demo eID-Client could not start (is another eID-Client using port 24727?); the login uses that one.'
}</p></div>
<div class="card muted"><p>The first button asks for the attributes of this SP's metadata
(AttributeConsumingService); the second sends a TR-03130 EncryptedAuthnRequestExtension asking for the
name and an age verification (≥ 18) instead of the date of birth, and the photo as an optional
attribute — an eID-Client that cannot release the photo (AusweisApp2: DG14 is no TR-03127 right)
still logs in.</p></div>`,
  );
}

export function resultPage(v: {
  attributes: readonly ShownAttribute[];
  nameId: string;
  nameIdFormat: string;
  homeUrl: string;
}): string {
  const rows = v.attributes
    .map(
      (a) =>
        `<tr><th>${esc(a.label)}</th><td>${
          a.jpeg
            ? `<img class="photo" alt="photo" src="data:image/jpeg;base64,${escAttr(a.jpeg)}">`
            : esc(a.value)
        }</td></tr>`,
    )
    .join('\n');
  return layout(
    'Logged in',
    `<div class="card"><h2>登入成功 Logged in</h2>
<p class="muted">The IdP's Response and Assertion signatures were verified and the assertion decrypted with this SP's key.
Nothing below is stored by the demo portal.</p>
<table id="attributes">
<tr><th>NameID</th><td><code>${esc(v.nameId)}</code><br><span class="muted">${esc(v.nameIdFormat)}</span></td></tr>
${rows}
</table></div>
<p><a class="button" href="${escAttr(v.homeUrl)}">返回 Back</a></p>`,
  );
}

export function failurePage(v: {
  title: string;
  /** The sentence for a person, both languages. */
  sentence: { zh: string; en: string };
  /** Technical detail (status codes, the IdP's message) in small print. */
  detail: string;
  homeUrl: string;
}): string {
  return layout(
    v.title,
    `<div class="card"><h2>${esc(v.title)}</h2><p id="failure">${esc(v.sentence.zh)}<br>${esc(v.sentence.en)}</p>
<p class="muted" id="status">${esc(v.detail)}</p></div>
<p><a class="button" href="${escAttr(v.homeUrl)}">返回 Back</a></p>`,
  );
}
