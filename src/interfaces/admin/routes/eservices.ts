/** eServices: list, read, edit the profile, suspend, resume, revoke, promote from the test phase. */

import { testLogins } from '../../../registry/audit/query.js';
import type { EServiceStatus } from '../../../registry/model.js';
import { type EServicePatch, getEService, listEServices } from '../../../registry/store/eservices.js';
import {
  changeEServiceStatus,
  patchEService,
  promoteEService,
} from '../../../registry/workflow/eservices.js';
import type { AdminDeps } from '../deps.js';
import { type Call, pageOf, type RouteDef, route } from '../route.js';
import { eServiceView, terminalView } from '../views.js';

const ID = '/eservices/{id}';

/** The eService in the path (for an applicant: its own only). */
export const pathEService = async (c: Call<never>) => c.params.id!;

export function eServiceRoutes(d: AdminDeps): RouteDef[] {
  const view = (e: Parameters<typeof eServiceView>[0]) => eServiceView(e, !!d.live.get(e.id));
  const status = (action: 'suspend' | 'resume' | 'revoke', summary: string) =>
    route<{ reason?: string }>({
      method: 'post',
      path: `${ID}/${action}`,
      operationId: `${action}EService`,
      summary,
      tag: 'eServices',
      permission: 'eservice:suspend',
      body: 'StatusChange',
      ifMatch: true,
      // Revocation destroys the terminal keys: a key operation.
      ...(action === 'revoke' ? { fresh: true } : {}),
      handler: async (c) => {
        const e = await changeEServiceStatus(
          d.ctx,
          c.principal,
          c.params.id!,
          action,
          c.ifMatch,
          c.body.reason,
        );
        return { body: view(e), version: e.version };
      },
    });
  return [
    route({
      method: 'get',
      path: '/eservices',
      operationId: 'listEServices',
      summary: 'List eServices (by id)',
      tag: 'eServices',
      permission: 'eservice:read',
      paged: true,
      scoped: true,
      query: [
        {
          name: 'status',
          schema: { enum: ['pending', 'active', 'suspended', 'revoked'] },
          description: 'only this status',
        },
      ],
      handler: async (c) => {
        const s = c.query.status;
        const rows = await listEServices(d.ctx.db, {
          ...(c.page.after ? { after: c.page.after } : {}),
          limit: c.page.limit + 1,
          ...(typeof s === 'string' && s ? { status: s as EServiceStatus } : {}),
          ...(c.principal.eServices ? { within: c.principal.eServices } : {}),
        });
        const p = pageOf(rows, c.page.limit, (e) => e.id);
        return { body: { items: p.items.map(view), next: p.next } };
      },
    }),
    route({
      method: 'get',
      path: ID,
      operationId: 'getEService',
      summary: 'Read an eService',
      tag: 'eServices',
      permission: 'eservice:read',
      target: pathEService,
      handler: async (c) => {
        const e = await getEService(d.ctx.db, c.params.id!);
        const t = await testLogins(d.ctx.db, e.id);
        const testPhase = t.since
          ? {
              since: t.since.toISOString(),
              until: t.until?.toISOString() ?? null,
              logins: { ok: t.ok, failed: t.failed },
            }
          : null;
        return { body: { ...view(e), testPhase }, version: e.version };
      },
    }),
    route<EServicePatch>({
      method: 'patch',
      path: ID,
      operationId: 'patchEService',
      summary:
        'Change the profile of an eService (names, purpose, URLs, session cap); approvals change by application',
      tag: 'eServices',
      permission: 'eservice:write',
      body: 'EServicePatch',
      ifMatch: true,
      handler: async (c) => {
        const e = await patchEService(d.ctx, c.principal, c.params.id!, c.ifMatch, c.body);
        return { body: view(e), version: e.version };
      },
    }),
    route({
      method: 'post',
      path: `${ID}/promote`,
      operationId: 'promoteEService',
      summary:
        'Promote an eService from its test phase (test terminal certificate, test cards only) to production, after at least one successful test login: a terminal certificate of the production DV (at once with the test PKI, else a request for the Ministry’s DV); its activation supersedes the test certificate',
      tag: 'eServices',
      permission: 'application:review',
      fresh: true,
      target: pathEService,
      responses: { '201': 'The production terminal certificate (active, or requested from the DV)' },
      handler: async (c) => {
        const t = await promoteEService(d.ctx, c.principal, c.params.id!);
        return { status: 201, body: terminalView(t) };
      },
    }),
    status('suspend', 'Suspend an eService: every instance refuses its requests at once'),
    status('resume', 'Resume a suspended eService'),
    status('revoke', 'Revoke an eService for good (its terminal keys are destroyed)'),
    route({
      method: 'get',
      path: '/status',
      operationId: 'getRegistryStatus',
      summary: 'The live registry of this instance: version, database reachability, eServices served',
      tag: 'eServices',
      permission: 'eservice:read',
      handler: async () => ({ body: { ...d.live.status(), problems: d.live.snapshot.problems } }),
    }),
  ];
}
