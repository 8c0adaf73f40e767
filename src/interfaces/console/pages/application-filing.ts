/**
 * Filing an application in the console (seed 004 第陸章 壹.一, 表8): online,
 * signed with the organisation's certificate — the applicant downloads the
 * canonical application, signs it with its 工商憑證 / 組織憑證 / 政府機關憑證
 * (a detached CMS signature, e.g. `openssl cms -sign` or the CA's signing
 * tool) and uploads the signature — or on paper: the printed 表8 (print.ts),
 * sealed and signed, whose arrival a reviewer records. Also the reviewer's
 * half of 表8 (受理機關審核資料) in the review form.
 */
import { ASSESSMENT_REASONS } from '../../../registry/model.js';
import { prefixOfMask } from '../../../registry/networks.js';
import { toProblem } from '../../admin/problem.js';
import type { Form } from '../forms.js';
import {
  bi,
  button,
  checkboxes,
  fmtTime,
  form,
  type Html,
  html,
  input,
  select,
  type Text,
  textarea,
} from '../html.js';
import { refusalText } from '../i18n.js';
import { type ConsoleKit, fieldErrors } from '../kit.js';
import type { PageViewer } from '../layout.js';

const BASE = '/admin/applications';

export const ASSESSMENT_TEXT: Readonly<Record<string, Text>> = {
  provide: ['提供', 'Provide'],
  'cannot-provide': ['無法提供', 'Cannot provide'],
  'form-incomplete': ['表單填寫不完整或錯誤', 'The form is incomplete or wrong'],
  'line-mismatch': ['線路/號碼不符', 'Line or number mismatch'],
  other: ['其他', 'Other'],
};

export interface FilingView {
  id: string;
  status: string;
  form: Record<string, unknown>;
  filing:
    | {
        method: 'signed';
        organisationId: string;
        certificate: { subject: string; issuer: string; serial: string; notAfter: string };
        at: string;
      }
    | { method: 'paper'; at: string; received?: { by: string; at: string; note?: string } }
    | null;
  assessment: {
    result: string;
    reasons: string[];
    text?: string;
    plannedTestDate?: string;
    plannedConnectionDate?: string;
    applicantNetworks: string[];
    ministryNetworks: string[];
    by: string;
    at: string;
  } | null;
}

/** How the application was filed, and the reviewer's assessment, for its page. */
export function filingDetails(a: FilingView): Html {
  const f = a.filing;
  const filed = !f
    ? ''
    : f.method === 'signed'
      ? html`<dt>${bi(['申請方式', 'Filed'])}</dt><dd id="filing-method">${bi(['線上申請，組織憑證簽章', 'Online, signed with an organisation certificate'])}</dd>
<dt>${bi(['組織識別碼（統一編號）', 'Organisation identifier'])}</dt><dd class="mono" id="filing-organisation">${f.organisationId}</dd>
<dt>${bi(['憑證', 'Certificate'])}</dt><dd>${f.certificate.subject}<br><small>${f.certificate.issuer} · ${f.certificate.serial}</small></dd>
<dt>${bi(['簽章時間', 'Signed'])}</dt><dd>${fmtTime(f.at)}</dd>`
      : html`<dt>${bi(['申請方式', 'Filed'])}</dt><dd id="filing-method">${bi(['紙本申請', 'On paper'])}</dd>
<dt>${bi(['紙本正本', 'Signed paper copy'])}</dt><dd id="paper-received">${f.received ? html`${bi(['已收到', 'Arrived'])} · ${fmtTime(f.received.at)} · <span class="mono">${f.received.by}</span>${f.received.note ? html` · ${f.received.note}` : ''}` : bi(['尚未收到', 'Not arrived yet'])}</dd>`;
  const s = a.assessment;
  const assessed = s
    ? html`<dt>${bi(['審核結果', 'Assessment'])}</dt><dd id="assessment-result">${bi(ASSESSMENT_TEXT[s.result] ?? [s.result, s.result])}${s.reasons.length ? html`：${s.reasons.map((r) => bi(ASSESSMENT_TEXT[r] ?? [r, r]))}` : ''}${s.text ? html` · ${s.text}` : ''}</dd>
<dt>${bi(['預計測試日期', 'Planned test date'])}</dt><dd>${s.plannedTestDate ?? '—'}</dd>
<dt>${bi(['預計連線日期', 'Planned connection date'])}</dt><dd>${s.plannedConnectionDate ?? '—'}</dd>
<dt>${bi(['申請單位網路位址', 'Applicant’s networks'])}</dt><dd class="mono" id="assessment-applicant">${s.applicantNetworks.join('、') || '—'}</dd>
<dt>${bi(['受理機關網路位址', 'Ministry’s networks'])}</dt><dd class="mono">${s.ministryNetworks.join('、') || '—'}</dd>`
    : '';
  if (!filed && !assessed) return html``;
  return html`<section class="card" aria-labelledby="h-filing"><h2 id="h-filing">${bi(['申請方式與受理機關審核資料', 'Filing and the Ministry’s assessment'])}</h2><dl class="props" id="filing">${filed}${assessed}</dl></section>`;
}

/** The applicant's two ways to file a draft, and the reviewer's record of the paper copy. */
export function filingActions(v: PageViewer, a: FilingView, version: number): Html {
  const base = `${BASE}/${a.id}`;
  const out: Html[] = [
    html`<p class="actions"><a class="button secondary" id="print" href="${base}/print">${bi(['列印表8（紙本申請）', 'Print 表8 (paper filing)'])}</a></p>`,
  ];
  if (a.status === 'draft' && v.allows('submitApplication'))
    out.push(
      form(
        `${base}/submit-signed`,
        v.session.csrf,
        html`<h2>${bi(['線上申請：以組織憑證簽章', 'File online: sign with the organisation certificate'])}</h2>
<p>${bi(['1. 下載申請書的標準格式，以工商憑證、組織憑證或政府機關憑證製作分離式 CMS 簽章（例如 openssl cms -sign -binary -outform DER）。', '1. Download the canonical application and sign it with the business, organisation or government-agency certificate: a detached CMS signature (e.g. openssl cms -sign -binary -outform DER).'])}</p>
<p><a class="button secondary" id="canonical" href="${base}/canonical" download="application-${a.id}.json">${bi(['下載申請書（JSON）', 'Download the application (JSON)'])}</a></p>
<div class="field"><label for="f-signature-file">${bi(['2. 上傳簽章檔（.p7s，DER 或 PEM）', '2. Upload the signature (.p7s, DER or PEM)'])}</label><input id="f-signature-file" name="signature" type="file" accept=".p7s,.p7m,.der,.pem,application/pkcs7-signature"></div>
<div class="actions">${button(['送出已簽章之申請', 'Submit the signed application'], { id: 'submit-signed' })}</div>`,
        { version, multipart: true, id: 'signed-form' },
      ),
      form(
        `${base}/submit`,
        v.session.csrf,
        html`<h2>${bi(['紙本申請', 'File on paper'])}</h2><p>${bi(['送出後，列印表8，用印並由負責人簽章後寄送；審查者收到正本後方可核定。', 'Submit, then print 表8, seal and sign it and send it; it is decided once the reviewer has the signed copy.'])}</p><div class="actions">${button(['送出（紙本申請）', 'Submit (paper filing)'], { id: 'submit', kind: 'secondary' })}</div>`,
        { version },
      ),
    );
  if (
    (a.status === 'submitted' || a.status === 'reviewed') &&
    a.filing?.method !== 'signed' &&
    !(a.filing?.method === 'paper' && a.filing.received) &&
    v.allows('recordPaperReceived')
  )
    out.push(
      form(
        `${base}/paper-received`,
        v.session.csrf,
        html`<h2>${bi(['紙本正本', 'The signed paper copy'])}</h2>${input({ name: 'paperNote', label: ['收文字號', 'Reference (letter number)'] })}<div class="actions">${button(['已收到用印之紙本', 'The sealed, signed copy arrived'], { id: 'paper-received-button', kind: 'secondary' })}</div>`,
        { version, id: 'paper-form' },
      ),
    );
  return html`${out}`;
}

/** The applicant's addresses of the form (主機網路位址 + 子網路遮罩) as CIDR blocks, to start from. */
function proposedNetworks(form: Record<string, unknown>): string {
  const hosts = Array.isArray(form.hostAddresses) ? (form.hostAddresses as string[]) : [];
  const prefix = typeof form.subnetMask === 'string' ? prefixOfMask(form.subnetMask) : undefined;
  return hosts.map((h) => (prefix === undefined || h.includes(':') ? h : `${h}/${prefix}`)).join('\n');
}

/** The reviewer's half of 表8, inside the review form. */
export function assessmentFields(a: FilingView): Html {
  return html`<fieldset class="field" id="assessment"><legend>${bi(['受理機關審核資料', 'The Ministry’s assessment (表8)'])}</legend>
${select({
  name: 'assessment.result',
  label: ['審核結果', 'Result'],
  value: '',
  options: [
    { value: '', label: ['（不填）', '(none)'] },
    { value: 'provide', label: ASSESSMENT_TEXT.provide! },
    { value: 'cannot-provide', label: ASSESSMENT_TEXT['cannot-provide']! },
  ],
})}${checkboxes({
  name: 'assessment.reasons',
  label: ['無法提供原因', 'Why it cannot be provided'],
  options: ASSESSMENT_REASONS.map((r) => ({ value: r, label: ASSESSMENT_TEXT[r]! })),
  checked: [],
})}${input({ name: 'assessment.text', label: ['其他原因／備註', 'Other reason / remarks'] })}
${input({ name: 'assessment.plannedTestDate', label: ['預計測試日期', 'Planned test date'], type: 'date', value: String(a.form.plannedTestDate ?? '') })}
${input({ name: 'assessment.plannedConnectionDate', label: ['預計連線日期', 'Planned connection date'], type: 'date' })}
${textarea({ name: 'assessment.applicantNetworks', label: ['申請單位網路位址（CIDR，每行一個）', 'Applicant’s networks (CIDR, one a line)'], value: proposedNetworks(a.form), hint: ['通訊設備、資安閘道、API 閘道（443）；其 SOAP 與管理 API 呼叫只接受來自這些位址。', 'Communication device, security gateway, API gateway (443): its SOAP and admin-API calls are accepted from these only.'] })}
${textarea({ name: 'assessment.ministryNetworks', label: ['受理機關網路位址（CIDR，每行一個）', 'Ministry’s networks (CIDR, one a line)'] })}</fieldset>`;
}

/** The assessment of the posted review form; undefined when no result was chosen. */
export function assessmentOf(f: Form): Record<string, unknown> | undefined {
  const result = f.get('assessment.result');
  if (!result) return undefined;
  const opt = (k: string) => (f.get(k) ? { [k.slice(11)]: f.get(k) } : {});
  return {
    result,
    reasons: f.all('assessment.reasons'),
    ...opt('assessment.text'),
    ...opt('assessment.plannedTestDate'),
    ...opt('assessment.plannedConnectionDate'),
    applicantNetworks: f.lines('assessment.applicantNetworks'),
    ministryNetworks: f.lines('assessment.ministryNetworks'),
  };
}

export function filingPages(kit: ConsoleKit): void {
  kit.get(`${BASE}/:id/canonical`, async (ctx, v) => {
    try {
      const r = await kit.call(v, 'getCanonicalApplication', { params: { id: ctx.params.id! } });
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Content-Disposition', `attachment; filename="application-${ctx.params.id}.json"`);
      ctx.type = 'application/json';
      ctx.body = r.body;
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: BASE });
    }
  });
  kit.post(
    `${BASE}/:id/submit-signed`,
    async (ctx, v, f) => {
      const id = ctx.params.id!;
      try {
        const file = f.file('signature');
        await kit.call(v, 'submitApplication', {
          params: { id },
          // DER is sent as base64; a PEM file as it is (the API accepts both).
          body: { signature: file ? pemOrBase64(file.data) : '' },
          version: f.get('_version'),
        });
        kit.done(ctx, `${BASE}/${id}`, 'submitted');
      } catch (e) {
        const p = toProblem(e);
        // A refused signature: why, in both languages, and the way back to the application.
        if (p.status === 422)
          kit.fail(ctx, v, 422, refusalText(p.status, p.kind), p.message, `${BASE}/${id}`, fieldErrors(p));
        else await kit.refuse(ctx, v, e, { back: `${BASE}/${id}` });
      }
    },
    { multipart: true, limit: 96 * 1024 },
  );
  kit.step(BASE, 'paper-received', async (v, id, f) => {
    const note = f.get('paperNote');
    await kit.call(v, 'recordPaperReceived', {
      params: { id },
      body: note ? { note } : {},
      version: f.get('_version'),
    });
    return 'paper-received';
  });
}

const pemOrBase64 = (data: Buffer): string =>
  data.subarray(0, 11).toString('latin1') === '-----BEGIN '
    ? data.toString('latin1')
    : data.toString('base64');
