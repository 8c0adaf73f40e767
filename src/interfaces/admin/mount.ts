/**
 * The admin REST API under /admin/api/v1 on the web listener
 * (docs/admin.md): the routes of routes/*.ts behind one pipeline —
 * bearer authentication, the route's permission, If-Match, paging, a bounded
 * JSON body validated against the OpenAPI schema — and RFC 9457 problems for
 * every refusal. Also schedules the periodic SAML metadata refresh.
 */
import type { Context } from 'koa';
import { permits } from '../../registry/roles.js';
import { getEService } from '../../registry/store/eservices.js';
import { BodyTooLargeError, readBody } from '../http/body.js';
import type { MountContext } from '../mount-context.js';
import { AdminAuth } from './auth.js';
import type { AdminDeps } from './deps.js';
import { openApiDocument } from './openapi/document.js';
import { Problem, sendProblem, toProblem } from './problem.js';
import { afterOf, etag, parseIfMatch, type RouteDef } from './route.js';
import { accountRoutes } from './routes/accounts.js';
import { applicationRoutes } from './routes/applications.js';
import { eServiceRoutes } from './routes/eservices.js';
import { frontEndRoutes } from './routes/frontends.js';
import { terminalRoutes } from './routes/terminals.js';
import { metadataPolicy, refreshMetadata } from './saml-metadata.js';
import { validateBody } from './validate.js';

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

function pageOfQuery(ctx: Context): { limit: number; after?: string } {
  const l = ctx.query.limit;
  const limit = l === undefined ? 50 : Number(l);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new Problem(400, 'invalid-query', 'Invalid query', 'limit must be an integer in 1..200', '/limit');
  const after = afterOf(typeof ctx.query.cursor === 'string' ? ctx.query.cursor : undefined);
  return { limit, ...(after !== undefined ? { after } : {}) };
}

export function mountAdminApi(s: MountContext): { readonly routes: readonly RouteDef[] } {
  const rt = s.registryRuntime;
  const deps: AdminDeps = {
    ctx: rt.ctx,
    live: rt.live,
    trail: rt.trail,
    metadata: metadataPolicy(s.config.registry.saml),
  };
  const log = s.log.child({ frontEnd: 'admin' });
  const auth = new AdminAuth(rt.ctx.db, rt.trail, `${s.urls.web}${ADMIN_BASE}/token`);
  const routes = [
    ...eServiceRoutes(deps),
    ...applicationRoutes(deps),
    ...terminalRoutes(deps),
    ...frontEndRoutes(deps),
    ...accountRoutes(deps),
  ];
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
      ctx.body = await auth.token(form ?? {}, ctx.ip);
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
        const principal = await auth.principal(ctx);
        if (!permits(principal.roles, r.permission)) {
          rt.trail.enqueue({
            actor: principal.id,
            action: 'admin.denied',
            outcome: 'denied',
            details: { operation: r.operationId, permission: r.permission },
          });
          throw new Problem(
            403,
            'forbidden',
            'Forbidden',
            `${r.operationId} needs the permission ${r.permission}`,
          );
        }
        const ifMatch = parseIfMatch(ctx.get('if-match') || undefined, r.ifMatch ?? false);
        const page = r.paged ? pageOfQuery(ctx) : { limit: 50 };
        const body = r.body
          ? validateBody(r.body, await jsonBody(ctx, r.maxBody ?? DEFAULT_MAX_BODY))
          : undefined;
        const reply = await r.handler({
          ctx,
          principal,
          params: ctx.params as Record<string, string>,
          body: body as never,
          ...(ifMatch !== undefined ? { ifMatch } : {}),
          page,
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
  return { routes };
}
