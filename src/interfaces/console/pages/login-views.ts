/** The sign-in pages: the choices (the New eID card always, a passkey where the browser can), refusals. */
import type { Context } from 'koa';
import { bi, button, fmtTime, type Html, html, notice, type Text } from '../html.js';
import type { ConsoleKit } from '../kit.js';

/** Only console paths are places to return to. */
export const safeNext = (n: unknown): string =>
  typeof n === 'string' &&
  /^\/admin(\/[A-Za-z0-9/_.~%-]*)?(\?[A-Za-z0-9=&_.~%-]*)?$/.test(n) &&
  !n.startsWith('/admin/api')
    ? n
    : '/admin/';

export const ENDED: Record<string, Text> = {
  idle: ['您已閒置過久，已自動登出。', 'You were signed out after a while without activity.'],
  expired: ['登入期限已到，請重新登入。', 'Your session has ended; sign in again.'],
  account: [
    '您的帳號已變更、停用或鎖定，請重新登入。',
    'Your account was changed, disabled or locked; sign in again.',
  ],
  out: ['您已登出。', 'You are signed out.'],
};

export function lockedView(kit: ConsoleKit, ctx: Context, until: Date): void {
  kit.page(
    ctx,
    { title: ['登入已鎖定', 'Sign-in locked'] },
    notice(
      'error',
      html`<p>${bi(['登入失敗次數過多，已暫時鎖定至', 'Too many failed sign-ins: locked until'])} ${fmtTime(until)}。</p><p>${bi(['請洽資訊安全官。', 'Contact your security officer.'])}</p>`,
    ),
    423,
  );
}

export function failedView(kit: ConsoleKit, ctx: Context, text: Text, detail?: string): void {
  kit.page(
    ctx,
    { title: ['登入失敗', 'Sign-in failed'] },
    html`${notice('error', html`<p>${bi(text)}</p>${detail ? html`<p class="detail"><code>${detail}</code></p>` : ''}`)}<p><a class="button primary" href="/admin/login">${bi(['再試一次', 'Try again'])}</a></p>`,
    401,
  );
}

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
