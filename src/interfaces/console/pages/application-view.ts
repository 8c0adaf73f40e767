/** One application as the console shows it: the 表8 form as filed, the rights asked for, its history. */
import { SCHEMAS } from '../../admin/openapi/schemas.js';
import { bi, fmtTime, type Html, html, type Text } from '../html.js';
import { ELIGIBILITY_TEXT, fieldText, labelOf, REASON_TEXT } from '../i18n.js';
import { badge } from './common.js';

const STEP_TEXT: Readonly<Record<string, Text>> = {
  create: ['建立', 'Created'],
  update: ['修改', 'Edited'],
  submit: ['送出', 'Submitted'],
  review: ['審查完成', 'Reviewed'],
  'request-changes': ['退回修改', 'Sent back for changes'],
  approve: ['核准', 'Approved'],
  reject: ['拒絕', 'Rejected'],
  'paper-received': ['紙本正本收件', 'Signed paper copy arrived'],
};

interface ApplicationView {
  id: string;
  eServiceId: string;
  kind: string;
  status: string;
  form: Record<string, unknown>;
  requestedFields: string[];
  requestedFunctions: string[];
  decision: { outcome: string; reason?: string; text?: string; by: string; at: string } | null;
  history: { step: string; by: string; at: string; note?: string }[];
  version: number;
  createdBy: string;
  createdAt: string;
}

/** The 表8 members in the schema's order (members added to the schema later show up too). */
const ROWS: readonly string[] = Object.keys(
  (SCHEMAS.ApplicationForm as { properties: Record<string, unknown> }).properties,
);

function value(key: string, v: unknown): Html {
  if (v === undefined || v === null || v === '') return html`—`;
  if (key === 'eligibility') return bi(ELIGIBILITY_TEXT[String(v)] ?? [String(v), String(v)]);
  if (Array.isArray(v)) return html`${v.join('、')}`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('zh' in o || 'en' in o) return html`${String(o.zh ?? '')} / ${String(o.en ?? '')}`;
    return html`${Object.values(o).map(String).join(' · ')}`;
  }
  return html`${String(v)}`;
}

export function applicationDetails(a: ApplicationView): Html {
  const system = a.form.system !== undefined;
  const last = [...a.history].reverse().find((h) => h.step === 'request-changes');
  return html`<section class="card" aria-labelledby="h-app"><h2 id="h-app">${a.eServiceId} · ${bi(a.kind === 'initial' ? ['新申請', 'New eService'] : ['變更申請', 'Amendment'])} ${badge(a.status)}</h2>
<dl class="props" id="application"><dt>${bi(['編號', 'Id'])}</dt><dd class="mono">${a.id}</dd>
<dt>eService</dt><dd><a href="/admin/eservices/${a.eServiceId}">${a.eServiceId}</a></dd>
<dt>${bi(['版本', 'Version'])}</dt><dd>${a.version}</dd>
${system ? html`<dt>${bi(['申請者', 'Applicant'])}</dt><dd>${bi(['伺服器本身（管理主控台的晶片卡登入）', 'The server itself (the console’s card login)'])}</dd>` : ROWS.map((k) => html`<dt>${bi(labelOf(`/form/${k}`))}</dt><dd>${value(k, a.form[k])}</dd>`)}
</dl></section>
${a.status === 'draft' && last ? html`<div class="notice warn" role="status"><p>${bi(['審查者要求修改：', 'The reviewer asks for changes:'])}</p><p id="changes-requested">${last.note ?? ''}</p></div>` : ''}
<section class="card" aria-labelledby="h-rights"><h2 id="h-rights">${bi(['申請之欄位與功能', 'Fields and functions asked for'])}</h2>
<ul id="requested">${[...a.requestedFields, ...a.requestedFunctions].map((f) => html`<li data-field="${f}">${bi(fieldText(f))}</li>`)}</ul>
${a.requestedFields.length + a.requestedFunctions.length === 0 ? html`<p>${bi(['只有限制識別（化名），沒有卡片欄位。', 'Restricted Identification (a pseudonym) only, no card field.'])}</p>` : ''}</section>
${
  a.decision
    ? html`<section class="card" aria-labelledby="h-dec"><h2 id="h-dec">${bi(['核定結果', 'Decision'])}</h2><dl class="props" id="decision"><dt>${bi(['結果', 'Outcome'])}</dt><dd>${badge(a.decision.outcome === 'approved' ? 'approved' : 'rejected')}</dd>
${a.decision.reason ? html`<dt>${bi(['原因', 'Reason'])}</dt><dd>${bi(REASON_TEXT[a.decision.reason] ?? [a.decision.reason, a.decision.reason])}</dd>` : ''}
${a.decision.text ? html`<dt>${bi(['說明', 'Explanation'])}</dt><dd>${a.decision.text}</dd>` : ''}
<dt>${bi(['核定者', 'By'])}</dt><dd class="mono">${a.decision.by}</dd><dt>${bi(['時間', 'At'])}</dt><dd>${fmtTime(a.decision.at)}</dd></dl></section>`
    : ''
}
<section class="card" aria-labelledby="h-hist"><h2 id="h-hist">${bi(['歷程', 'History'])}</h2>
<ol class="history" id="history">${a.history.map(
    (h) =>
      html`<li><strong>${bi(STEP_TEXT[h.step] ?? [h.step, h.step])}</strong> · <span class="mono">${h.by}</span> · ${fmtTime(h.at)}${h.note ? html`<br>${h.note}` : ''}</li>`,
  )}</ol></section>`;
}
