/**
 * Assembles the N_eID-Server from its configuration: its dependencies first
 * (the registry database, the session store: unreachable, the start fails
 * fast), PKI (created on first start when allowed), the live registry, the
 * EAC conversation, and the HTTPS listeners. Front-end interfaces (SOAP, SAML, OIDC, the demo) mount
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
import { answerClientErrors } from '../interfaces/http/client-errors.js';
import { createLogger, type Logger } from '../interfaces/http/log.js';
import { currentRequestId } from '../interfaces/http/request-id.js';
import { createPskServer, createWebServer, listen } from '../interfaces/http/tls.js';
import type { MountContext } from '../interfaces/mount-context.js';
import type { Health } from '../operations/health.js';
import { liveness, readiness } from '../operations/listener.js';
import { RunningLogins } from '../operations/running-logins.js';
import { PKI_FILES } from '../pki/layout.js';
import { RevocationLists } from '../provisioning/revocation.js';
import { loadPki } from '../provisioning/store.js';
import type { Database } from '../registry/db/database.js';
import { EacConversation } from '../workflows/eac-server/conversation.js';
import type { Meter } from '../workflows/eac-server/meter.js';
import { PassiveAuthenticator } from '../workflows/eac-server/passive-auth-cache.js';
import { SessionService } from '../workflows/session/service.js';
import type { PskDirectory } from '../workflows/session/store.js';
import { FINAL_STATES } from '../workflows/session/types.js';
import { type Dependencies, openDependencies, preparePki } from './dependencies.js';
import { errorBoundary, securityHeaders } from './middleware.js';
import { conversationEvents, createMetrics, listenOps, registerChecks, sessionEvents } from './operations.js';
import { checkPki, startupSummary } from './production.js';
import { EMPTY_REGISTRY, type RegistryRuntime, startRegistry } from './registry.js';

/** The running server: what front-ends mount on (MountContext), and its shutdown. */
export interface RunningServer extends MountContext {
  readonly health: Health;
  /** The operations listener (/metrics, /health, /ready), when enabled. */
  readonly metricsUrl?: string;
  /**
   * The graceful stop (SIGTERM): /ready turns 503, new logins are refused, running ones may finish
   * for up to `graceMs` (default `shutdown.graceSeconds`), then close(). Resolves with the number
   * of authentications cut off.
   */
  shutdown(graceMs?: number): Promise<number>;
  /** The PSKs this process holds for the TLS-PSK listener (tests, operations). */
  readonly psks: Pick<PskDirectory, 'size'>;
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
  const deps = await openDependencies(config, log, opts.registryDatabase);
  try {
    preparePki(config, deps.keys, log);
    const reg = await startRegistry(config, deps.db, deps.keys, log, {
      ownsDatabase: false,
      ...(opts.now ? { now: opts.now } : {}),
    });
    try {
      return await listenAll(config, opts, log, reg, deps);
    } catch (e) {
      await reg.close();
      throw e;
    }
  } catch (e) {
    await deps.close();
    throw e;
  }
}

async function listenAll(
  config: ServerConfig,
  opts: StartOptions,
  log: Logger,
  reg: RegistryRuntime,
  deps: Dependencies,
): Promise<RunningServer> {
  const { store, psks, health, keys } = deps;
  const registry = reg.live;
  // The terminal certificates come from the registry, live; the rest of the PKI from its directory.
  const pki = { ...loadPki(config.pki.dir, EMPTY_REGISTRY, keys), terminals: registry.terminals };
  checkPki(config, pki, (o, m) => log.warn(o, m));
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
  const running = new RunningLogins();
  let accepting = true;

  const sessions = new SessionService({
    store,
    psks,
    eService: (id) => registry.get(id),
    eidUrl: config.web.publicUrl,
    ...(config.psk ? { pskUrl: config.psk.publicUrl } : {}),
    ttlMs: config.sessions.ttlSeconds * 1000,
    unclaimedTtlMs: config.sessions.unclaimedTtlSeconds * 1000,
    maxUnclaimed: config.sessions.maxUnclaimed,
    resultTtlMs: config.sessions.resultTtlSeconds * 1000,
    accepting: () => accepting,
    requestId: currentRequestId,
    events: sessionEvents(log, running),
    // One stable line and one count per refusal: an eService locked out by its cap is visible.
    onLockout: (l) => {
      log.warn(l, 'session cap reached: login refused');
      metrics.capRefused(l.eService, l.limit, l.stage);
    },
  });
  const observed = { registry, pki, revocation, sessions, health, registryStatus: () => registry.status() };
  const { metrics, certificates, crls } = createMetrics(observed);
  await registerChecks(observed, certificates);
  health.start();
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
    conversationEvents(log, metrics, reg.trail, running),
  );
  const paosDeps = {
    sessions,
    conversation,
    log,
    refused: (minor: string) => metrics.failure('paos', minor),
    ...(opts.meter ? { meter: opts.meter } : {}),
  };

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
  webRouter.post('/eid/paos', paosHandler(paosDeps, 'web'));
  // Also on the web listener, for a TLS-passthrough load balancer that can only probe that port.
  webRouter.get('/health', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = liveness();
  });
  webRouter.get('/ready', (ctx) => {
    const r = readiness(health, false);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = r.code;
    ctx.body = r.body;
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
    metrics,
    certificates: (source) => certificates.add(source),
    certificateExpiries: { expiries: () => certificates.all(), crls: () => crls },
    refusalPages: new Map(),
    registryRuntime: reg,
    audit: reg.trail,
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
  answerClientErrors(web, log, () => partial.refusalPages);
  servers.push(web);
  await listen(web, config.web.host, config.web.port);
  if (config.psk) {
    const pskApp = new Koa();
    const pskRouter = new Router();
    pskRouter.post('/eid/paos', paosHandler(paosDeps, 'psk'));
    pskApp.use(errorBoundary(log)).use(pskRouter.routes()).use(pskRouter.allowedMethods());
    const pskServer = createPskServer(tls, psks, pskApp.callback(), idleMs);
    servers.push(pskServer);
    await listen(pskServer, config.psk.host, config.psk.port);
  }
  const ops = await listenOps(config, { metrics, health, log });
  log.info(
    startupSummary({
      config,
      registry,
      registryDatabase: reg.ctx.db.description,
      pki,
      keys,
      revocation,
      certificates: certificates.all(),
      ...(ops ? { metricsUrl: ops.url } : {}),
    }),
    'N_eID-Server started',
  );

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      health.stop();
      revocation.stop();
      for (const fn of closeHooks.reverse())
        await fn().catch((e: Error) => log.error({ err: e.message }, 'shutdown hook failed'));
      const all = [...servers, ...(ops ? [ops.server] : [])];
      await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of all) s.closeAllConnections?.();
      await reg.close();
      await deps.close();
    })();
    return closed;
  };
  return {
    ...partial,
    psks,
    health,
    ...(ops ? { metricsUrl: ops.url } : {}),
    async shutdown(graceMs = config.shutdown.graceSeconds * 1000) {
      accepting = false;
      health.beginShutdown();
      log.info({ running: running.size, graceSeconds: graceMs / 1000 }, 'shutting down: no new logins');
      // Done: handed over (memory store: the result lives only here), or at least ended (Redis: it stays there).
      const left = await running.settle({
        deadline: Date.now() + graceMs,
        done: async (id) => {
          const s = await sessions.get(id);
          return !s || (config.sessions.store === 'redis' && FINAL_STATES.includes(s.state));
        },
      });
      if (left) log.warn({ running: left }, 'shutdown grace period over; authentications cut off');
      else log.info({}, 'running authentications finished');
      await close();
      return left;
    },
    close,
  };
}

/** With no current revocation list every card counts as revoked (fail closed). */
const FAIL_CLOSED: ReadonlySet<string> = new (class extends Set<string> {
  override has(): boolean {
    return true;
  }
})();
