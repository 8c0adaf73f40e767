/**
 * GET /overview: the dashboard of the web console, for every role, each part
 * only with the permission behind it and, for an applicant, only its own
 * eServices: eServices by state; applications waiting for each role;
 * certificates expiring within 60 days (terminal, TLS, SAML, SOAP, OIDC, the
 * EAC chain); the age of the card revocation list and the CSCA CRLs; ended
 * authentications per eService and day — counts, never who.
 */
import { dailyOutcomes } from '../../../registry/audit/query.js';
import { permits } from '../../../registry/roles.js';
import { listAlerts } from '../../../registry/store/alerts.js';
import {
  applicationsByStatus,
  eServicesByStatus,
  registryCertificates,
} from '../../../registry/store/overview.js';
import type { AdminDeps } from '../deps.js';
import { type RouteDef, route } from '../route.js';

const DAY = 86_400_000;
/** Certificates this close to their end are listed (the console marks 30 and 60 days). */
export const EXPIRY_WINDOW_DAYS = 60;
/** Days of login counts on the dashboard. */
export const LOGIN_DAYS = 14;
/** Read from the registry database (the metrics' list names these by eService, the dashboard by subject). */
const LIVE_KINDS = new Set(['terminal', 'soap-client', 'soap-signing']);

export function overviewRoutes(d: AdminDeps): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/overview',
      operationId: 'getOverview',
      summary:
        'The dashboard: eServices by state, applications waiting per role, expiring certificates, revocation list and CRL age, authentications per eService and day (counts)',
      tag: 'Overview',
      permission: 'overview:read',
      scoped: true,
      handler: async (c) => {
        const p = c.principal;
        const within = p.eServices;
        const now = d.ctx.now();
        const can = (perm: Parameters<typeof permits>[1]) => permits(p.roles, perm);
        const out: Record<string, unknown> = { at: now.toISOString() };
        if (can('eservice:read')) {
          out.eServices = await eServicesByStatus(d.ctx.db, within);
          const a = await applicationsByStatus(d.ctx.db, within);
          out.applications = a;
          out.waiting = {
            applicant: a.draft ?? 0,
            reviewer: a.submitted ?? 0,
            approver: a.reviewed ?? 0,
            'security-officer': a.approved ?? 0,
          };
          const horizon = now.getTime() + EXPIRY_WINDOW_DAYS * DAY;
          const mine = (name: string) =>
            !within || within.some((id) => name === id || name.startsWith(`${id}/`));
          const certs = [
            ...d.certificates
              .expiries()
              .filter((x) => !LIVE_KINDS.has(x.kind) && (!within || (x.kind === 'saml-sp' && mine(x.name))))
              .map((x) => ({ kind: x.kind, name: x.name, notAfter: x.notAfter })),
            ...(await registryCertificates(d.ctx.db, within)).map((x) => ({
              kind: x.kind,
              name: `${x.eServiceId}/${x.name}`,
              notAfter: x.notAfter,
            })),
          ];
          out.certificates = certs
            .filter((x) => x.notAfter.getTime() <= horizon)
            .sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())
            .map((x) => ({
              ...x,
              notAfter: x.notAfter.toISOString(),
              daysLeft: Math.floor((x.notAfter.getTime() - now.getTime()) / DAY),
            }));
          if (!within) {
            const u = d.revocation.updates;
            const age = (t: Date) => Math.floor((now.getTime() - t.getTime()) / 3_600_000);
            out.revocation = {
              cardRevocationList: u
                ? {
                    thisUpdate: u.thisUpdate.toISOString(),
                    nextUpdate: u.nextUpdate.toISOString(),
                    current: d.revocation.isCurrent,
                    ageHours: age(u.thisUpdate),
                  }
                : null,
              crls: d.certificates.crls().map((x) => ({
                issuer: x.issuer,
                thisUpdate: x.thisUpdate.toISOString(),
                ageHours: age(x.thisUpdate),
              })),
            };
          }
        }
        if (can('eservice:read') || can('audit:read')) {
          const since = new Date(now.getTime() - LOGIN_DAYS * DAY);
          out.logins = { since: since.toISOString(), days: await dailyOutcomes(d.ctx.db, since, within) };
        }
        if (can('alert:manage'))
          out.openAlerts = (await listAlerts(d.ctx.db, { limit: 100, open: true })).length;
        return { body: out };
      },
    }),
  ];
}
