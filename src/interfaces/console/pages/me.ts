/**
 * My account: who I am, my roles, how and when I last authenticated, and my
 * passkeys — added after a fresh card sign-in (the browser's WebAuthn dialog,
 * started by the console's one script), removed with a click.
 */
import type { Context } from 'koa';
import { passkeysOf } from '../../../registry/store/people.js';
import { dropCredential } from '../../../registry/workflow/accounts.js';
import { readJson } from '../forms.js';
import { bi, button, fmtTime, form, html, input, notice } from '../html.js';
import { ROLE_TEXT } from '../i18n.js';
import type { ConsoleKit } from '../kit.js';
import type { PageViewer } from '../layout.js';
import { LoginFailed } from '../oidc-client.js';
import type { Passkeys } from '../passkeys.js';
import { doneNotice, table } from './common.js';

export function mePages(kit: ConsoleKit, passkeys: Passkeys): void {
  const db = () => passkeys.db;
  kit.get('/admin/me', async (ctx, v) => {
    const keys = await passkeysOf(db(), v.account.id);
    const n = doneNotice(ctx);
    kit.page(
      ctx,
      { title: ['我的帳號', 'My account'], viewer: v, active: '/admin/me', ...(n ? { notice: n } : {}) },
      html`<section class="card"><dl class="props" id="me"><dt>${bi(['名稱', 'Name'])}</dt><dd>${v.account.name}</dd>
<dt>${bi(['角色', 'Roles'])}</dt><dd>${v.account.roles.map((r) => html`<span class="badge">${bi(ROLE_TEXT[r])}</span> `)}</dd>
${v.account.eServices.length ? html`<dt>${bi(['負責的 eService', 'Own eServices'])}</dt><dd>${v.account.eServices.join('、')}</dd>` : ''}
<dt>${bi(['本次登入方式', 'Signed in with'])}</dt><dd>${bi(v.session.authMethod === 'card' ? ['新一代身分證', 'New eID card'] : ['通行金鑰', 'passkey'])} · ${fmtTime(v.session.authTime)}</dd></dl></section>
<section class="card" aria-labelledby="h-pk"><h2 id="h-pk">${bi(['通行金鑰', 'Passkeys'])}</h2>
${table(
  [
    ['名稱', 'Name'],
    ['建立', 'Created'],
    ['上次使用', 'Last used'],
    ['', ''],
  ],
  keys.map(
    (k) =>
      html`<tr><td>${k.webauthn?.name ?? ''}</td><td>${fmtTime(k.createdAt)}</td><td>${fmtTime(k.lastUsedAt)}</td><td>${form(`/admin/me/passkeys/${k.id}/remove`, v.session.csrf, button(['移除', 'Remove'], { kind: 'secondary' }))}</td></tr>`,
  ),
  ['尚未新增通行金鑰。', 'No passkey yet.'],
  'passkeys',
)}
${
  v.fresh
    ? html`${input({ name: 'passkey-name', label: ['新通行金鑰的名稱', 'Name of the new passkey'], value: 'passkey' })}<div class="actions"><button type="button" class="primary" id="add-passkey" hidden data-passkey="add" data-options="/admin/me/passkeys/options" data-register="/admin/me/passkeys" data-done="/admin/me?done=passkey" data-failed="新增通行金鑰失敗 / Adding the passkey failed:">${bi(['新增通行金鑰', 'Add a passkey'])}</button></div><div id="passkey-status" hidden tabindex="-1"></div>`
    : notice(
        'info',
        html`<p>${bi(['新增通行金鑰前請先以晶片卡重新驗證。', 'Confirm it is you with your card before adding a passkey.'])} <a href="/admin/reauth?next=/admin/me">${bi(['重新驗證', 'Confirm'])}</a></p>`,
      )
}</section>`,
    );
  });

  /** The passkey ceremony's JSON calls: the session's CSRF token in a header, a fresh card sign-in. */
  const json = (path: string, run: (ctx: Context, v: PageViewer) => Promise<unknown>) =>
    kit.o.router.post(path, async (ctx) => {
      if (!kit.sameOrigin(ctx))
        return void Object.assign(ctx, { status: 403, body: { message: 'cross-origin' } });
      const v = await kit.viewer(ctx);
      if (!v) return;
      if (!kit.o.sessions.csrfOk(v, ctx.get('x-csrf-token')))
        return void Object.assign(ctx, { status: 403, body: { message: 'reload the page' } });
      if (!v.fresh)
        return void Object.assign(ctx, {
          status: 401,
          body: { message: 'confirm it is you with your card first' },
        });
      try {
        ctx.set('Cache-Control', 'no-store');
        ctx.body = await run(ctx, v);
      } catch (e) {
        if (!(e instanceof LoginFailed)) throw e;
        ctx.status = 400;
        ctx.body = { message: `${e.code}: ${e.message}` };
      }
    });
  json('/admin/me/passkeys/options', (_ctx, v) => passkeys.registrationOptions(v));
  json('/admin/me/passkeys', async (ctx, v) => {
    const c = await passkeys.register(v, await readJson(ctx));
    return { id: c.id };
  });
  kit.post('/admin/me/passkeys/:id/remove', async (ctx, v) => {
    const mine = (await passkeysOf(db(), v.account.id)).some((k) => k.id === ctx.params.id);
    if (!mine) return kit.fail(ctx, v, 404, ['找不到此通行金鑰。', 'No such passkey.']);
    await dropCredential(passkeys.ctx, v.principal, v.account.id, ctx.params.id!);
    kit.done(ctx, '/admin/me', 'removed');
  });
}
