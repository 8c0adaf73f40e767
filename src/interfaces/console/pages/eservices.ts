/**
 * eServices: the list, and one eService's page — its profile (names, purpose,
 * URL, session cap), state (suspend, resume, revoke), approval, applications,
 * front-ends (frontends.ts) and terminal certificates with their renewal and,
 * for the Ministry's DV, the request to download and the certificate to import.
 */
import type { Context } from 'koa';
import {
  bi,
  button,
  errorSummary,
  type FieldError,
  fmtTime,
  form,
  type Html,
  html,
  idOf,
  input,
  textarea,
} from '../html.js';
import { fieldText } from '../i18n.js';
import type { ConsoleKit } from '../kit.js';
import type { PageViewer } from '../layout.js';
import { badge, bodyOf, doneNotice, table } from './common.js';
import { eServiceActions } from './eservice-actions.js';
import { frontEndSections } from './frontends.js';

const BASE = '/admin/eservices';

export interface EServiceView {
  id: string;
  status: string;
  live: boolean;
  displayName: { zh: string; en: string };
  purpose: { zh: string; en: string };
  url: string | null;
  maxOpenSessions: number;
  approvedFields: string[];
  networks: string[];
  approvedFunctions: string[];
  phase: 'test' | 'production';
  testPhase?: { since: string; until: string | null; logins: { ok: number; failed: number } } | null;
  version: number;
}

interface TerminalView {
  chr: string;
  status: string;
  purpose: string;
  environment?: 'test' | 'production';
  effectiveDate: string | null;
  expirationDate: string | null;
  chat: { fields: string[]; functions: string[] };
  request: { outerSignature: boolean } | null;
}

function profile(
  v: PageViewer,
  e: EServiceView,
  values?: Record<string, string>,
  errors: readonly FieldError[] = [],
): Html {
  const val = (k: string, d: string) => values?.[k] ?? d;
  const byId = new Map(errors.map((x) => [x.id, x]));
  const err = (name: string) => (byId.get(idOf(name)) ? { error: byId.get(idOf(name))! } : {});
  const edit = v.allows('patchEService')
    ? html`<details${values ? html` open` : ''}><summary>${bi(['編輯資料', 'Edit the profile'])}</summary>${form(
        `${BASE}/${e.id}/profile`,
        v.session.csrf,
        html`${input({ name: 'displayName.zh', label: ['服務名稱（中文）', 'Service name (Chinese)'], value: val('displayName.zh', e.displayName.zh), required: true, ...err('displayName.zh') })}
${input({ name: 'displayName.en', label: ['服務名稱（英文）', 'Service name (English)'], value: val('displayName.en', e.displayName.en), required: true, ...err('displayName.en') })}
${textarea({ name: 'purpose.zh', label: ['向民眾說明的用途（中文）', 'Purpose shown to citizens (Chinese)'], value: val('purpose.zh', e.purpose.zh), required: true, ...err('purpose.zh') })}
${textarea({ name: 'purpose.en', label: ['向民眾說明的用途（英文）', 'Purpose shown to citizens (English)'], value: val('purpose.en', e.purpose.en), required: true, ...err('purpose.en') })}
${input({ name: 'url', label: ['服務網址', 'Service URL'], value: val('url', e.url ?? ''), type: 'url', ...err('url') })}
${input({ name: 'maxOpenSessions', label: ['同時登入上限', 'Concurrent logins allowed'], value: val('maxOpenSessions', String(e.maxOpenSessions)), type: 'number', ...err('maxOpenSessions') })}
<div class="actions">${button(['儲存', 'Save'], { id: 'save-profile' })}</div>`,
        { version: e.version, id: 'profile-form' },
      )}</details>`
    : '';
  return html`<section class="card" aria-labelledby="h-profile"><h2 id="h-profile">${e.displayName.zh} <span class="en" lang="en">${e.displayName.en}</span> ${badge(e.status)}</h2>
<dl class="props" id="profile"><dt>eService</dt><dd class="mono">${e.id}</dd>
<dt>${bi(['服務中', 'Served'])}</dt><dd>${bi(e.live ? ['是', 'yes'] : ['否', 'no'])}</dd>
<dt>${bi(['用途', 'Purpose'])}</dt><dd>${e.purpose.zh} / ${e.purpose.en}</dd>
<dt>${bi(['網址', 'URL'])}</dt><dd>${e.url ?? '—'}</dd>
<dt>${bi(['同時登入上限', 'Concurrent logins'])}</dt><dd>${e.maxOpenSessions}</dd>
<dt>${bi(['階段', 'Phase'])}</dt><dd id="phase">${bi(e.phase === 'test' ? ['測試（僅測試卡）', 'Test (test cards only)'] : ['正式', 'Production'])}</dd>
${e.testPhase ? html`<dt>${bi(['測試期間登入', 'Test-phase logins'])}</dt><dd id="test-logins">${bi(['成功', 'succeeded'])} <strong id="test-logins-ok">${e.testPhase.logins.ok}</strong> · ${bi(['失敗', 'failed'])} ${e.testPhase.logins.failed} · ${fmtTime(e.testPhase.since)}${e.testPhase.until ? html` – ${fmtTime(e.testPhase.until)}` : ''}</dd>` : ''}
<dt>${bi(['登記之網路位址', 'Registered networks'])}</dt><dd class="mono" id="networks">${e.networks.length ? e.networks.join('、') : bi(['不限（未登記）', 'Any (none registered)'])}</dd>
<dt>${bi(['已核准欄位', 'Approved fields'])}</dt><dd id="approved-fields">${[...e.approvedFields, ...e.approvedFunctions].map((f) => html`<span class="badge" data-field="${f}">${bi(fieldText(f))}</span> `)}${e.approvedFields.length + e.approvedFunctions.length ? '' : '—'}</dd>
</dl>
<p><a href="/admin/applications?eServiceId=${e.id}">${bi(['此 eService 的申請案', 'Applications of this eService'])}</a>${v.allows('createApplication') ? html` · <a href="/admin/applications/new?amend=1">${bi(['申請變更欄位', 'Apply for other fields'])}</a>` : ''}</p>
${edit}${promote(v, e)}${status(v, e)}</section>`;
}

/** A reviewer promotes an eService in its test phase to production (its test logins checked). */
function promote(v: PageViewer, e: EServiceView): Html {
  if (e.phase !== 'test' || e.status !== 'active' || !v.allows('promoteEService')) return html``;
  return form(
    `${BASE}/${e.id}/promote`,
    v.session.csrf,
    html`<h3>${bi(['轉為正式環境', 'Promote to production'])}</h3><p>${bi(['確認測試期間之登入無誤後，核發正式 DV 之終端憑證；測試憑證隨即停用。', 'After checking the test logins: a terminal certificate of the production DV; the test certificate stops then.'])}</p><div class="actions">${button(['轉為正式環境', 'Promote to production'], { id: 'promote' })}</div>`,
    { id: 'promote-form' },
  );
}

function status(v: PageViewer, e: EServiceView): Html {
  if (!v.allows('suspendEService') || e.status === 'revoked') return html``;
  const act = (action: string, t: readonly [string, string], kind: 'secondary' | 'danger') =>
    button(t, { name: 'action', value: action, kind, id: `${action}-eservice` });
  return form(
    `${BASE}/${e.id}/status`,
    v.session.csrf,
    html`<h3>${bi(['狀態', 'State'])}</h3>${input({ name: 'reason', label: ['原因', 'Reason'] })}<div class="actions">${e.status === 'active' ? act('suspend', ['暫停', 'Suspend'], 'secondary') : ''}${e.status === 'suspended' ? act('resume', ['恢復', 'Resume'], 'secondary') : ''}${act('revoke', ['撤銷（無法復原，金鑰銷毀）', 'Revoke (final, keys destroyed)'], 'danger')}</div>`,
    { version: e.version, id: 'status-form' },
  );
}

function terminals(v: PageViewer, e: EServiceView, list: TerminalView[]): Html {
  const rows = list.map(
    (t) =>
      html`<tr><td class="mono">${t.chr}</td><td>${badge(t.status)}</td><td>${t.purpose}${t.environment === 'test' ? html` <span class="badge">${bi(['測試', 'test'])}</span>` : ''}</td><td>${t.effectiveDate ?? '—'}</td><td>${t.expirationDate ?? '—'}</td><td>${t.chat.fields.length + t.chat.functions.length}</td><td>${
        t.status === 'requested' && v.allows('getTerminalRequest')
          ? html`<a href="/admin/terminals/${t.chr}/request">${bi(['下載憑證申請', 'Download the request'])}</a>${v.allows('withdrawTerminalRequest') ? form(`/admin/terminals/${t.chr}/withdraw`, v.session.csrf, button(['撤回', 'Withdraw'], { kind: 'secondary' })) : ''}`
          : ''
      }</td></tr>`,
  );
  const manage = v.allows('renewTerminal')
    ? html`<div class="actions">${e.status === 'active' ? form(`${BASE}/${e.id}/terminals/renew`, v.session.csrf, button(['立即換發終端憑證', 'Renew the terminal certificate now'], { id: 'renew' })) : ''}</div>
${form(
  '/admin/terminals/import',
  v.session.csrf,
  html`<div class="field"><label for="f-cvcert">${bi(['匯入 DV 簽發的終端憑證（.cvcert）', 'Import the terminal certificate the DV issued (.cvcert)'])}</label><input type="file" id="f-cvcert" name="cvcert" accept=".cvcert,application/octet-stream"></div><input type="hidden" name="eService" value="${e.id}"><div class="actions">${button(['匯入', 'Import'], { kind: 'secondary', id: 'import' })}</div>`,
  { className: 'upload', multipart: true },
)}`
    : '';
  return html`<section class="card" aria-labelledby="h-term"><h2 id="h-term">${bi(['終端憑證', 'Terminal certificates'])}</h2>
${table(
  [
    ['CHR', 'CHR'],
    ['狀態', 'State'],
    ['用途', 'Purpose'],
    ['生效', 'Effective'],
    ['到期', 'Expires'],
    ['權限數', 'Rights'],
    ['', ''],
  ],
  rows,
  ['尚無終端憑證。', 'No terminal certificate yet.'],
  'terminals',
)}
${manage}</section>`;
}

export async function eServicePage(
  kit: ConsoleKit,
  ctx: Context,
  v: PageViewer,
  o: { values?: Record<string, string>; errors?: readonly FieldError[]; status?: number } = {},
) {
  const id = ctx.params.id!;
  const r = await kit.call(v, 'getEService', { params: { id } });
  const e = bodyOf(r) as EServiceView;
  const t = bodyOf(await kit.call(v, 'listTerminals', { params: { id } })).items as TerminalView[];
  const n = doneNotice(ctx);
  kit.page(
    ctx,
    { title: ['eService', 'eService'], viewer: v, active: BASE, ...(n ? { notice: n } : {}) },
    html`${errorSummary(o.errors ?? [])}${profile(v, e, o.values, o.errors)}${await frontEndSections(kit, v, e)}${terminals(v, e, t)}`,
    o.status ?? 200,
  );
}

export function eServicePages(kit: ConsoleKit): void {
  kit.get(BASE, async (ctx, v) => {
    const list = bodyOf(await kit.call(v, 'listEServices', { query: { limit: '200' } }))
      .items as EServiceView[];
    kit.page(
      ctx,
      { title: ['eService', 'eServices'], viewer: v, active: BASE },
      table(
        [
          ['代碼', 'Id'],
          ['名稱', 'Name'],
          ['狀態', 'State'],
          ['服務中', 'Served'],
          ['已核准欄位', 'Approved fields'],
        ],
        list.map(
          (e) =>
            html`<tr><td><a href="${BASE}/${e.id}">${e.id}</a></td><td>${e.displayName.zh} <span class="en">${e.displayName.en}</span></td><td>${badge(e.status)}</td><td>${bi(e.live ? ['是', 'yes'] : ['否', 'no'])}</td><td class="num">${e.approvedFields.length + e.approvedFunctions.length}</td></tr>`,
        ),
        ['沒有 eService。', 'No eServices.'],
        'eservices',
      ),
    );
  });
  kit.get(`${BASE}/:id`, async (ctx, v) => {
    try {
      await eServicePage(kit, ctx, v);
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: BASE });
    }
  });
  eServiceActions(kit);
}
