/**
 * The audit log (auditors, security officers): the chain's state (intact, or
 * the first edited, inserted or deleted entry), entries newest first with
 * filters by who, what, which record, outcome and day, and the export of the
 * filtered log as JSON Lines. Entries of eService calls carry outcome codes and
 * a session-id prefix, never what a citizen entered or the card returned.
 */
import type { Context } from 'koa';
import { bi, fmtTime, type Html, html, input, notice } from '../html.js';
import type { ConsoleKit } from '../kit.js';
import { bodyOf, q, table } from './common.js';

const FILTERS = ['actor', 'action', 'target', 'outcome', 'from', 'to'] as const;

interface Entry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  details: Record<string, unknown>;
  hash: string;
}

const filtersOf = (ctx: Context) =>
  Object.fromEntries(FILTERS.flatMap((k) => (q(ctx, k) ? [[k, q(ctx, k)!]] : []))) as Record<string, string>;

export function auditPages(kit: ConsoleKit): void {
  kit.get('/admin/audit', async (ctx, v) => {
    const filters = filtersOf(ctx);
    let chain: Html;
    let list: { items: Entry[]; next: string | null };
    try {
      const c = bodyOf(await kit.call(v, 'verifyAudit'));
      chain = c.ok
        ? notice(
            'ok',
            html`<p id="chain-status" data-ok="true">${bi(['雜湊鏈完整', 'The hash chain is intact'])}：${c.entries} ${bi(['筆', 'entries'])}，head ${c.head.seq} <code>${c.head.hash}</code></p>`,
          )
        : notice(
            'error',
            html`<p id="chain-status" data-ok="false">${bi(['雜湊鏈遭竄改', 'The hash chain is broken'])}：${c.problem.message}</p>`,
          );
      list = bodyOf(
        await kit.call(v, 'listAudit', {
          query: {
            ...filters,
            order: 'newest',
            limit: '100',
            ...(q(ctx, 'cursor') ? { cursor: q(ctx, 'cursor') } : {}),
          },
        }),
      );
    } catch (e) {
      return kit.refuse(ctx, v, e, { back: '/admin/audit' });
    }
    const qs = new URLSearchParams(filters).toString();
    const rows = list.items.map(
      (e) =>
        html`<tr><td class="num">${e.seq}</td><td>${fmtTime(e.at)}</td><td class="mono">${e.actor}</td><td class="mono">${e.action}</td><td class="mono">${e.target ?? ''}</td><td><span class="badge ${e.outcome}">${e.outcome}</span></td><td class="mono">${summary(e.details)}</td></tr>`,
    );
    const form = html`<form method="get" action="/admin/audit" id="audit-filter"><fieldset><legend>${bi(['篩選', 'Filter'])}</legend><div class="grid">
${input({ name: 'actor', label: ['操作者', 'Actor'], value: filters.actor ?? '', hint: ['例：person:…、service:…、system', 'e.g. person:…, service:…, system'] })}
${input({ name: 'action', label: ['動作', 'Action'], value: filters.action ?? '', hint: ['例：application.*、admin.login', 'e.g. application.*, admin.login'] })}
${input({ name: 'target', label: ['對象', 'Target'], value: filters.target ?? '', hint: ['例：eservice:demo-bank', 'e.g. eservice:demo-bank'] })}
${input({ name: 'outcome', label: ['結果', 'Outcome'], value: filters.outcome ?? '' })}
${input({ name: 'from', label: ['起日', 'From'], value: filters.from ?? '', type: 'date' })}
${input({ name: 'to', label: ['迄日', 'To'], value: filters.to ?? '', type: 'date' })}
</div><div class="actions"><button type="submit" class="primary">${bi(['篩選', 'Filter'])}</button> <a class="button secondary" id="export" href="/admin/audit/export${qs ? `?${qs}` : ''}">${bi(['匯出（JSON Lines）', 'Export (JSON Lines)'])}</a></div></fieldset></form>`;
    kit.page(
      ctx,
      { title: ['稽核紀錄', 'Audit log'], viewer: v, active: '/admin/audit' },
      html`${chain}${form}${table(
        [
          ['序號', 'Seq'],
          ['時間', 'At'],
          ['操作者', 'Actor'],
          ['動作', 'Action'],
          ['對象', 'Target'],
          ['結果', 'Outcome'],
          ['內容', 'Details'],
        ],
        rows,
        ['沒有符合的紀錄。', 'No matching entries.'],
        'audit',
      )}${list.next ? html`<p class="pager"><a id="older" href="/admin/audit?${qs ? `${qs}&` : ''}cursor=${list.next}">${bi(['較舊的紀錄', 'Older entries'])}</a></p>` : ''}`,
    );
  });
  kit.get('/admin/audit/export', async (ctx, v) => {
    try {
      const r = await kit.call(v, 'exportAudit', { query: filtersOf(ctx) });
      for (const [k, val] of Object.entries(r.headers ?? {})) ctx.set(k, val);
      ctx.type = r.type ?? 'application/x-ndjson';
      ctx.body = r.body;
    } catch (e) {
      await kit.refuse(ctx, v, e, { back: '/admin/audit' });
    }
  });
}

/** The details of an entry in one line (records before/after are long: their keys only). */
function summary(d: Record<string, unknown>): string {
  const parts = Object.entries(d).map(([k, x]) =>
    x && typeof x === 'object'
      ? `${k}: {${Object.keys(x as object)
          .slice(0, 6)
          .join(', ')}}`
      : `${k}: ${String(x)}`,
  );
  const s = parts.join(' · ');
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
