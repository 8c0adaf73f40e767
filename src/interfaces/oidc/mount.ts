/**
 * Mounts the OpenID Provider on the running server: issuer {web}/oidc on the
 * web listener (discovery at /oidc/.well-known/openid-configuration), the
 * login interaction at /oidc/interaction/:uid, and a mutual-TLS listener of
 * its own for the RFC 8705 §5 endpoint aliases (token, PAR, userinfo,
 * revocation) that clients authenticating with certificates, or holding
 * certificate-bound tokens, use.
 */

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { Context, Next } from 'koa';
import type { Json, KoaContextWithOIDC, Provider } from 'oidc-provider';
import { PKI_FILES } from '../../pki/layout.js';
import { closeRedis, connectRedis, type RedisClient } from '../../workflows/session/redis-connection.js';
import { errorPage } from '../browser/pages.js';
import { ECDH_CURVES, listen, WEB_CIPHERS } from '../http/tls.js';
import type { MountContext } from '../mount-context.js';
import { bindingOf, clientCas, staticClients } from './clients.js';
import { interactionHandler, loginContinuation } from './interaction.js';
import { LoginClaims } from './login-claims.js';
import { createProvider } from './provider.js';
import { redisAdapterFactory } from './redis-adapter.js';
import { loadOidcSecrets } from './secrets.js';
import { unavailableRedirect } from './unavailable.js';

export const ISSUER_PATH = '/oidc';
const INTERACTION_PREFIX = `${ISSUER_PATH}/interaction/`;

export interface OidcMountOptions {
  /**
   * The mTLS listener (port 0: any free port); false disables it. Default: the server config `oidcMtls`.
   */
  readonly mtls?: false | { readonly host?: string; readonly port?: number; readonly publicUrl?: string };
  /** Default: <varDir>/oidc-secrets.json. */
  readonly secretsFile?: string;
}

export interface OidcFrontEnd {
  readonly provider: Provider;
  readonly issuer: string;
  readonly mtlsUrl?: string;
}

const isProviderPath = (url: string) =>
  url === ISSUER_PATH || url.startsWith(`${ISSUER_PATH}/`) || url.startsWith(`${ISSUER_PATH}?`);

/** Hands a request under /oidc to oidc-provider with the mount path stripped (it derives URLs from originalUrl). */
function delegate(provider: Provider) {
  const handle = provider.callback();
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice(ISSUER_PATH.length) || '/';
    if (!req.url.startsWith('/')) req.url = `/${req.url}`;
    return handle(req, res) as Promise<void>;
  };
}

const TLS_METHODS = new Set(['tls_client_auth', 'self_signed_tls_client_auth']);

/**
 * The mTLS listener (server config `oidcMtls`, docs/configuration.md) runs when set to
 * always, or in 'auto' when a registered client authenticates with a certificate or an eService
 * accepts dynamic registration (a client may register with self_signed_tls_client_auth); mount
 * options (tests) override it. Without it the certificate methods are neither advertised nor
 * accepted (provider.ts).
 */
function mtlsOptions(
  s: MountContext,
  o: OidcMountOptions,
): { host: string; port: number; publicUrl?: string } | undefined {
  if (o.mtls === false) return undefined;
  if (o.mtls)
    return {
      host: o.mtls.host ?? s.config.web.host,
      port: o.mtls.port ?? 8446,
      ...(o.mtls.publicUrl ? { publicUrl: o.mtls.publicUrl } : {}),
    };
  const c = s.config.oidcMtls;
  if (!c) return undefined;
  const wanted =
    c.when === 'always' ||
    s.registry.eServices.some(
      (es) => TLS_METHODS.has(es.oidc?.client?.tokenEndpointAuthMethod ?? '') || !!es.oidc?.registration,
    );
  return wanted ? { host: c.host, port: c.port, publicUrl: c.publicUrl } : undefined;
}

export async function mountOidc(s: MountContext, o: OidcMountOptions = {}): Promise<OidcFrontEnd> {
  const issuer = `${s.urls.web}${ISSUER_PATH}`;
  const secrets = loadOidcSecrets(o.secretsFile ?? join(s.config.varDir, 'oidc-secrets.json'));
  const jwks = JSON.parse(readFileSync(join(s.pki.dir, PKI_FILES.oidcJwks), 'utf8')) as { keys: Json[] };

  let redis: RedisClient | undefined;
  if (s.config.sessions.store === 'redis') {
    // Fails fast and reports failures as UnavailableError, like the session store (same Redis).
    redis = await connectRedis({
      url: s.config.sessions.redisUrl,
      purpose: 'OIDC store',
      connectTimeoutMs: s.config.sessions.connectTimeoutSeconds * 1000,
      commandTimeoutMs: s.config.sessions.commandTimeoutMs,
    });
  }
  const claims = redis ? LoginClaims.inRedis(redis, secrets.claims) : LoginClaims.inMemory(secrets.claims);

  // The mTLS listener starts first: its URL goes into the discovery document.
  let toProvider: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  let mtlsServer: Server | undefined;
  let mtlsUrl: string | undefined;
  const cas = clientCas(s.registry);
  const m = mtlsOptions(s, o);
  // The registry's clients, rebuilt when it changes (a broken registration is left out and logged).
  // Without the mTLS listener a certificate-authenticated client could never authenticate: left out.
  const buildClients = () =>
    staticClients(s.registry, s.pki.dir).filter((c) => {
      if (m || !TLS_METHODS.has(String(c.token_endpoint_auth_method))) return true;
      s.log.error(
        { eService: c.neid_eservice, client: c.client_id },
        'OIDC client left out: it authenticates with a certificate, but the oidcMtls listener is disabled',
      );
      return false;
    });
  let current = buildClients();
  const liveClients = () => current;
  s.registry.onChange?.(() => {
    clientCas(s.registry, cas);
    try {
      current = buildClients();
    } catch (e) {
      s.log.error({ err: (e as Error).message }, 'OIDC clients not changed after a registry change');
    }
  });
  // The TLS context; its CAs follow the registry's tls_client_auth clients.
  const context = () => ({
    key: s.pki.tls.key,
    cert: s.pki.tls.cert,
    minVersion: 'TLSv1.2' as const,
    ciphers: WEB_CIPHERS,
    ecdhCurve: ECDH_CURVES,
    honorCipherOrder: true,
    ...(cas.size ? { ca: [...cas.values()] } : {}),
  });
  if (m) {
    mtlsServer = createHttpsServer(
      {
        ...context(),
        requestCert: true,
        // Certificates are checked per client by the provider (tls_client_auth: chain and subject; self-signed: JWKS).
        rejectUnauthorized: false,
      },
      (req, res) => {
        if (!toProvider || !isProviderPath(req.url ?? '/')) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
          return;
        }
        toProvider(req, res).catch(() => {
          if (!res.headersSent) res.writeHead(500).end();
        });
      },
    );
    const server = mtlsServer;
    // New tls_client_auth CAs of a changed registry apply to new handshakes.
    s.registry.onChange?.(() => server.setSecureContext(context()));
    const port = await listen(mtlsServer, m.host, m.port);
    mtlsUrl = m.publicUrl ?? `https://${m.host.includes(':') ? `[${m.host}]` : m.host}:${port}`;
    s.onClose(() =>
      new Promise<void>((r) => mtlsServer!.close(() => r())).then(() => mtlsServer!.closeAllConnections()),
    );
  }

  const p = createProvider({
    issuer,
    registry: s.registry,
    jwks,
    clients: liveClients,
    cookieKeys: secrets.cookieKeys,
    pairwiseKey: secrets.pairwise,
    claims,
    ...(redis ? { adapter: redisAdapterFactory(redis) } : {}),
    // The longest a login can take: waiting for its eID-Client, then the authentication itself.
    interactionTtl: s.config.sessions.unclaimedTtlSeconds + s.config.sessions.ttlSeconds,
    ...(mtlsUrl ? { mtlsUrl } : {}),
    clientCas: cas,
  });
  const handle = delegate(p);
  toProvider = handle;
  p.use(async (ctx: Context, next: Next) => {
    ctx.set('Strict-Transport-Security', 'max-age=31536000');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    await next();
  });
  // Error answers by OAuth error code and eService (metrics); an unavailable store is server_error.
  type ErrorCtx = { oidc?: { client?: { clientId: string } & Record<string, unknown> } };
  const failure = (ctx: ErrorCtx, code: string) =>
    s.metrics.failure('oidc', code, bindingOf(ctx.oidc?.client)?.eServiceId);
  p.on('server_error', (ctx: ErrorCtx, err: Error) => {
    failure(
      ctx,
      unavailableRedirect(ctx as KoaContextWithOIDC, err) ? 'temporarily_unavailable' : 'server_error',
    );
    if (err.name === 'UnavailableError')
      s.log.warn({ reason: err.message }, 'OIDC request failed: unavailable');
    else s.log.error({ err: { message: err.message, stack: err.stack } }, 'OIDC provider error');
  });
  p.on('grant.revoked', (_ctx: unknown, grantId: string) => {
    claims
      .delete(grantId)
      .catch((e: Error) => s.log.error({ err: e.message }, 'could not delete the claims of a revoked grant'));
  });
  for (const ev of [
    'authorization.error',
    'pushed_authorization_request.error',
    'grant.error',
    'userinfo.error',
    'registration_create.error',
  ]) {
    p.on(ev, (ctx: ErrorCtx, err: { error?: string; error_description?: string }) => {
      failure(ctx, err.error ?? 'server_error');
      s.log.info(
        { client: ctx.oidc?.client?.clientId, error: err.error, reason: err.error_description },
        `OIDC ${ev}`,
      );
    });
  }
  p.on('registration_create.success', (_ctx: unknown, client: { clientId: string; neid_eservice?: string }) =>
    s.log.info({ client: client.clientId, eService: client.neid_eservice }, 'OIDC client registered'),
  );

  s.webApp.use(async (ctx: Context, next: Next) => {
    if (!isProviderPath(ctx.url) || ctx.path.startsWith(INTERACTION_PREFIX)) return next();
    ctx.respond = false;
    await handle(ctx.req, ctx.res);
  });
  const deps = {
    provider: p,
    registry: s.registry,
    logins: s.logins,
    claims,
    pairwiseKey: secrets.pairwise,
    log: s.log,
  };
  s.webRouter.get(`${INTERACTION_PREFIX}:uid`, interactionHandler(deps));
  // An authorization request too long for the HTTP parser (431) gets the page of any other refused
  // authorization request: no redirect to an unverified redirect_uri (RFC 6749 §4.1.2.1).
  s.refusalPages.set(ISSUER_PATH, (reason) => ({
    type: 'text/html; charset=utf-8',
    body: errorPage({
      title: { zh: '無法登入', en: 'Cannot log in' },
      message: {
        zh: '服務網站送來的登入請求過長，因此無法在此登入。請回到服務網站重新開始；若問題持續，請聯絡該服務。',
        en: "The service's login request is too long, so you cannot log in here. Go back to the service and start again; if this keeps happening, contact the service.",
      },
      detail: `invalid_request: ${reason} (send long requests by PAR, RFC 9126: ${issuer}/request)`,
    }),
  }));
  s.logins.register('oidc', loginContinuation(deps));
  s.onClose(async () => {
    await claims.close();
    if (redis) await closeRedis(redis);
  });
  s.log.info({ issuer, mtls: mtlsUrl }, 'OpenID Provider mounted');
  return { provider: p, issuer, ...(mtlsUrl ? { mtlsUrl } : {}) };
}
