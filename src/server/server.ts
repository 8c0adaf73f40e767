/**
 * Assembles the N_eID-Server from its configuration: registry, PKI (created
 * on first start when allowed), session store, EAC conversation, and the
 * HTTPS listeners. Front-end interfaces (SOAP, SAML, OIDC, the demo) mount
 * their routes here.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import { loadRegistry } from '../config/relying-parties.js';
import type { ServerConfig } from '../config/server-config.js';
import { BrowserLogins } from '../interfaces/browser/login.js';
import { paosHandler } from '../interfaces/eid/paos-endpoint.js';
import { tcTokenHandler } from '../interfaces/eid/tctoken.js';
import { createLogger, type Logger, shortId } from '../interfaces/http/log.js';
import { createPskServer, createWebServer, listen } from '../interfaces/http/tls.js';
import type { MountContext } from '../interfaces/mount-context.js';
import { PKI_FILES } from '../pki/layout.js';
import { type KeySource, openKeySource } from '../provisioning/keys/source.js';
import { RevocationLists } from '../provisioning/revocation.js';
import { loadPki, pkiExists } from '../provisioning/store.js';
import { createTestPki } from '../provisioning/test-pki/create.js';
import { EacConversation } from '../workflows/eac-server/conversation.js';
import type { Meter } from '../workflows/eac-server/meter.js';
import { PassiveAuthenticator } from '../workflows/eac-server/passive-auth-cache.js';
import { MemoryPskDirectory, MemorySessionStore } from '../workflows/session/memory-store.js';
import { RedisPskDirectory, RedisSessionStore } from '../workflows/session/redis-store.js';
import { SessionService } from '../workflows/session/service.js';
import type { PskDirectory, SessionStore } from '../workflows/session/store.js';

/** The running server: what front-ends mount on (MountContext), and its shutdown. */
export interface RunningServer extends MountContext {
  close(): Promise<void>;
}

export type { MountContext };

export interface StartOptions {
  readonly logger?: Logger;
  /** Extra routes for the web listener (front-ends). */
  readonly mount?: (s: MountContext) => Promise<void> | void;
  /** CPU accounting of the EAC conversation (benchmarks). */
  readonly meter?: Meter;
}

function sessionKey(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes in hex`);
  return key;
}

export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const log = opts.logger ?? createLogger(config.log.level);
  const registry = loadRegistry(config.relyingParties, { pkiDir: config.pki.dir });
  // The signing keys: PEM files, or a PKCS#11 token session held until close() (docs/operations.md).
  const keys = await openKeySource(config.keys, config.pki.dir, {
    warn: (msg, fields) => log.warn(fields, msg),
    readWrite: config.keys.pkcs11 !== null && config.pki.autoCreate && !pkiExists(config.pki.dir),
  });
  try {
    return await assemble(config, opts, log, registry, keys);
  } catch (e) {
    keys.close();
    throw e;
  }
}

async function assemble(
  config: ServerConfig,
  opts: StartOptions,
  log: Logger,
  registry: ReturnType<typeof loadRegistry>,
  keys: KeySource,
): Promise<RunningServer> {
  if (!pkiExists(config.pki.dir)) {
    if (!config.pki.autoCreate)
      throw new Error(`no PKI in ${config.pki.dir}; run "neid pki init --out ${config.pki.dir}"`);
    log.warn(
      { dir: config.pki.dir, keys: keys.description },
      'creating a TEST PKI (never use it in production)',
    );
    createTestPki({
      dir: config.pki.dir,
      registry,
      curve: config.pki.curve,
      serverUrl: config.web.publicUrl,
      ...(config.pki.cvcaChr ? { cvcaChr: config.pki.cvcaChr } : {}),
      ...(keys.generator ? { tokenKeys: keys.generator } : {}),
    });
  }
  const pki = loadPki(config.pki.dir, registry, keys);
  if (config.keys.pkcs11)
    log.info({ keys: keys.description }, 'the signing keys are kept in the PKCS#11 token');
  if (pki.manifest.serverUrl !== config.web.publicUrl) {
    log.warn(
      { pki: pki.manifest.serverUrl, server: config.web.publicUrl },
      'the CertificateDescriptions were issued for another server URL; eID-Clients will refuse them',
    );
  }
  const revocation = new RevocationLists(pki, join(config.pki.dir, PKI_FILES.cardRevocationList), log);
  revocation.watch();

  let store: SessionStore;
  let psks: PskDirectory;
  if (config.sessions.store === 'redis') {
    const key = sessionKey(config.sessions.keyFile);
    store = await RedisSessionStore.connect({ url: config.sessions.redisUrl, key });
    psks = await RedisPskDirectory.connect({ url: config.sessions.redisUrl, key });
  } else {
    store = new MemorySessionStore();
    psks = new MemoryPskDirectory();
  }
  const sessions = new SessionService({
    store,
    psks,
    eService: (id) => registry.get(id),
    eidUrl: config.web.publicUrl,
    ...(config.psk ? { pskUrl: config.psk.publicUrl } : {}),
    ttlMs: config.sessions.ttlSeconds * 1000,
    resultTtlMs: config.sessions.resultTtlSeconds * 1000,
  });
  const conversation = new EacConversation(
    {
      pki,
      registry,
      passiveAuth: new PassiveAuthenticator({ cscaCerts: pki.cscaCerts, crls: pki.crls }),
      blacklist: (id) => revocation.blacklist(id) ?? FAIL_CLOSED,
      readMode: 'extended',
      now: () => new Date(),
      ...(opts.meter ? { meter: opts.meter } : {}),
    },
    sessions,
    {
      step: (s, step) =>
        log.debug({ session: shortId(s.id), eService: s.request.eServiceId, step }, 'EAC step'),
      completed: (s) =>
        log.info(
          { session: shortId(s.id), eService: s.request.eServiceId, outcome: 'ok' },
          'authentication completed',
        ),
      failed: (s, f) =>
        log.info(
          { session: shortId(s.id), eService: s.request.eServiceId, outcome: f.code, reason: f.reason },
          'authentication failed',
        ),
      error: (s, e) =>
        log.error(
          { session: shortId(s.id), err: { message: e.message, stack: e.stack } },
          'internal error in the EAC conversation',
        ),
    },
  );

  const tls = { key: pki.tls.key, cert: pki.tls.cert };
  const webApp = new Koa();
  webApp.proxy = false;
  const webRouter = new Router();
  webRouter.get(
    '/eid/tctoken',
    tcTokenHandler({
      sessions,
      eidUrl: config.web.publicUrl,
      ...(config.psk ? { pskUrl: config.psk.publicUrl } : {}),
      log,
    }),
  );
  webRouter.post(
    '/eid/paos',
    paosHandler({ sessions, conversation, log, ...(opts.meter ? { meter: opts.meter } : {}) }, 'web'),
  );
  webRouter.get('/health', (ctx) => {
    ctx.body = {
      status: revocation.isCurrent ? 'ok' : 'degraded',
      revocationList: revocation.isCurrent ? 'current' : 'not current',
    };
  });
  webApp.use(securityHeaders);
  webApp.use(errorBoundary(log));

  const servers: Server[] = [];
  const closeHooks: (() => Promise<void>)[] = [];
  const logins = new BrowserLogins({
    sessions,
    webUrl: config.web.publicUrl,
    ttlMs: config.sessions.ttlSeconds * 1000,
    defaultChannel: config.psk ? 'psk' : 'attached',
    // TR-03124-1 §2.2 fixes 127.0.0.1:24727; a demo eID-Client moved to another port is linked there.
    ...(config.demo.enabled && config.demo.clientPort !== 24727
      ? { clientUrl: `http://127.0.0.1:${config.demo.clientPort}/eID-Client` }
      : {}),
  });
  logins.mount(webRouter);
  const partial: MountContext = {
    config,
    log,
    registry,
    pki,
    sessions,
    urls: { web: config.web.publicUrl, ...(config.psk ? { psk: config.psk.publicUrl } : {}) },
    webApp,
    webRouter,
    logins,
    revocation,
    onClose: (fn) => closeHooks.push(fn),
  };
  if (opts.mount) await opts.mount(partial);
  webApp.use(webRouter.routes()).use(webRouter.allowedMethods());

  const idleMs = config.sessions.clientIdleSeconds * 1000;
  const web = createWebServer(
    { ...tls, ...(pki.tls.ec ? { ec: pki.tls.ec } : {}) },
    webApp.callback(),
    idleMs,
  );
  servers.push(web);
  await listen(web, config.web.host, config.web.port);
  if (config.psk) {
    const pskApp = new Koa();
    const pskRouter = new Router();
    pskRouter.post(
      '/eid/paos',
      paosHandler({ sessions, conversation, log, ...(opts.meter ? { meter: opts.meter } : {}) }, 'psk'),
    );
    pskApp.use(errorBoundary(log)).use(pskRouter.routes()).use(pskRouter.allowedMethods());
    const pskServer = createPskServer(tls, psks, pskApp.callback(), idleMs);
    servers.push(pskServer);
    await listen(pskServer, config.psk.host, config.psk.port);
  }
  log.info(
    {
      web: config.web.publicUrl,
      psk: config.psk?.publicUrl,
      store: config.sessions.store,
      eServices: registry.eServices.length,
    },
    'N_eID-Server started',
  );

  return {
    ...partial,
    async close() {
      revocation.stop();
      for (const fn of closeHooks.reverse())
        await fn().catch((e: Error) => log.error({ err: e.message }, 'shutdown hook failed'));
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of servers) s.closeAllConnections?.();
      await store.close();
      await psks.close();
      keys.close();
    },
  };
}

/** With no current revocation list every card counts as revoked (fail closed). */
const FAIL_CLOSED: ReadonlySet<string> = new (class extends Set<string> {
  override has(): boolean {
    return true;
  }
})();

async function securityHeaders(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  await next();
  ctx.set('Strict-Transport-Security', 'max-age=31536000');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  if (!ctx.response.get('X-Frame-Options')) ctx.set('X-Frame-Options', 'DENY');
}

function errorBoundary(log: Logger) {
  return async (ctx: Koa.Context, next: Koa.Next): Promise<void> => {
    try {
      await next();
    } catch (e) {
      log.error(
        { path: ctx.path, err: { message: (e as Error).message, stack: (e as Error).stack } },
        'unhandled error',
      );
      ctx.status = 500;
      ctx.type = 'text/plain';
      ctx.body = 'internal error\n';
    }
  };
}
