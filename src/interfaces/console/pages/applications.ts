/**
 * Applications: the list (filtered by state), the 表8 form (a new eService or
 * an amendment), a draft's edit, and one application's page with the steps its
 * state and the admin's roles allow — submit (applicant), review or ask for
 * changes (reviewer), approve or reject with a reason (approver: four eyes,
 * fresh authentication), retry the certificate (security officer). Every step
 * is the admin API's; the page only offers what will work.
 */
import type { Context } from 'koa';
import { APPLICATION_STATUSES, REJECTION_REASONS } from '../../../registry/model.js';
import { bi, button, fmtTime, form, type Html, html, notice, select, type Text, textarea } from '../html.js';
import { REASON_TEXT, statusText } from '../i18n.js';
import type { ConsoleKit } from '../kit.js';
import type { PageViewer } from '../layout.js';
import {
  assessmentFields,
  assessmentOf,
  type FilingView,
  filingActions,
  filingDetails,
  filingPages,
} from './application-filing.js';
import { applicationForm, bodyOfForm, type Values, valuesOf } from './application-form.js';
import { printPages } from './application-print.js';
import { applicationDetails } from './application-view.js';
import { badge, bodyOf, doneNotice, q, table } from './common.js';

const BASE = '/admin/applications';

export function applicationPages(kit: ConsoleKit): void {
  filingPages(kit);
  printPages(kit);
  kit.get(BASE, async (ctx, v) => {
    const status = q(ctx, 'status');
    const list = bodyOf(
      await kit.call(v, 'listApplications', { query: { limit: '200', ...(status ? { status } : {}) } }),
    ) as { items: { id: string; eServiceId: string; kind: string; status: string; updatedAt: string }[] };
    const rows = list.items.map(
      (a) =>
        html`<tr><td><a href="${BASE}/${a.id}">${a.id.slice(0, 8)}</a></td><td>${a.eServiceId}</td><td>${bi(a.kind === 'initial' ? ['新申請', 'New'] : ['變更', 'Amendment'])}</td><td>${badge(a.status)}</td><td>${fmtTime(a.updatedAt)}</td></tr>`,
    );
    const filter = html`<form method="get" action="${BASE}" class="actions">${select({
      name: 'status',
      label: ['狀態', 'Status'],
      value: status ?? '',
      options: [
        { value: '', label: ['全部', 'All'] as Text },
        ...APPLICATION_STATUSES.map((s) => ({ value: s, label: statusText(s) })),
      ],
    })}<button type="submit" class="secondary">${bi(['篩選', 'Filter'])}</button></form>`;
    const n = doneNotice(ctx);
    kit.page(
      ctx,
      { title: ['申請案', 'Applications'], viewer: v, active: BASE, ...(n ? { notice: n } : {}) },
      html`${v.allows('createApplication') ? html`<p class="actions"><a class="button primary" id="new-application" href="${BASE}/new">${bi(['新 eService 申請（表8）', 'Apply for a new eService (表8)'])}</a> <a class="button secondary" href="${BASE}/new?amend=1">${bi(['變更現有 eService 之欄位', 'Amend an existing eService'])}</a></p>` : ''}
${filter}${table(
  [
    ['編號', 'Id'],
    ['eService', 'eService'],
    ['種類', 'Kind'],
    ['狀態', 'Status'],
    ['更新', 'Updated'],
  ],
  rows,
  ['沒有申請案。', 'No applications.'],
  'applications',
)}`,
    );
  });

  const ownEServices = async (v: PageViewer) =>
    (
      bodyOf(await kit.call(v, 'listEServices', { query: { limit: '200' } })).items as {
        id: string;
        status: string;
      }[]
    )
      .filter((e) => e.status !== 'revoked')
      .map((e) => e.id);

  type Errors = Parameters<typeof applicationForm>[0]['errors'];
  const newPage = async (
    ctx: Context,
    v: PageViewer,
    values: Values,
    errors: Errors,
    amend: boolean,
    status = 200,
  ) =>
    kit.page(
      ctx,
      {
        title: amend
          ? ['變更申請（表8）', 'Amendment (表8)']
          : ['新 eService 申請（表8）', 'New eService application (表8)'],
        viewer: v,
        active: BASE,
      },
      applicationForm({
        action: `${BASE}/new${amend ? '?amend=1' : ''}`,
        csrf: v.session.csrf,
        values,
        errors,
        mode: amend ? 'amend' : 'new',
        ...(amend ? { eServices: await ownEServices(v) } : {}),
      }),
      status,
    );
  kit.get(`${BASE}/new`, async (ctx, v) => newPage(ctx, v, {}, [], !!q(ctx, 'amend')));
  kit.post(`${BASE}/new`, async (ctx, v, f) => {
    const amend = !!q(ctx, 'amend');
    try {
      const r = bodyOf(
        await kit.call(v, 'createApplication', {
          body: bodyOfForm(f, { newEService: !amend, patch: false }),
        }),
      );
      kit.done(ctx, `${BASE}/${r.id}`, 'created');
    } catch (e) {
      await kit.refuse(ctx, v, e, {
        back: `${BASE}/new`,
        form: (errors, status) => newPage(ctx, v, f.values, errors, amend, status),
      });
    }
  });

  const load = async (v: PageViewer, id: string) => {
    const r = await kit.call(v, 'getApplication', { params: { id } });
    return { a: bodyOf(r), version: r.version! };
  };
  const editPage = async (
    ctx: Context,
    v: PageViewer,
    id: string,
    values: Values | undefined,
    errors: Errors,
    version?: number,
    status = 200,
  ) => {
    const { a, version: current } = await load(v, id);
    kit.page(
      ctx,
      { title: ['編輯草稿', 'Edit the draft'], viewer: v, active: BASE },
      applicationForm({
        action: `${BASE}/${id}/edit`,
        csrf: v.session.csrf,
        values: values ?? valuesOf(a),
        errors,
        mode: 'edit',
        version: version ?? current,
      }),
      status,
    );
  };
  kit.get(`${BASE}/:id/edit`, async (ctx, v) => {
    try {
      await editPage(ctx, v, ctx.params.id!, undefined, []);
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: BASE });
    }
  });
  kit.post(`${BASE}/:id/edit`, async (ctx, v, f) => {
    const id = ctx.params.id!;
    try {
      await kit.call(v, 'patchApplication', {
        params: { id },
        body: bodyOfForm(f, { newEService: false, patch: true }),
        version: f.get('_version'),
      });
      kit.done(ctx, `${BASE}/${id}`, 'saved');
    } catch (e) {
      await kit.refuse(ctx, v, e, {
        back: `${BASE}/${id}/edit`,
        form: (errors, status) => editPage(ctx, v, id, f.values, errors, Number(f.get('_version')), status),
      });
    }
  });

  kit.get(`${BASE}/:id`, async (ctx, v) => {
    try {
      const { a, version } = await load(v, ctx.params.id!);
      const n = doneNotice(ctx);
      kit.page(
        ctx,
        { title: ['申請案', 'Application'], viewer: v, active: BASE, ...(n ? { notice: n } : {}) },
        html`${applicationDetails(a)}${filingDetails(a)}${actions(v, a, version)}`,
      );
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: BASE });
    }
  });

  /** One step on the application page: its form posts here. */
  const step = (path: string, run: Parameters<ConsoleKit['step']>[2]) => kit.step(BASE, path, run);
  step('submit', async (v, id, f) => {
    await kit.call(v, 'submitApplication', { params: { id }, version: f.get('_version') });
    return 'submitted';
  });
  step('review', async (v, id, f) => {
    const changes = f.get('outcome') === 'changes';
    const note = f.get('note');
    const assessment = changes ? undefined : assessmentOf(f);
    await kit.call(v, changes ? 'requestChanges' : 'reviewApplication', {
      params: { id },
      body: { ...(note ? { note } : {}), ...(assessment ? { assessment } : {}) },
      version: f.get('_version'),
    });
    return changes ? 'changes-requested' : 'reviewed';
  });
  step('decide', async (v, id, f) => {
    const text = f.get('text');
    if (f.get('decision') === 'approve') {
      await kit.call(v, 'approveApplication', {
        params: { id },
        body: text ? { text } : {},
        version: f.get('_version'),
      });
      return 'approved';
    }
    await kit.call(v, 'rejectApplication', {
      params: { id },
      body: { reason: f.get('reason'), ...(text ? { text } : {}) },
      version: f.get('_version'),
    });
    return 'rejected';
  });
  step('terminal', async (v, id) => {
    await kit.call(v, 'retryTerminal', { params: { id } });
    return 'certificate';
  });
}

/** The steps this admin may take on the application now. */
function actions(
  v: PageViewer,
  a: FilingView & { history: { step: string; by: string }[]; createdBy: string },
  version: number,
): Html {
  const base = `${BASE}/${a.id}`;
  const me = v.principal.id;
  const drafted =
    a.createdBy === me ||
    a.history.some((h) => ['create', 'update', 'submit'].includes(h.step) && h.by === me);
  const reviewed = a.history.some((h) => ['review', 'request-changes'].includes(h.step) && h.by === me);
  const out: Html[] = [];
  if (a.status === 'draft' && v.allows('patchApplication'))
    out.push(
      html`<p class="actions"><a class="button secondary" id="edit" href="${base}/edit">${bi(['編輯草稿', 'Edit the draft'])}</a></p>`,
    );
  out.push(filingActions(v, a, version));
  if ((a.status === 'submitted' || a.status === 'reviewed') && v.allows('reviewApplication'))
    out.push(
      drafted
        ? notice(
            'info',
            html`<p>${bi(['四眼原則：您曾起草或送出此案，須由他人審查。', 'Four eyes: you drafted or submitted this application; someone else reviews it.'])}</p>`,
          )
        : form(
            `${base}/review`,
            v.session.csrf,
            html`<h2>${bi(['審查', 'Review'])}</h2>${textarea({ name: 'note', label: ['審查意見', 'Review note'] })}${a.status === 'submitted' ? assessmentFields(a) : ''}<div class="actions">${a.status === 'submitted' ? button(['審查完成，送核定', 'Reviewed: ready for a decision'], { name: 'outcome', value: 'reviewed', id: 'review' }) : ''}${button(['退回申請者修改', 'Send back for changes'], { name: 'outcome', value: 'changes', kind: 'secondary', id: 'request-changes' })}</div>`,
            { version, id: 'review-form' },
          ),
    );
  if ((a.status === 'submitted' || a.status === 'reviewed') && v.allows('approveApplication')) {
    if (drafted || reviewed)
      out.push(
        notice(
          'info',
          html`<p>${bi(['四眼原則：您曾起草或審查此案，須由他人核定。', 'Four eyes: you drafted or reviewed this application; someone else decides on it.'])}</p>`,
        ),
      );
    else
      out.push(
        html`${v.fresh ? '' : notice('warn', html`<p>${bi(['核定前需重新驗證身分。', 'Confirm it is you before deciding.'])} <a id="reauth" href="/admin/reauth?next=${encodeURIComponent(base)}">${bi(['重新驗證', 'Confirm'])}</a></p>`)}${form(
          `${base}/decide`,
          v.session.csrf,
          html`<h2>${bi(['核定', 'Decision'])}</h2>${select({
            name: 'reason',
            label: ['未核准原因（拒絕時）', 'Reason (when rejecting)'],
            options: REJECTION_REASONS.map((r) => ({ value: r, label: REASON_TEXT[r]! })),
          })}${textarea({ name: 'text', label: ['說明', 'Explanation'] })}<div class="actions">${a.status === 'reviewed' ? button(['核准', 'Approve'], { name: 'decision', value: 'approve', id: 'approve' }) : ''}${button(['拒絕', 'Reject'], { name: 'decision', value: 'reject', kind: 'danger', id: 'reject' })}</div>`,
          { version, id: 'decide-form' },
        )}`,
      );
  }
  if (a.status === 'approved' && v.allows('retryTerminal'))
    out.push(
      form(
        `${base}/terminal`,
        v.session.csrf,
        html`<div class="actions">${button(['重新申請終端憑證', 'Order the terminal certificate again'], { id: 'retry-terminal' })}</div>`,
      ),
    );
  return html`${out}`;
}
