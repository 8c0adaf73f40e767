/** The sign-in choices: the New eID card (always), a passkey (where the browser can). */
import { bi, button, type Html, html } from '../html.js';

export function loginPage(next: string, purpose: 'login' | 'step-up'): Html {
  const q = `next=${encodeURIComponent(next)}${purpose === 'step-up' ? '&purpose=step-up' : ''}`;
  return html`<div class="login"><section class="card">
<p>${bi(['管理者以本人的新一代身分證登入（最高保證等級），或以登入後新增的通行金鑰登入。沒有密碼。', 'Admins sign in with their own New eID card (the highest level of assurance), or a passkey added after a card sign-in. There are no passwords.'])}</p>
<div class="actions">
<form method="post" action="/admin/login?${q}">${button(['以新一代身分證登入', 'Sign in with my New eID card'], { id: 'card-login' })}</form>
<button type="button" class="secondary" id="passkey-login" hidden data-passkey="login" data-purpose="${purpose}" data-options="/admin/passkey/options?${q}" data-verify="/admin/passkey/login" data-failed="通行金鑰登入失敗 / Passkey sign-in failed:">${bi(['以通行金鑰登入', 'Sign in with a passkey'])}</button>
</div>
<div id="passkey-status" hidden tabindex="-1"></div>
</section></div>`;
}
