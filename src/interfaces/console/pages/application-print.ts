/**
 * The filled-in application printed as seed 004 表8 「New eID 加密區 API 介接申請書」
 * for a paper filing: both languages, the applicant's data, every card field
 * and function as a box (ticked when requested), the filing method, space for
 * the organisation's seal (用印) and the responsible person's signature, and
 * the Ministry's half (受理機關審核資料) — ticked from the reviewer's
 * assessment when there is one, blank boxes to fill in by hand otherwise.
 * The print stylesheet (assets/console/console.css, `@media print`) leaves
 * out the console's frame, so the browser's "print" or "save as PDF" gives
 * the form alone on A4.
 */
import { FUNCTION_IDS } from '../../../profile/authorization.js';
import { FIELD_IDS } from '../../../profile/fields.js';
import { ASSESSMENT_REASONS } from '../../../registry/model.js';
import { SCHEMAS } from '../../admin/openapi/schemas.js';
import { bi, type Html, html, type Text } from '../html.js';
import { ELIGIBILITY_TEXT, fieldText, labelOf } from '../i18n.js';
import type { ConsoleKit } from '../kit.js';
import { ASSESSMENT_TEXT, type FilingView } from './application-filing.js';
import { bodyOf } from './common.js';

const BASE = '/admin/applications';

/** A box, ticked or not, with its label in both languages. */
const box = (ticked: boolean, label: Text, id?: string): Html =>
  html`<span class="tick"${id ? html` id="${id}"` : ''} data-ticked="${ticked ? 'yes' : 'no'}"><span class="box" role="img" aria-label="${ticked ? '已勾選 / ticked' : '未勾選 / not ticked'}">${ticked ? '☑' : '☐'}</span> ${bi(label)}</span>`;

const ROWS: readonly string[] = Object.keys(
  (SCHEMAS.ApplicationForm as { properties: Record<string, unknown> }).properties,
);

function cell(key: string, v: unknown): Html {
  if (v === undefined || v === null || v === '') return html`&nbsp;`;
  if (key === 'eligibility') return bi(ELIGIBILITY_TEXT[String(v)] ?? [String(v), String(v)]);
  if (Array.isArray(v)) return html`${v.join('、')}`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('zh' in o || 'en' in o)
      return html`${String(o.zh ?? '')}<br><span lang="en">${String(o.en ?? '')}</span>`;
    return html`${Object.values(o).map(String).join(' · ')}`;
  }
  return html`${String(v)}`;
}

interface PrintView extends FilingView {
  eServiceId: string;
  kind: string;
  requestedFields: string[];
  requestedFunctions: string[];
}

export function printedForm(a: PrintView): Html {
  const fields = new Set([...a.requestedFields, ...a.requestedFunctions]);
  const s = a.assessment;
  return html`<article class="form8" id="form8" aria-labelledby="form8-title">
<header class="form8-head"><p class="form8-no">表8 · Table 8</p><h2 id="form8-title">New eID 加密區 API 介接申請書<br><span lang="en">New eID encrypted-area API application</span></h2>
<p class="form8-meta">${bi(['申請編號', 'Application'])} <span class="mono">${a.id}</span> · eService <span class="mono">${a.eServiceId}</span> · ${box(a.kind === 'initial', ['新申請', 'New'])} ${box(a.kind !== 'initial', ['變更', 'Amendment'])}</p></header>
<h3>${bi(['一、申請單位資料', '1. The applicant'])}</h3>
<table class="form8-table"><tbody>${ROWS.map((k) => html`<tr><th scope="row">${bi(labelOf(`/form/${k}`))}</th><td>${cell(k, a.form[k])}</td></tr>`)}</tbody></table>
<h3>${bi(['二、申請之欄位與功能', '2. Fields and functions applied for'])}</h3>
<ul class="form8-boxes" id="form8-fields">${[...FIELD_IDS, ...FUNCTION_IDS].map((f) => html`<li>${box(fields.has(f), fieldText(f), `tick-${f}`)}</li>`)}</ul>
<h3>${bi(['三、申請方式', '3. Filing'])}</h3>
<p>${box(a.filing?.method === 'signed', ['線上申請（組織憑證簽章）', 'Online (organisation-certificate signature)'])} ${box(a.filing?.method !== 'signed', ['紙本申請', 'On paper'])}</p>
<div class="form8-sign"><div class="seal"><p>${bi(['申請單位用印', 'Seal of the applicant'])}</p></div><div class="signature"><p>${bi(['負責人簽章', 'Signature of the responsible person'])}</p></div><div class="date"><p>${bi(['日期', 'Date'])}</p></div></div>
<h3>${bi(['四、受理機關審核資料（由受理機關填寫）', '4. The Ministry’s assessment (filled in by the Ministry)'])}</h3>
<table class="form8-table"><tbody>
<tr><th scope="row">${bi(['審核結果', 'Result'])}</th><td>${box(s?.result === 'provide', ASSESSMENT_TEXT.provide!, 'tick-provide')} ${box(s?.result === 'cannot-provide', ASSESSMENT_TEXT['cannot-provide']!, 'tick-cannot-provide')}</td></tr>
<tr><th scope="row">${bi(['無法提供原因', 'Why it cannot be provided'])}</th><td>${ASSESSMENT_REASONS.map((r) => box(!!s?.reasons.includes(r), ASSESSMENT_TEXT[r]!))}${s?.text ? html`：${s.text}` : html` ＿＿＿＿＿＿`}</td></tr>
<tr><th scope="row">${bi(['預計測試日期', 'Planned test date'])}</th><td>${s?.plannedTestDate ?? html`&nbsp;`}</td></tr>
<tr><th scope="row">${bi(['預計連線日期', 'Planned connection date'])}</th><td>${s?.plannedConnectionDate ?? html`&nbsp;`}</td></tr>
<tr><th scope="row">${bi(['申請單位網路位址／子網路遮罩', 'Applicant’s addresses / masks'])}</th><td class="mono">${s?.applicantNetworks.join('、') ?? html`&nbsp;`}</td></tr>
<tr><th scope="row">${bi(['受理機關網路位址／子網路遮罩', 'Ministry’s addresses / masks'])}</th><td class="mono">${s?.ministryNetworks.join('、') ?? html`&nbsp;`}</td></tr>
</tbody></table>
<div class="form8-sign"><div class="signature"><p>${bi(['承辦人', 'Officer'])}</p></div><div class="signature"><p>${bi(['主管', 'Supervisor'])}</p></div></div>
</article>`;
}

export function printPages(kit: ConsoleKit): void {
  kit.get(`${BASE}/:id/print`, async (ctx, v) => {
    try {
      const a = bodyOf(await kit.call(v, 'getApplication', { params: { id: ctx.params.id! } })) as PrintView;
      kit.page(
        ctx,
        { title: ['表8 列印', 'Print 表8'], viewer: v, active: BASE },
        html`<p class="actions no-print"><a class="button secondary" href="${BASE}/${a.id}">${bi(['回到申請案', 'Back to the application'])}</a> ${bi(['以瀏覽器列印或另存 PDF（A4）。', 'Print it, or save it as a PDF (A4), from the browser.'])}</p>${printedForm(a)}`,
      );
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: BASE });
    }
  });
}
