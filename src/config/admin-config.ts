/**
 * The `admin:` section of config/server.yaml: the web console at /admin and how
 * admins authenticate (docs/admin.md §8, docs/configuration.md). People log in
 * with their New eID card (the console is an OpenID client of this server's
 * provider) or a passkey; sessions end after `sessionIdleMinutes` without a
 * request and after `sessionMaxHours` in any case; approvals and key operations
 * need a card or passkey login of the last `freshAuthMinutes`. More than
 * `lockout.maxFailures` failed logins of one account or from one address within
 * `lockout.windowMinutes` lock it for `lockout.lockMinutes` and raise an alert,
 * also sent to `alerts.webhookUrl` when set (HMAC-SHA256 with the key in
 * `alerts.webhookSecretFile`, retried with exponential backoff).
 */
import { resolve } from 'node:path';
import type { Reader } from './validate.js';

export interface AdminConfig {
  /** Serve the web console at /admin (the admin API at /admin/api/v1 is always on). */
  readonly console: boolean;
  /** The registry id of the console's own eService (its terminal certificate and OpenID client). */
  readonly eServiceId: string;
  readonly sessionIdleMinutes: number;
  readonly sessionMaxHours: number;
  readonly freshAuthMinutes: number;
  /** How long an invitation link stays valid. */
  readonly invitationHours: number;
  readonly lockout: {
    readonly maxFailures: number;
    readonly windowMinutes: number;
    readonly lockMinutes: number;
  };
  /**
   * Reverse proxies in front of the admin API (CIDR): when the TCP peer is one of them, the caller's
   * address is the last X-Forwarded-For entry that is not; otherwise X-Forwarded-For is ignored. Used
   * for the check of an eService's registered networks (docs/admin.md §9). Empty: the socket's address.
   */
  readonly trustedProxies: readonly string[];
  readonly alerts: {
    /** http(s) URL that receives each alert as signed JSON; null: no webhook. */
    readonly webhookUrl: string | null;
    /** File holding the HMAC key (created with 32 random bytes, hex, when missing). */
    readonly webhookSecretFile: string;
    /** Further attempts after the first one fails. */
    readonly retries: number;
    /** The first retry waits this long, each further one twice as long. */
    readonly retryBaseMs: number;
  };
}

export const ADMIN_KEYS = [
  'console',
  'eServiceId',
  'sessionIdleMinutes',
  'sessionMaxHours',
  'freshAuthMinutes',
  'invitationHours',
  'lockout',
  'alerts',
  'trustedProxies',
];

export function readAdminConfig(r: Reader, base: string, varDir: string): AdminConfig {
  r.only(ADMIN_KEYS);
  const lockout = r.at('lockout').only(['maxFailures', 'windowMinutes', 'lockMinutes']);
  const alerts = r.at('alerts').only(['webhookUrl', 'webhookSecretFile', 'retries', 'retryBaseMs']);
  const hook = alerts.at('webhookUrl');
  return {
    console: r.at('console').bool(true),
    eServiceId: r
      .at('eServiceId')
      .matching(/^[a-z0-9][a-z0-9-]{1,62}$/, 'an eService id', 'neid-admin-console'),
    sessionIdleMinutes: r.at('sessionIdleMinutes').int(15, 1, 240),
    sessionMaxHours: r.at('sessionMaxHours').int(8, 1, 24),
    freshAuthMinutes: r.at('freshAuthMinutes').int(5, 1, 60),
    invitationHours: r.at('invitationHours').int(72, 1, 24 * 30),
    trustedProxies: r
      .at('trustedProxies')
      .list()
      .map((p) =>
        p.matching(
          /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(\/\d{1,3})?$/,
          'an address or CIDR block',
        ),
      ),
    lockout: {
      maxFailures: lockout.at('maxFailures').int(3, 1, 100),
      windowMinutes: lockout.at('windowMinutes').int(15, 1, 1440),
      lockMinutes: lockout.at('lockMinutes').int(30, 1, 10_080),
    },
    alerts: {
      webhookUrl: hook.present ? hook.url(undefined, ['https:', 'http:']) : null,
      webhookSecretFile: resolve(
        base,
        alerts.at('webhookSecretFile').string(resolve(varDir, 'alert-webhook.key')),
      ),
      retries: alerts.at('retries').int(5, 0, 20),
      retryBaseMs: alerts.at('retryBaseMs').int(2000, 10, 600_000),
    },
  };
}
