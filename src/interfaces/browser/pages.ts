/** The IdP's pages around the eID login (server-rendered, no external resources, strict CSP). */
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

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${esc(title)}</h1><div class="card"><p>${esc(message)}</p></div>`);
}
