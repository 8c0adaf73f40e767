/** Alerts after failed admin logins, and lifting the locks they set (the security officer's). */
import { appendAudit } from '../../../registry/audit/chain.js';
import { notFound, RegistryError } from '../../../registry/errors.js';
import { acknowledgeAlert, getAlert, listAlerts } from '../../../registry/store/alerts.js';
import { unlock } from '../../../registry/workflow/lockout.js';
import type { AdminDeps } from '../deps.js';
import { Problem } from '../problem.js';
import { pageOf, type RouteDef, route } from '../route.js';
import { alertView } from '../views.js';

const TAG = 'Alerts';

export function alertRoutes(d: AdminDeps): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/alerts',
      operationId: 'listAlerts',
      summary: 'Alerts, newest first (cursor: before this id); open=true: only those not acknowledged',
      tag: TAG,
      permission: 'alert:manage',
      paged: true,
      query: [
        { name: 'open', schema: { enum: ['true', 'false'] }, description: 'only unacknowledged alerts' },
      ],
      handler: async (c) => {
        const before = c.page.after === undefined ? undefined : Number(c.page.after);
        if (before !== undefined && !Number.isSafeInteger(before))
          throw new Problem(400, 'invalid-query', 'Invalid query', 'bad cursor', '/cursor');
        const rows = await listAlerts(d.ctx.db, {
          limit: c.page.limit + 1,
          ...(before !== undefined ? { before } : {}),
          open: c.query.open === 'true',
        });
        const p = pageOf(rows, c.page.limit, (a) => String(a.id));
        return { body: { items: p.items.map(alertView), next: p.next } };
      },
    }),
    route({
      method: 'post',
      path: '/alerts/{id}/acknowledge',
      operationId: 'acknowledgeAlert',
      summary: 'Acknowledge an alert (the lock it set stays until it runs out or is lifted)',
      tag: TAG,
      permission: 'alert:manage',
      handler: async (c) => {
        const id = Number(c.params.id);
        if (!Number.isSafeInteger(id) || !(await getAlert(d.ctx.db, id)))
          throw notFound(`alert ${c.params.id}`);
        const a = await d.ctx.db.tx(async (q) => {
          const done = await acknowledgeAlert(q, id, c.principal.id, d.ctx.now());
          if (!done) throw new RegistryError('wrong-state', `alert ${id} is acknowledged already`);
          await appendAudit(
            q,
            [
              {
                actor: c.principal.id,
                action: 'admin.alert-acknowledge',
                target: `alert:${id}`,
                outcome: 'ok',
              },
            ],
            d.ctx.now(),
          );
          return done;
        });
        return { body: alertView(a) };
      },
    }),
    route<{ subject: string }>({
      method: 'post',
      path: '/locks/release',
      operationId: 'releaseLock',
      summary: 'Lift the lock of an account (account:<id>) or address (address:<ip>) before it runs out',
      tag: TAG,
      permission: 'alert:manage',
      body: 'LockRelease',
      fresh: true,
      responses: { '204': 'Released' },
      handler: async (c) => {
        await unlock(d.ctx, c.principal, c.body.subject);
        return { status: 204 };
      },
    }),
  ];
}
