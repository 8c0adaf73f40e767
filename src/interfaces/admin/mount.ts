/**
 * The admin REST API under /admin/api/v1 on the web listener
 * (docs/admin.md): the routes of routes/*.ts behind one pipeline
 * (pipeline.ts) — bearer authentication here, then the route's permission, a
 * fresh authentication where needed, If-Match, paging, a bounded JSON body
 * validated against the OpenAPI schema, an applicant's own eServices — and
 * RFC 9457 problems for every refusal. The web console calls the same
 * pipeline. Also schedules the periodic SAML metadata refresh.
 */
import type { Context } from 'koa';
import { secretKeyFile } from '../../provisioning/secret-key-file.js';
import { getEService } from '../../registry/store/eservices.js';
import { BodyTooLargeError, readBody } from '../http/body.js';
import type { MountContext } from '../mount-context.js';
import { AdminAlerts } from './alerts.js';
import { AdminAuth } from './auth.js';
import { adminCallerAddress, type CallerAddressOf } from './caller.js';
import type { AdminDeps } from './deps.js';
import { openApiDocument } from './openapi/document.js';
import { AdminApi } from './pipeline.js';
import { Problem, sendProblem, toProblem } from './problem.js';
import { etag, type RouteDef } from './route.js';
import { accountRoutes } from './routes/accounts.js';
import { alertRoutes } from './routes/alerts.js';
import { applicationRoutes } from './routes/applications.js';
import { auditRoutes } from './routes/audit.js';
import { eServiceRoutes } from './routes/eservices.js';
import { frontEndRoutes } from './routes/frontends.js';
import { overviewRoutes } from './routes/overview.js';
import { terminalRoutes } from './routes/terminals.js';
import { metadataPolicy, refreshMetadata } from './saml-metadata.js';

export const ADMIN_BASE = '/admin/api/v1';
const DEFAULT_MAX_BODY = 256 * 1024;

async function jsonBody(ctx: Context, max: number): Promise<unknown> {
  if (!ctx.is('application/json'))
    throw new Problem(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'send the body as application/json',
    );
  let raw: Buffer;
  try {
    raw = await readBody(ctx.req, max);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new Problem(413, 'body-too-large', 'Body too large', e.message);
    throw e;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new Problem(
      400,
      'invalid-json',
      'Invalid JSON',
      `the body is not JSON: ${(e as Error).message}`,
      '/',
    );
  }
}

/** Whether the request carries a body at all (RFC 9112 §6.3). */
const hasBody = (ctx: Context): boolean =>
  ctx.get('transfer-encoding') !== '' ||
  (ctx.get('content-length') !== '' && ctx.get('content-length') !== '0');

export interface AdminApiMount {
  readonly routes: readonly RouteDef[];
  /** The pipeline the web console calls too. */
  readonly api: AdminApi;
  readonly alerts: AdminAlerts;
  /** The caller's address (admin.trustedProxies): the console's sign-ins and sessions use it too. */
  readonly address: CallerAddressOf;
}

export function mountAdminApi(s: MountContext): AdminApiMount {
  const rt = s.registryRuntime;
  const cfg = s.config.admin;
  // The socket's address, or behind a configured reverse proxy its X-Forwarded-For (docs/admin.md §9).
  const address = adminCallerAddress(cfg.trustedProxies);
  const log = s.log.child({ frontEnd: 'admin' });
  const alerts = new AdminAlerts({
    ctx: rt.ctx,
    log,
    lockout: cfg.lockout,
    ...(cfg.alerts.webhookUrl
      ? {
          webhook: {
            url: cfg.alerts.webhookUrl,
            secret: secretKeyFile(cfg.alerts.webhookSecretFile),
            retries: cfg.alerts.retries,
            retryBaseMs: cfg.alerts.retryBaseMs,
          },
        }
      : {}),
    server: s.urls.web,
  });
  s.onClose(async () => alerts.close());
  alerts.resume().catch((e: Error) => log.error({ err: e.message }, 'pending alert deliveries not resumed'));
  const deps: AdminDeps = {
    ctx: rt.ctx,
    live: rt.live,
    trail: rt.trail,
    metadata: metadataPolicy(s.config.registry.saml),
    invitations: { hours: cfg.invitationHours, url: (token) => `${s.urls.web}/admin/invitation/${token}` },
    ...(cfg.console ? { console: { id: cfg.eServiceId, redirectUri: `${s.urls.web}/admin/callback` } } : {}),
    certificates: s.certificateExpiries,
    revocation: s.revocation,
  };
  const auth = new AdminAuth(rt.ctx.db, rt.trail, `${s.urls.web}${ADMIN_BASE}/token`, alerts);
  const routes = [
    ...overviewRoutes(deps),
    ...eServiceRoutes(deps),
    ...applicationRoutes(deps),
    ...terminalRoutes(deps),
    ...frontEndRoutes(deps),
    ...accountRoutes(deps),
    ...alertRoutes(deps),
    ...auditRoutes(deps),
  ];
  const api = new AdminApi(routes, {
    trail: rt.trail,
    freshMs: cfg.freshAuthMinutes * 60_000,
    now: rt.ctx.now,
    networksOf: async (id) => (await getEService(rt.ctx.db, id)).networks,
    log,
  });
  const doc = openApiDocument(routes, s.urls.web);
  const fail = (ctx: Context, e: unknown) => {
    const p = toProblem(e);
    if (p.status >= 500)
      log.error(
        { path: ctx.path, err: { message: (e as Error).message, stack: (e as Error).stack } },
        'admin API error',
      );
    sendProblem(ctx, p);
  };

  s.webRouter.get(`${ADMIN_BASE}/openapi.json`, (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = doc;
  });
  s.webRouter.post(`${ADMIN_BASE}/token`, async (ctx) => {
    try {
      let form: Record<string, unknown>;
      if (ctx.is('application/x-www-form-urlencoded'))
        form = Object.fromEntries(new URLSearchParams((await readBody(ctx.req, 16384)).toString('utf8')));
      else form = (await jsonBody(ctx, 16384)) as Record<string, unknown>;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await auth.token(form ?? {}, address(ctx));
    } catch (e) {
      fail(
        ctx,
        e instanceof BodyTooLargeError ? new Problem(413, 'body-too-large', 'Body too large', e.message) : e,
      );
    }
  });

  for (const r of routes) {
    const path = `${ADMIN_BASE}${r.path.replace(/\{(\w+)\}/g, ':$1')}`;
    s.webRouter[r.method](path, async (ctx) => {
      try {
        const remote = address(ctx);
        const principal = await auth.principal(ctx, remote);
        const query: Record<string, string> = {};
        for (const [k, v] of Object.entries(ctx.query)) if (typeof v === 'string') query[k] = v;
        const ifMatch = ctx.get('if-match');
        const reply = await api.invoke(r, {
          principal,
          params: ctx.params as Record<string, string>,
          query,
          ...(ifMatch ? { ifMatch } : {}),
          ...(remote ? { address: remote } : {}),
          // The body is read only for a caller whose roles allow the operation (else 403 before it).
          ...(r.body && api.allows(principal, r.operationId) && !(r.optionalBody && !hasBody(ctx))
            ? { body: await jsonBody(ctx, r.maxBody ?? DEFAULT_MAX_BODY) }
            : {}),
        });
        ctx.set('Cache-Control', 'no-store');
        for (const [k, v] of Object.entries(reply.headers ?? {})) ctx.set(k, v);
        if (reply.version !== undefined) ctx.set('ETag', etag(reply.version));
        ctx.status = reply.status ?? 200;
        if (reply.type) ctx.type = reply.type;
        if (reply.body !== undefined) ctx.body = reply.body;
      } catch (e) {
        fail(ctx, e);
      }
    });
  }

  rt.jobs.schedule({
    name: 'refresh-saml-metadata',
    everyMs: 600_000,
    run: () =>
      refreshMetadata(
        rt.ctx,
        deps.metadata,
        async (id) => {
          const es = await getEService(rt.ctx.db, id);
          return {
            ...es,
            approvedFields: [...es.approvedFields],
            approvedFunctions: [...es.approvedFunctions],
          };
        },
        log,
      ),
  });
  log.info({ base: `${s.urls.web}${ADMIN_BASE}`, operations: routes.length }, 'admin API mounted');
  return { routes, api, alerts, address };
}
