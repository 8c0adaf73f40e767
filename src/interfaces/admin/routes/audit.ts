/** The audit log: filtered pages, the chain's verification, and the export as JSON Lines. */
import { Readable } from 'node:stream';
import { verifyAudit } from '../../../registry/audit/chain.js';
import { auditEntries, auditFilterOf, queryAudit } from '../../../registry/audit/query.js';
import type { AdminDeps } from '../deps.js';
import { Problem } from '../problem.js';
import { pageOf, type RouteDef, route } from '../route.js';
import { auditView } from '../views.js';

const TAG = 'Audit';

const FILTERS = [
  { name: 'actor', schema: { type: 'string' }, description: 'who: service:<id>, person:<id>, system …' },
  {
    name: 'action',
    schema: { type: 'string' },
    description: 'what: an action, or a prefix ending in "." or "*" (application.*)',
  },
  {
    name: 'target',
    schema: { type: 'string' },
    description: 'which record: eservice:<id>, application:<id> …',
  },
  { name: 'outcome', schema: { type: 'string' }, description: 'ok, denied, failed, or a protocol outcome' },
  {
    name: 'from',
    schema: { type: 'string' },
    description: 'from this day (YYYY-MM-DD, Taiwan time) or ISO time',
  },
  { name: 'to', schema: { type: 'string' }, description: 'up to this day (inclusive) or ISO time' },
] as const;

export function auditRoutes(d: AdminDeps): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/audit',
      operationId: 'listAudit',
      summary: 'Audit entries, filtered, in chain order (cursor: after this sequence number) or newest first',
      tag: TAG,
      permission: 'audit:read',
      paged: true,
      query: [
        ...FILTERS,
        {
          name: 'order',
          schema: { enum: ['chain', 'newest'] },
          description: 'chain order (default) or newest first',
        },
      ],
      handler: async (c) => {
        const cursor = c.page.after === undefined ? undefined : Number(c.page.after);
        if (cursor !== undefined && !Number.isSafeInteger(cursor))
          throw new Problem(400, 'invalid-query', 'Invalid query', 'bad cursor', '/cursor');
        const rows = await queryAudit(d.ctx.db, auditFilterOf(c.query), {
          limit: c.page.limit + 1,
          ...(cursor !== undefined ? { cursor } : {}),
          newestFirst: c.query.order === 'newest',
        });
        const p = pageOf(rows, c.page.limit, (r) => String(r.seq));
        return { body: { items: p.items.map(auditView), next: p.next } };
      },
    }),
    route({
      method: 'get',
      path: '/audit/verify',
      operationId: 'verifyAudit',
      summary: 'Verify the hash chain; reports the first edited, inserted or deleted entry',
      tag: TAG,
      permission: 'audit:read',
      handler: async () => ({ body: await verifyAudit(d.ctx.db) }),
    }),
    route({
      method: 'get',
      path: '/audit/export',
      operationId: 'exportAudit',
      summary: 'The filtered audit log as JSON Lines, in chain order, with each entry’s hashes',
      tag: TAG,
      permission: 'audit:read',
      query: FILTERS,
      responses: { '200': 'application/x-ndjson: one entry per line' },
      handler: async (c) => {
        const filter = auditFilterOf(c.query);
        async function* lines() {
          for await (const r of auditEntries(d.ctx.db, filter)) yield `${JSON.stringify(auditView(r))}\n`;
        }
        return {
          body: Readable.from(lines()),
          type: 'application/x-ndjson',
          headers: { 'content-disposition': 'attachment; filename="neid-audit.jsonl"' },
        };
      },
    }),
  ];
}
