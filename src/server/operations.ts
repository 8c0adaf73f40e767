/**
 * The server's operations wiring (docs/operations.md): what the logs, the metrics and the
 * health checks observe of sessions and of the EAC conversation, the dependency checks, and the
 * operations listener (/metrics, /health, /ready).
 */
import type { Server } from 'node:http';
import type { Registry } from '../config/relying-parties.js';
import type { ServerConfig } from '../config/server-config.js';
import { type Logger, shortId } from '../interfaces/http/log.js';
import { listen } from '../interfaces/http/tls.js';
import { CertificateWatch, crlUpdates, pkiCertificates } from '../operations/certificates.js';
import type { Health } from '../operations/health.js';
import { createOpsServer, readiness } from '../operations/listener.js';
import { Metrics } from '../operations/metrics.js';
import type { RunningLogins } from '../operations/running-logins.js';
import type { RevocationLists } from '../provisioning/revocation.js';
import type { PkiMaterial } from '../provisioning/store.js';
import type { CallAudit } from '../registry/audit/trail.js';
import type { RegistryStatus } from '../registry/live.js';
import type { ConversationEvents } from '../workflows/eac-server/conversation.js';
import type { SessionEvents, SessionService } from '../workflows/session/service.js';

/** Log lines and bookkeeping of sessions: every line names the session and the request that began it. */
export function sessionEvents(log: Logger, running: RunningLogins): SessionEvents {
  return {
    created: (s) => {
      running.add(s.id, s.expiresAt);
      log.info(
        { session: shortId(s.id), eService: s.request.eServiceId, frontEnd: s.request.frontEnd },
        'authentication session created',
      );
    },
    ended: (id, s) => {
      running.remove(id);
      if (s)
        log.info(
          {
            session: shortId(id),
            eService: s.request.eServiceId,
            origin: s.origin,
            outcome: s.result ? 'ok' : (s.failure?.code ?? 'none'),
          },
          'authentication outcome handed over',
        );
    },
  };
}

/**
 * Log lines, metrics and the audit trail of the EAC conversation: every ended authentication is an
 * eService call outcome in the audit log (eService, outcome, code — never personal data). A login
 * this process serves a step of is one it waits for on shutdown, wherever it began (workers,
 * instances sharing Redis).
 */
export function conversationEvents(
  log: Logger,
  metrics: Metrics,
  audit: CallAudit,
  running: RunningLogins,
): ConversationEvents {
  const ended = (s: Parameters<ConversationEvents['completed']>[0], outcome: string, code?: string) => {
    metrics.login(s.request.eServiceId, s.request.frontEnd, outcome, (Date.now() - s.createdAt) / 1000);
    audit.call({
      eServiceId: s.request.eServiceId,
      protocol: 'eid',
      operation: 'authentication',
      outcome,
      ...(code ? { code } : {}),
      session: shortId(s.id),
    });
  };
  return {
    step: (s, step) => {
      running.add(s.id, s.expiresAt);
      log.debug(
        { session: shortId(s.id), eService: s.request.eServiceId, origin: s.origin, step },
        'EAC step',
      );
    },
    completed: (s) => {
      ended(s, 'ok');
      log.info(
        { session: shortId(s.id), eService: s.request.eServiceId, origin: s.origin, outcome: 'ok' },
        'authentication completed',
      );
    },
    failed: (s, f, minor) => {
      ended(s, f.code, f.clientMinor ?? minor);
      if (minor) metrics.failure('paos', minor, s.request.eServiceId);
      log.info(
        {
          session: shortId(s.id),
          eService: s.request.eServiceId,
          origin: s.origin,
          outcome: f.code,
          reason: f.reason,
        },
        'authentication failed',
      );
    },
    error: (s, e) =>
      log.error(
        { session: shortId(s.id), origin: s.origin, err: { message: e.message, stack: e.stack } },
        'internal error in the EAC conversation',
      ),
    timed: (step, seconds) => metrics.eacStep(step, seconds),
  };
}

export interface ObservedParts {
  readonly registry: Registry;
  readonly pki: PkiMaterial;
  readonly revocation: RevocationLists;
  readonly sessions: SessionService;
  readonly health: Health;
  /** The live registry's state (its database reachable or not). */
  readonly registryStatus: () => RegistryStatus;
}

/** The metrics and what their gauges read; front-ends add certificate sources as they mount. */
export function createMetrics(p: ObservedParts): {
  metrics: Metrics;
  certificates: CertificateWatch;
  crls: readonly { issuer: string; thisUpdate: Date }[];
} {
  const certificates = new CertificateWatch(pkiCertificates(p.pki), p.pki.terminals);
  const crls = crlUpdates(p.pki);
  const metrics = new Metrics({
    // The eServices of the live registry at each scrape (approvals add some, revocations remove some).
    openSessions: async () =>
      new Map(
        await Promise.all(
          p.registry.eServices.map(async (e) => [e.id, await p.sessions.countOpen(e.id)] as const),
        ),
      ),
    certificates: () => certificates.all(),
    revocationList: () => {
      const u = p.revocation.updates;
      return u ? { thisUpdate: u.thisUpdate, current: p.revocation.isCurrent } : undefined;
    },
    crls: () => crls,
    dependencies: () => p.health.up(),
  });
  return { metrics, certificates, crls };
}

/**
 * The checks behind /ready: the PKI (loaded, its TLS and DV certificates not expired), the card
 * revocation list (current), the session store (a PING; also reported by the connection itself),
 * and the registry database (the live registry's last attempts; also reported by the connection).
 */
export async function registerChecks(p: ObservedParts, certificates: CertificateWatch): Promise<void> {
  await p.health.register('pki', () => {
    const now = Date.now();
    const expired = certificates
      .all()
      .filter((c) => ['cvca', 'dv', 'tls'].includes(c.kind) && c.notAfter.getTime() < now);
    if (expired.length) throw new Error(`expired: ${expired.map((c) => `${c.kind} ${c.name}`).join(', ')}`);
  });
  await p.health.register('revocation-list', () => {
    if (!p.revocation.isCurrent)
      throw new Error('the card revocation list is missing, invalid or past its nextUpdate');
  });
  await p.health.register('session-store', () => p.sessions.ping());
  await p.health.register('registry', () => {
    const r = p.registryStatus();
    if (!r.healthy) throw new Error(r.error ?? `the registry database (${r.database}) is unreachable`);
  });
}

/** Opens the operations listener when configured; returns it and its URL. */
export async function listenOps(
  config: ServerConfig,
  d: { metrics: Metrics; health: Health; log: Logger },
): Promise<{ server: Server; url: string } | undefined> {
  if (!config.metrics) return undefined;
  const server = createOpsServer({ metrics: d.metrics, ready: () => readiness(d.health), log: d.log });
  const port = await listen(server, config.metrics.host, config.metrics.port);
  const host = config.metrics.host.includes(':') ? `[${config.metrics.host}]` : config.metrics.host;
  return { server, url: `http://${host}:${port}` };
}
