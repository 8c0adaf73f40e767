/**
 * The dashboard (GET /admin/): eServices by state, applications waiting for
 * each role, certificates that expire within 30 and 60 days, the age of the
 * card revocation list and the CRLs, and ended authentications per eService
 * and day — numbers only, never who. Each part appears only for roles whose
 * permissions cover it (the API's overview decides).
 */
import { ROLES } from '../../../registry/roles.js';
import { bi, fmtTime, type Html, html, notice } from '../html.js';
import { ROLE_TEXT, statusText } from '../i18n.js';
import type { ConsoleKit } from '../kit.js';
import { bodyOf, doneNotice, table } from './common.js';

interface Overview {
  eServices?: Record<string, number>;
  waiting?: Record<string, number>;
  certificates?: { kind: string; name: string; notAfter: string; daysLeft: number }[];
  revocation?: {
    cardRevocationList: { thisUpdate: string; nextUpdate: string; current: boolean; ageHours: number } | null;
    crls: { issuer: string; thisUpdate: string; ageHours: number }[];
  };
  logins?: { since: string; days: { eServiceId: string; day: string; outcome: string; count: number }[] };
  openAlerts?: number;
}

const WAITING_STATUS: Record<string, string> = {
  applicant: 'draft',
  reviewer: 'submitted',
  approver: 'reviewed',
  'security-officer': 'approved',
};

function logins(o: NonNullable<Overview['logins']>): Html {
  const byKey = new Map<string, { day: string; es: string; ok: number; failed: Map<string, number> }>();
  for (const r of o.days) {
    const k = `${r.day} ${r.eServiceId}`;
    const row = byKey.get(k) ?? { day: r.day, es: r.eServiceId, ok: 0, failed: new Map() };
    if (r.outcome === 'ok') row.ok += r.count;
    else row.failed.set(r.outcome, (row.failed.get(r.outcome) ?? 0) + r.count);
    byKey.set(k, row);
  }
  const rows = [...byKey.values()].map(
    (r) =>
      html`<tr><td>${r.day}</td><td>${r.es}</td><td class="num">${r.ok}</td><td class="num">${[...r.failed.values()].reduce((a, b) => a + b, 0)}</td><td>${[...r.failed].map(([k, n]) => `${k} ${n}`).join('、')}</td></tr>`,
  );
  return table(
    [
      ['日期（UTC+8）', 'Day (UTC+8)'],
      ['eService', 'eService'],
      ['成功', 'Succeeded'],
      ['失敗', 'Failed'],
      ['失敗原因', 'Failures by outcome'],
    ],
    rows,
    ['此期間沒有登入。', 'No logins in this period.'],
    'logins',
  );
}

export function dashboardPage(kit: ConsoleKit): void {
  // The router matches /admin and /admin/ alike (no strict trailing slash): one page for both.
  kit.get('/admin/', async (ctx, v) => {
    const o = bodyOf(await kit.call(v, 'getOverview')) as Overview;
    const parts: Html[] = [];
    if (o.openAlerts)
      parts.push(
        notice(
          'warn',
          html`<p><a href="/admin/alerts" id="open-alerts">${bi([`有 ${o.openAlerts} 則未確認的警示`, `${o.openAlerts} open alert(s)`])}</a></p>`,
        ),
      );
    if (o.eServices && o.waiting) {
      parts.push(html`<div class="grid">
<section class="card" aria-labelledby="h-es"><h2 id="h-es">${bi(['eService 狀態', 'eServices by state'])}</h2>
<dl class="props" id="eservice-counts">${Object.entries(o.eServices).map(([k, n]) => html`<dt>${bi(statusText(k))}</dt><dd class="num">${n}</dd>`)}</dl></section>
<section class="card" aria-labelledby="h-wait"><h2 id="h-wait">${bi(['待處理申請案', 'Applications waiting'])}</h2>
<dl class="props" id="waiting">${ROLES.filter((r) => r in WAITING_STATUS).map(
        (r) =>
          html`<dt>${bi(ROLE_TEXT[r])}</dt><dd><a href="/admin/applications?status=${WAITING_STATUS[r]}">${o.waiting![r] ?? 0}</a></dd>`,
      )}</dl></section></div>`);
    }
    if (o.certificates)
      parts.push(html`<section class="card" aria-labelledby="h-cert"><h2 id="h-cert">${bi(['60 天內到期的憑證', 'Certificates expiring within 60 days'])}</h2>
${table(
  [
    ['種類', 'Kind'],
    ['名稱', 'Name'],
    ['到期', 'Not after'],
    ['剩餘天數', 'Days left'],
  ],
  o.certificates.map(
    (c) =>
      html`<tr><td>${c.kind}</td><td class="mono">${c.name}</td><td>${fmtTime(c.notAfter)}</td><td class="num ${c.daysLeft <= 30 ? 'soon' : 'later'}">${c.daysLeft}</td></tr>`,
  ),
  ['60 天內沒有到期的憑證。', 'No certificate expires within 60 days.'],
  'expiring',
)}</section>`);
    if (o.revocation) {
      const l = o.revocation.cardRevocationList;
      parts.push(html`<section class="card" aria-labelledby="h-rev"><h2 id="h-rev">${bi(['廢止清冊', 'Revocation lists'])}</h2>
<dl class="props" id="revocation"><dt>${bi(['卡片廢止清冊', 'Card revocation list'])}</dt><dd>${
        l
          ? html`${fmtTime(l.thisUpdate)}（${bi([`${l.ageHours} 小時前`, `${l.ageHours} h old`])}）· ${bi(['下次更新', 'next update'])} ${fmtTime(l.nextUpdate)} · ${l.current ? html`<span class="badge ok">${bi(['有效', 'current'])}</span>` : html`<span class="badge failed">${bi(['已過期：所有卡片視為廢止', 'out of date: every card counts as revoked'])}</span>`}`
          : bi(['沒有清冊：所有卡片視為廢止', 'none: every card counts as revoked'])
      }</dd>${o.revocation.crls.map((c) => html`<dt>CRL ${c.issuer}</dt><dd>${fmtTime(c.thisUpdate)}（${bi([`${c.ageHours} 小時前`, `${c.ageHours} h old`])}）</dd>`)}</dl></section>`);
    }
    if (o.logins)
      parts.push(html`<section class="card" aria-labelledby="h-login"><h2 id="h-login">${bi(['各 eService 每日登入結果（僅計數）', 'Logins per eService and day (counts only)'])}</h2>
${logins(o.logins)}</section>`);
    const n = doneNotice(ctx);
    kit.page(
      ctx,
      { title: ['儀表板', 'Dashboard'], viewer: v, active: '/admin/', ...(n ? { notice: n } : {}) },
      html`${parts}`,
    );
  });
}
