/**
 * Assembles the N_eID-Server from its configuration: registry, PKI (created
 * on first start when allowed), session store, EAC conversation, and the
 * HTTPS listeners. Front-end interfaces (SOAP, SAML, OIDC, the demo) mount
 * their routes here.
 */

import type { Server } from 'node:https';
import { join } from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import type { ServerConfig } from '../config/server-config.js';
import { BrowserLogins } from '../interfaces/browser/login.js';
import { paosHandler } from '../interfaces/eid/paos-endpoint.js';
import { tcTokenHandler } from '../interfaces/eid/tctoken.js';
import { createLogger, type Logger } from '../interfaces/http/log.js';
import { createPskServer, createWebServer, listen } from '../interfaces/http/tls.js';
import type { MountContext } from '../interfaces/mount-context.js';
import { PKI_FILES } from '../pki/layout.js';
import { type KeySource, openKeySource } from '../provisioning/keys/source.js';
import { RevocationLists } from '../provisioning/revocation.js';
import { secretKeyFile } from '../provisioning/secret-key-file.js';
import { loadPki, pkiExists } from '../provisioning/store.js';
import { createTestPki } from '../provisioning/test-pki/create.js';
import type { Database } from '../registry/db/database.js';
import { openDatabase } from '../registry/db/open.js';
import { EacConversation } from '../workflows/eac-server/conversation.js';
import type { Meter } from '../workflows/eac-server/meter.js';
import { PassiveAuthenticator } from '../workflows/eac-server/passive-auth-cache.js';
import { MemoryPskDirectory, MemorySessionStore } from '../workflows/session/memory-store.js';
import { RedisPskDirectory, RedisSessionStore } from '../workflows/session/redis-store.js';
import { SessionService } from '../workflows/session/service.js';
import type { PskDirectory, SessionStore } from '../workflows/session/store.js';
import { eacHooks } from './eac-hooks.js';
import { EMPTY_REGISTRY, type RegistryRuntime, startRegistry, yamlRegistry } from './registry.js';

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
  /** An open registry database to use instead of `registry.*` (tests share one PGlite); not closed. */
  readonly registryDatabase?: Database;
  /** The registry's clock (renewal tests). */
  readonly now?: () => Date;
}

export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const log = opts.logger ?? createLogger(config.log.level);
  // First the system of record: unreachable, the start fails here within the connect timeout.
  const db =
    opts.registryDatabase ??
    (await openDatabase(config.registry, {
      onConnectionState: (state, detail) =>
        state === 'lost'
          ? log.error(
              { database: detail },
              'registry database connection lost; serving the last loaded registry',
            )
          : log.info({ database: detail }, 'registry database connection restored'),
    }));
  let keys: KeySource | undefined;
  try {
    // The signing keys: PEM files, or a PKCS#11 token session held until close() (docs/operations.md);
    // read/write, because approvals generate terminal keys in it.
    keys = await openKeySource(config.keys, config.pki.dir, {
      warn: (msg, fields) => log.warn(fields, msg),
      readWrite: config.keys.pkcs11 !== null,
    });
    return await assemble(config, opts, log, db, keys);
  } catch (e) {
    keys?.close();
    if (!opts.registryDatabase) await db.close();
    throw e;
  }
}

async function assemble(
  config: ServerConfig,
  opts: StartOptions,
  log: Logger,
  db: Database,
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
      registry: yamlRegistry(config),
      curve: config.pki.curve,
      serverUrl: config.web.publicUrl,
      ...(config.pki.cvcaChr ? { cvcaChr: config.pki.cvcaChr } : {}),
      ...(keys.generator ? { tokenKeys: keys.generator } : {}),
    });
  }
  let reg: RegistryRuntime | undefined = await startRegistry(config, db, keys, log, {
    ownsDatabase: !opts.registryDatabase,
    ...(opts.now ? { now: opts.now } : {}),
  });
  try {
    return await listenAll(config, opts, log, reg, keys);
  } catch (e) {
    await reg.close();
    reg = undefined;
    throw e;
  }
}

async function listenAll(
  config: ServerConfig,
  opts: StartOptions,
  log: Logger,
  reg: RegistryRuntime,
  keys: KeySource,
): Promise<RunningServer> {
  const registry = reg.live;
  // The terminal certificates come from the registry, live; the rest of the PKI from its directory.
  const pki = { ...loadPki(config.pki.dir, EMPTY_REGISTRY, keys), terminals: registry.terminals };
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
  // New and renewed terminal certificates bring new sectors: derive their blacklists at once.
  registry.onChange(() => revocation.refresh());

  let store: SessionStore;
  let psks: PskDirectory;
  if (config.sessions.store === 'redis') {
    const key = secretKeyFile(config.sessions.keyFile);
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
    eacHooks(log, reg.trail),
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
    registryRuntime: reg,
    audit: reg.trail,
    onClose: (fn) => closeHooks.push(fn),
  };
  if (opts.mount) await opts.mount(partial);
  webApp.use(webRouter.routes()).use(webRouter.allowedMethods());

  const web = createWebServer({ ...tls, ...(pki.tls.ec ? { ec: pki.tls.ec } : {}) }, webApp.callback());
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
    const pskServer = createPskServer(tls, psks, pskApp.callback());
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
      await reg.close();
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
