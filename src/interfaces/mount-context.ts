/**
 * What a front-end interface (SOAP, SAML, OIDC, the demo) gets from the
 * running server when it mounts (src/server/front-ends.ts). Defined here,
 * below the server, so that interfaces never import the server that
 * assembles them (docs/architecture.md: one import direction).
 */
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Registry } from '../config/relying-parties.js';
import type { ServerConfig } from '../config/server-config.js';
import type { CertificateExpiry, Metrics } from '../operations/metrics.js';
import type { RevocationLists } from '../provisioning/revocation.js';
import type { PkiMaterial } from '../provisioning/store.js';
import type { AuditTrail, CallAudit } from '../registry/audit/trail.js';
import type { RegistryContext } from '../registry/context.js';
import type { LiveRegistry } from '../registry/live.js';
import type { SessionService } from '../workflows/session/service.js';
import type { BrowserLogins } from './browser/login.js';
import type { RefusalPage } from './http/client-errors.js';
import type { Logger } from './http/log.js';

export interface MountContext {
  readonly config: ServerConfig;
  readonly log: Logger;
  /** The live registry (database-fed; `onChange` tells when it was swapped). */
  readonly registry: Registry;
  readonly pki: PkiMaterial;
  readonly sessions: SessionService;
  readonly urls: { readonly web: string; readonly psk?: string };
  readonly webApp: Koa;
  /** Routes are added before the web listener starts. */
  readonly webRouter: Router;
  /** The browser part of SAML and OIDC logins (activation page, return to the IdP). */
  readonly logins: BrowserLogins;
  /** The card revocation lists; `reload()` picks up a changed file at once (also done every 30 s). */
  readonly revocation: RevocationLists;
  /** The server's metrics: front-ends count their error answers (`failure`). */
  readonly metrics: Metrics;
  /**
   * Adds a source of certificates whose expiry the metrics and the console watch (e.g. the registered
   * SPs' certificates); it is read at each look, so it follows the live registry.
   */
  certificates(source: () => readonly CertificateExpiry[]): void;
  /** What the metrics watch: certificate expiries and CSCA CRL ages (the admin console's dashboard). */
  readonly certificateExpiries: {
    expiries(): readonly CertificateExpiry[];
    crls(): readonly { readonly issuer: string; readonly thisUpdate: Date }[];
  };
  /**
   * The page a front-end shows, under its path prefix, for a request the HTTP parser refused before
   * routing (an over-long URL: 431). Others get a plain page; every such refusal is logged.
   */
  readonly refusalPages: Map<string, RefusalPage>;
  /** The registry's workflows, live view and audit trail (the admin API mounts on them). */
  readonly registryRuntime: {
    readonly ctx: RegistryContext;
    readonly live: LiveRegistry;
    readonly trail: AuditTrail;
    readonly jobs: { schedule(job: { name: string; everyMs: number; run(): Promise<unknown> }): void };
  };
  /** Records the outcome of an eService call in the audit log (queued; never blocks a login). */
  readonly audit: CallAudit;
  /** Front-ends that open their own listeners register their shutdown here. */
  onClose(fn: () => Promise<void>): void;
}
