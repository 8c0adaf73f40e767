/**
 * Signing in to the console, without passwords: with the admin's own New eID
 * card (the console is an OpenID client of this server's provider) or a
 * passkey added after a card login. An invitation link binds the card of its
 * first login to the invited account. `/admin/reauth` asks for a fresh card or
 * passkey login before an approval or a key operation. Every failed login
 * counts towards the lock (AdminAlerts); a locked account or address is refused.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { RegistryContext } from '../../../registry/context.js';
import type { AccountRecord } from '../../../registry/store/accounts.js';
import { accountByInvitation, accountBySubject } from '../../../registry/store/people.js';
import { acceptInvitation, loginSucceeded } from '../../../registry/workflow/people.js';
import type { AdminAlerts } from '../../admin/alerts.js';
import type { CallerAddressOf } from '../../admin/caller.js';
import { readForm, readJson } from '../forms.js';
import { bi, button, html, notice, type Text } from '../html.js';
import type { ConsoleKit } from '../kit.js';
import { type ConsoleOidc, LoginFailed } from '../oidc-client.js';
import type { Passkeys } from '../passkeys.js';
import { LOGIN_TTL_MS } from '../session.js';
import { ENDED, failedView, lockedView, loginPage, safeNext } from './login-views.js';

export interface LoginDeps {
  readonly kit: ConsoleKit;
  readonly ctx: RegistryContext;
  readonly oidc: ConsoleOidc;
  readonly passkeys: Passkeys;
  readonly alerts: AdminAlerts;
  /** The caller's address, which failed sign-ins count and lock by (admin.trustedProxies). */
  readonly address: CallerAddressOf;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();
export function loginRoutes(d: LoginDeps): void {
  const { kit } = d;
  const r = kit.o.router;
  const fail = async (
    ctx: Context,
    e: LoginFailed,
    o: { accountId?: string; method: 'card' | 'passkey' },
  ) => {
    const address = d.address(ctx);
    await d.alerts.failure({
      ...(o.accountId ? { accountId: o.accountId } : {}),
      ...(address ? { address } : {}),
      method: o.method,
      reason: `${e.code}: ${e.message}`.slice(0, 300),
    });
  };
  const lockedPage = (ctx: Context, until: Date) => lockedView(kit, ctx, until);
  const failedPage = (ctx: Context, text: Text, detail?: string) => failedView(kit, ctx, text, detail);

  r.get('/admin/login', async (ctx) => {
    const q = ctx.query;
    const said = typeof q.ended === 'string' ? ENDED[q.ended] : undefined;
    kit.page(
      ctx,
      { title: ['登入', 'Sign in'], ...(said ? { notice: notice('info', html`<p>${bi(said)}</p>`) } : {}) },
      loginPage(safeNext(q.next), 'login'),
    );
  });

  /** Starts a card login (purpose login, step-up or invitation) and sends the browser to the provider. */
  const startCard = async (
    ctx: Context,
    purpose: 'login' | 'step-up' | 'invitation',
    accountId?: string,
    next = '/admin/',
  ) => {
    const address = d.address(ctx);
    const until = await d.alerts.locked({
      ...(address ? { address } : {}),
      ...(accountId ? { accountId } : {}),
    });
    if (until) return lockedPage(ctx, until);
    const a = await d.oidc.begin();
    await kit.o.sessions.beginLogin(ctx, {
      kind: 'card',
      purpose,
      state: a.state,
      nonce: a.nonce,
      verifier: a.verifier,
      ...(accountId ? { accountId } : {}),
      returnTo: next,
    });
    ctx.status = 303;
    ctx.redirect(a.url);
  };

  r.post('/admin/login', async (ctx) => {
    if (!kit.sameOrigin(ctx))
      return kit.fail(ctx, undefined, 403, ['跨來源的請求被拒絕。', 'A cross-origin request was refused.']);
    const next = safeNext(ctx.query.next);
    if (ctx.query.purpose === 'step-up') {
      const v = await kit.viewer(ctx);
      if (!v) return;
      return startCard(ctx, 'step-up', v.account.id, next);
    }
    return startCard(ctx, 'login', undefined, next);
  });

  /** The invited account of the link's token, or the page that says the link is no good. */
  const invited = async (ctx: Context) => {
    const token = ctx.params.token!;
    const acc = /^[A-Za-z0-9_-]{43}$/.test(token)
      ? await accountByInvitation(d.ctx.db, sha256(token), d.ctx.now())
      : undefined;
    if (!acc)
      failedPage(ctx, ['此邀請連結無效或已過期。', 'This invitation link is not valid or has expired.']);
    return acc;
  };

  r.get('/admin/invitation/:token', async (ctx) => {
    const acc = await invited(ctx);
    if (!acc) return;
    kit.page(
      ctx,
      { title: ['接受邀請', 'Accept the invitation'] },
      html`<div class="login"><section class="card"><p>${bi(['您受邀成為 N_eID-Server 管理者：', 'You are invited as an N_eID-Server admin:'])} <strong id="invited-name">${acc.name}</strong></p>
<p>${bi(['請以您本人的新一代身分證登入；此卡片將綁定到此帳號，之後以它（或您新增的通行金鑰）登入。', 'Sign in with your own New eID card: it is bound to this account, and you sign in with it (or a passkey you add) from then on.'])}</p>
<form method="post" action="/admin/invitation/${ctx.params.token}">${button(['以晶片卡接受邀請', 'Accept with my card'], { id: 'accept' })}</form></section></div>`,
    );
  });
  r.post('/admin/invitation/:token', async (ctx) => {
    if (!kit.sameOrigin(ctx))
      return kit.fail(ctx, undefined, 403, ['跨來源的請求被拒絕。', 'A cross-origin request was refused.']);
    const acc = await invited(ctx);
    if (!acc) return;
    return startCard(ctx, 'invitation', acc.id);
  });

  r.get('/admin/callback', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const s = await kit.o.sessions.takeLogin(ctx, 'card');
    if (!s?.state || !s.nonce || !s.verifier)
      return failedPage(ctx, [
        '此登入已逾時或不是從本瀏覽器開始的，請重新登入。',
        'This sign-in expired or was not started in this browser; start again.',
      ]);
    let subject: string;
    try {
      const got = await d.oidc.finish(`${kit.o.publicOrigin}${ctx.url}`, {
        state: s.state,
        nonce: s.nonce,
        verifier: s.verifier,
        ttlMs: LOGIN_TTL_MS,
      });
      subject = got.subject;
    } catch (e) {
      if (!(e instanceof LoginFailed)) throw e;
      await fail(ctx, e, { method: 'card', ...(s.accountId ? { accountId: s.accountId } : {}) });
      return failedPage(ctx, ['晶片卡登入未成功。', 'The card sign-in did not succeed.'], e.code);
    }
    const hash = sha256(subject);
    let account: AccountRecord | undefined;
    if (s.purpose === 'invitation') {
      try {
        account = await acceptInvitation(d.ctx, s.accountId!, hash);
      } catch (e) {
        await fail(ctx, new LoginFailed('binding', (e as Error).message), {
          method: 'card',
          accountId: s.accountId!,
        });
        return failedPage(ctx, [
          '無法綁定此卡片（可能已綁定其他帳號，或邀請已失效）。',
          'This card could not be bound (bound to another account already, or the invitation is no longer open).',
        ]);
      }
    } else {
      account = await accountBySubject(d.ctx.db, hash);
      if (!account || (s.purpose === 'step-up' && account.id !== s.accountId)) {
        await fail(
          ctx,
          new LoginFailed('unknown-card', 'the card is bound to no admin account (or another one)'),
          {
            method: 'card',
            ...(s.accountId ? { accountId: s.accountId } : {}),
          },
        );
        return failedPage(ctx, ['此卡片未綁定管理者帳號。', 'This card is bound to no admin account.']);
      }
    }
    // The session counts freshness on the registry's clock, from this moment the card login completed.
    return signedIn(ctx, account, 'card', d.ctx.now(), s.purpose, s.returnTo);
  });

  const signedIn = async (
    ctx: Context,
    account: AccountRecord,
    method: 'card' | 'passkey',
    authTime: Date,
    purpose: 'login' | 'step-up' | 'invitation',
    next: string | undefined,
    json = false,
  ) => {
    const until = await d.alerts.locked({ accountId: account.id });
    if (until) return json ? jsonError(ctx, 423, 'locked') : lockedPage(ctx, until);
    if (account.status !== 'active')
      return json
        ? jsonError(ctx, 403, 'account not active')
        : failedPage(ctx, ['此帳號未啟用。', 'This account is not active.']);
    if (purpose === 'step-up') {
      const v = await kit.viewer(ctx);
      if (!v || v.account.id !== account.id) return;
      await kit.o.sessions.reauthenticated(v, method, authTime);
    } else {
      await kit.o.sessions.start(ctx, account, method, authTime);
    }
    await loginSucceeded(d.ctx, account, method, purpose, d.address(ctx));
    const to = safeNext(next);
    if (json) {
      ctx.body = { redirect: to };
      return;
    }
    // A page, not a redirect: the login came back through the eID-Client (cross-site), and the
    // SameSite=Strict session cookie is sent on a navigation this page starts, not on a redirect.
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = `<!doctype html><html lang="zh-Hant-TW"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${to}"><title>已登入 / Signed in</title></head><body><p><a id="continue" href="${to}">已登入，繼續 / Signed in: continue</a></p></body></html>`;
  };
  const jsonError = (ctx: Context, status: number, message: string) => {
    ctx.status = status;
    ctx.body = { message };
  };

  r.get('/admin/reauth', async (ctx) => {
    const v = await kit.viewer(ctx);
    if (!v) return;
    const next = safeNext(ctx.query.next);
    kit.page(
      ctx,
      { title: ['確認是您本人', 'Confirm it is you'], viewer: v },
      html`${notice('warn', html`<p>${bi(['核准、拒絕、金鑰與帳號的操作需要剛完成的身分驗證。', 'Approvals, rejections, key and account operations need a fresh authentication.'])}</p>`)}
${loginPage(next, 'step-up')}`,
    );
  });

  r.post('/admin/passkey/options', async (ctx) => {
    if (!kit.sameOrigin(ctx) || !ctx.is('application/json')) return jsonError(ctx, 403, 'cross-origin');
    const stepUp = ctx.query.purpose === 'step-up';
    const v = stepUp ? await kit.viewer(ctx) : undefined;
    if (stepUp && !v) return;
    if (v && !kit.o.sessions.csrfOk(v, ctx.get('x-csrf-token')))
      return jsonError(ctx, 403, 'reload the page');
    const address = d.address(ctx);
    const until = await d.alerts.locked(address ? { address } : {});
    if (until) return jsonError(ctx, 423, `locked until ${until.toISOString()}`);
    const options = await d.passkeys.loginOptions();
    await kit.o.sessions.beginLogin(ctx, {
      kind: 'passkey',
      purpose: stepUp ? 'step-up' : 'login',
      challenge: options.challenge as string,
      ...(v ? { accountId: v.account.id } : {}),
      returnTo: safeNext(ctx.query.next),
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = options;
  });
  r.post('/admin/passkey/login', async (ctx) => {
    if (!kit.sameOrigin(ctx)) return jsonError(ctx, 403, 'cross-origin');
    const s = await kit.o.sessions.takeLogin(ctx, 'passkey');
    if (!s?.challenge) return jsonError(ctx, 400, 'the sign-in expired; start again');
    let account: AccountRecord;
    try {
      account = await d.passkeys.verify(s.challenge, await readJson(ctx));
      if (s.purpose === 'step-up' && account.id !== s.accountId)
        throw Object.assign(new LoginFailed('other-account', 'the passkey belongs to another account'), {
          accountId: s.accountId,
        });
    } catch (e) {
      if (!(e instanceof LoginFailed)) throw e;
      const accountId = (e as LoginFailed & { accountId?: string }).accountId;
      await fail(ctx, e, { method: 'passkey', ...(accountId ? { accountId } : {}) });
      return jsonError(ctx, 401, `${e.code}: ${e.message}`);
    }
    return signedIn(ctx, account, 'passkey', d.ctx.now(), s.purpose, s.returnTo, true);
  });

  r.post('/admin/logout', async (ctx) => {
    const v = await kit.o.sessions.current(ctx);
    if (v && !('ended' in v)) {
      const form = await readForm(ctx).catch(() => undefined);
      if (!kit.sameOrigin(ctx) || !form || !kit.o.sessions.csrfOk(v, form.get('_csrf')))
        return kit.fail(ctx, undefined, 403, [
          '表單已過期：請重新載入頁面。',
          'The form has expired: reload the page.',
        ]);
    }
    await kit.o.sessions.end(ctx);
    ctx.status = 303;
    ctx.redirect('/admin/login?ended=out');
  });
}
