/**
 * Admin accounts (the security officer's): people — invited with roles, bound
 * to their own card at the first login, with passkeys — and service accounts
 * for scripts (private_key_jwt keys). Roles follow the separation of duties
 * (an auditor or an applicant holds no other role); an applicant acts for its
 * own eServices. Changing roles, disabling, re-inviting ends the account's
 * sessions at once. Every change here needs a fresh authentication.
 */
import type { Context } from 'koa';
import { ROLES } from '../../../registry/roles.js';
import {
  bi,
  button,
  checkboxes,
  errorSummary,
  type FieldError,
  fmtTime,
  form,
  type Html,
  html,
  idOf,
  input,
  notice,
  select,
  type Text,
  textarea,
} from '../html.js';
import { ROLE_TEXT } from '../i18n.js';
import type { ConsoleKit } from '../kit.js';
import type { PageViewer } from '../layout.js';
import { badge, bodyOf, doneNotice, table } from './common.js';

const BASE = '/admin/accounts';
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_TEXT[r] }));

interface AccountView {
  id: string;
  name: string;
  kind: 'service' | 'person';
  roles: string[];
  status: string;
  eServices: string[];
  cardBound: boolean;
  invitationExpires: string | null;
  lockedUntil: string | null;
  lastLogin: string | null;
  version: number;
  credentials?: {
    id: string;
    kind: string;
    kty?: string;
    name?: string;
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
  }[];
}

const errOf = (errors: readonly FieldError[]) => {
  const m = new Map(errors.map((e) => [e.id, e]));
  return (name: string) => (m.get(idOf(name)) ? { error: m.get(idOf(name))! } : {});
};

function inviteForm(
  v: PageViewer,
  values: Record<string, string> = {},
  errors: readonly FieldError[] = [],
): Html {
  const err = errOf(errors);
  return html`<section class="card" aria-labelledby="h-invite"><h2 id="h-invite">${bi(['邀請管理者', 'Invite an admin'])}</h2>${errorSummary(errors)}${form(
    BASE,
    v.session.csrf,
    html`${input({ name: 'name', label: ['姓名或用途', 'Name or purpose'], value: values.name ?? '', required: true, ...err('name') })}
${select({
  name: 'kind',
  label: ['種類', 'Kind'],
  value: values.kind ?? 'person',
  options: [
    { value: 'person', label: ['人員（以晶片卡登入）', 'Person (card sign-in)'] },
    { value: 'service', label: ['服務帳號（API 金鑰）', 'Service account (API key)'] },
  ],
})}
${checkboxes({ name: 'roles', label: ['角色', 'Roles'], checked: (values.roles ?? '').split('\n'), options: ROLE_OPTIONS, ...err('roles') })}
${textarea({ name: 'eServices', label: ['負責的 eService（申請者；每行一個）', 'Own eServices (applicants; one per line)'], value: values.eServices ?? '', ...err('eServices') })}
<div class="actions">${button(['建立', 'Create'], { id: 'invite' })}</div>`,
    { id: 'invite-form' },
  )}</section>`;
}

export function accountPages(kit: ConsoleKit): void {
  const listPage = async (
    ctx: Context,
    v: PageViewer,
    extra?: Html,
    values?: Record<string, string>,
    errors?: FieldError[],
    status = 200,
  ) => {
    const list = bodyOf(await kit.call(v, 'listAccounts', { query: { limit: '200' } }))
      .items as AccountView[];
    const rows = list.map(
      (a) =>
        html`<tr><td><a href="${BASE}/${a.id}">${a.name}</a></td><td>${bi(a.kind === 'person' ? ['人員', 'Person'] : ['服務', 'Service'])}</td><td>${a.roles.map((r) => both2(ROLE_TEXT[r as keyof typeof ROLE_TEXT])).join('、')}</td><td>${badge(a.status)}${a.lockedUntil && new Date(a.lockedUntil) > new Date() ? html` <span class="badge locked">${bi(['鎖定', 'locked'])}</span>` : ''}</td><td>${fmtTime(a.lastLogin)}</td></tr>`,
    );
    const n = doneNotice(ctx);
    kit.page(
      ctx,
      { title: ['管理者帳號', 'Admin accounts'], viewer: v, active: BASE, ...(n ? { notice: n } : {}) },
      html`${extra ?? ''}${table(
        [
          ['名稱', 'Name'],
          ['種類', 'Kind'],
          ['角色', 'Roles'],
          ['狀態', 'State'],
          ['上次登入', 'Last sign-in'],
        ],
        rows,
        ['沒有帳號。', 'No accounts.'],
        'accounts',
      )}${inviteForm(v, values, errors)}`,
      status,
    );
  };
  kit.get(BASE, async (ctx, v) => listPage(ctx, v));
  kit.post(BASE, async (ctx, v, f) => {
    const eServices = f.lines('eServices');
    try {
      const r = bodyOf(
        await kit.call(v, 'createAccount', {
          body: {
            name: f.get('name'),
            roles: f.all('roles'),
            kind: f.get('kind') === 'service' ? 'service' : 'person',
            ...(eServices.length ? { eServices } : {}),
          },
        }),
      );
      if (!r.invitation) return kit.done(ctx, `${BASE}/${r.id}`, 'saved');
      const waiting = r.console?.terminal && r.console.terminal.status !== 'active';
      await listPage(
        ctx,
        v,
        html`${notice('ok', html`<p>${bi(['邀請已建立。請將此連結交給', 'Invitation created. Give this link to'])} <strong>${r.name}</strong>（${bi(['僅顯示這一次', 'shown this once only'])}，${bi(['有效至', 'valid until'])} ${fmtTime(r.invitation.expiresAt)}）：</p><p class="invitation-link" id="invitation-link">${r.invitation.url}</p>`)}${
          waiting
            ? notice(
                'warn',
                html`<p>${bi(['管理主控台的終端憑證申請尚待 DV 簽發（neid terminal request / import），之前無法以晶片卡登入：', 'The console’s terminal certificate request awaits the DV (neid terminal request / import); until then nobody can sign in with a card:'])} <code>${r.console.terminal.chr}</code></p>`,
              )
            : ''
        }`,
        undefined,
        undefined,
        201,
      );
    } catch (e) {
      await kit.refuse(ctx, v, e, {
        back: BASE,
        form: (errors, status) => listPage(ctx, v, undefined, f.values, errors, status),
      });
    }
  });

  kit.get(`${BASE}/:id`, async (ctx, v) => {
    try {
      const r = await kit.call(v, 'getAccount', { params: { id: ctx.params.id! } });
      const a = bodyOf(r) as AccountView;
      const n = doneNotice(ctx);
      kit.page(
        ctx,
        { title: ['管理者帳號', 'Admin account'], viewer: v, active: BASE, ...(n ? { notice: n } : {}) },
        detail(v, a),
      );
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: BASE });
    }
  });
  const step = (path: string, run: Parameters<ConsoleKit['step']>[2]) => kit.step(BASE, path, run);
  step('change', async (v, id, f) => {
    const eServices = f.lines('eServices');
    await kit.call(v, 'patchAccount', {
      params: { id },
      version: f.get('_version'),
      body: { roles: f.all('roles'), ...(f.get('status') ? { status: f.get('status') } : {}), eServices },
    });
    return 'saved';
  });
  step('credentials/revoke', async (v, id, f) => {
    await kit.call(v, 'revokeCredential', { params: { id, credentialId: f.get('credential') } });
    return 'removed';
  });
  step('unlock', async (v, id) => {
    await kit.call(v, 'releaseLock', { body: { subject: `account:${id}` } });
    return 'unlocked';
  });
  kit.post(`${BASE}/:id/invitation`, async (ctx, v) => {
    const id = ctx.params.id!;
    try {
      const r = bodyOf(await kit.call(v, 'reinvitePerson', { params: { id } }));
      kit.page(
        ctx,
        { title: ['新的邀請', 'A new invitation'], viewer: v, active: BASE },
        notice(
          'ok',
          html`<p>${bi(['新的邀請連結（僅顯示這一次）', 'The new invitation link (shown this once only)'])}：</p><p class="invitation-link" id="invitation-link">${r.invitation.url}</p><p><a href="${BASE}/${id}">${bi(['回到帳號', 'Back to the account'])}</a></p>`,
        ),
        201,
      );
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: `${BASE}/${id}` });
    }
  });
}

const both2 = (t: Text | undefined) => (t ? `${t[0]} ${t[1]}` : '');

function detail(v: PageViewer, a: AccountView): Html {
  const base = `${BASE}/${a.id}`;
  const locked = a.lockedUntil && new Date(a.lockedUntil) > new Date();
  const creds = (a.credentials ?? []).filter((c) => !c.revokedAt);
  return html`<section class="card"><h2>${a.name} ${badge(a.status)}</h2><dl class="props" id="account"><dt>${bi(['代碼', 'Id'])}</dt><dd class="mono">${a.id}</dd>
<dt>${bi(['種類', 'Kind'])}</dt><dd>${bi(a.kind === 'person' ? ['人員', 'Person'] : ['服務帳號', 'Service account'])}</dd>
${a.kind === 'person' ? html`<dt>${bi(['晶片卡', 'Card'])}</dt><dd>${bi(a.cardBound ? ['已綁定', 'bound'] : ['尚未綁定', 'not bound yet'])}${a.invitationExpires ? html`（${bi(['邀請有效至', 'invitation valid until'])} ${fmtTime(a.invitationExpires)}）` : ''}</dd>` : ''}
<dt>${bi(['上次登入', 'Last sign-in'])}</dt><dd>${fmtTime(a.lastLogin)}</dd>
${locked ? html`<dt>${bi(['鎖定至', 'Locked until'])}</dt><dd class="error">${fmtTime(a.lockedUntil)}</dd>` : ''}</dl>
${locked ? form(`${base}/unlock`, v.session.csrf, button(['解除鎖定', 'Lift the lock'], { id: 'unlock' })) : ''}</section>
<section class="card" aria-labelledby="h-roles"><h2 id="h-roles">${bi(['角色與狀態', 'Roles and state'])}</h2>${form(
    `${base}/change`,
    v.session.csrf,
    html`${checkboxes({ name: 'roles', label: ['角色', 'Roles'], checked: a.roles, options: ROLE_OPTIONS })}
${textarea({ name: 'eServices', label: ['負責的 eService（申請者；每行一個）', 'Own eServices (applicants; one per line)'], value: a.eServices.join('\n') })}
${
  a.status !== 'invited'
    ? select({
        name: 'status',
        label: ['狀態', 'State'],
        value: a.status,
        options: [
          { value: 'active', label: ['啟用', 'Active'] },
          { value: 'disabled', label: ['停用', 'Disabled'] },
        ],
      })
    : ''
}
<div class="actions">${button(['儲存', 'Save'], { id: 'save-account' })}</div>`,
    { version: a.version, id: 'account-form' },
  )}</section>
<section class="card" aria-labelledby="h-cred"><h2 id="h-cred">${bi(['憑證與通行金鑰', 'Credentials and passkeys'])}</h2>${table(
    [
      ['代碼', 'Id'],
      ['種類', 'Kind'],
      ['建立', 'Created'],
      ['上次使用', 'Last used'],
      ['', ''],
    ],
    creds.map(
      (c) =>
        html`<tr><td class="mono">${c.id}</td><td>${c.kind === 'webauthn' ? html`${bi(['通行金鑰', 'passkey'])} ${c.name ?? ''}` : `private_key_jwt ${c.kty ?? ''}`}</td><td>${fmtTime(c.createdAt)}</td><td>${fmtTime(c.lastUsedAt)}</td><td>${form(`${base}/credentials/revoke`, v.session.csrf, html`<input type="hidden" name="credential" value="${c.id}">${button(['撤銷', 'Revoke'], { kind: 'secondary' })}`)}</td></tr>`,
    ),
    ['沒有憑證。', 'No credentials.'],
  )}
${a.kind === 'person' ? form(`${base}/invitation`, v.session.csrf, html`<p>${bi(['換卡或遺失卡片：發出新的邀請（原綁定與登入工作階段立即失效）。', 'New or lost card: a new invitation (the binding and every session end at once).'])}</p>${button(['重新邀請', 'Invite again'], { kind: 'secondary', id: 'reinvite' })}`) : ''}</section>`;
}
