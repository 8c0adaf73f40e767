/**
 * Server settings (config/server.yaml): every key has a documented, validated
 * default, so `npm start` runs with no file at all. Environment variables
 * override the file for the usual deployment knobs (see docs/configuration.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { type AdminConfig, readAdminConfig } from './admin-config.js';
import { ConfigError } from './errors.js';
import { type RegistryConfig, readRegistryConfig } from './registry-config.js';
import { Reader } from './validate.js';
import { readWorkers, type WorkersSetting } from './workers.js';

export interface ListenerConfig {
  readonly host: string;
  readonly port: number;
  /** The externally visible base URL (scheme, host, port), no trailing slash. */
  readonly publicUrl: string;
}

export interface ServerConfig {
  readonly file?: string;
  /** Browser and eID-Client facing HTTPS listener: TCToken, PAOS (attached TLS), SAML, OIDC, demo. */
  readonly web: ListenerConfig;
  /** TLS-PSK listener for PAOS (RSA-PSK, TLS 1.2, no resumption); null when disabled. */
  readonly psk: ListenerConfig | null;
  /** Mutual-TLS listener of the SOAP eID-Interface; null when disabled. */
  readonly soap: ListenerConfig | null;
  /**
   * Mutual-TLS listener of the OpenID Provider (RFC 8705 client authentication and
   * certificate-bound tokens). 'auto': it runs when a registered client authenticates with a
   * certificate; null when disabled.
   */
  readonly oidcMtls: (ListenerConfig & { readonly when: 'auto' | 'always' }) | null;
  /**
   * The operations listener: plain HTTP with /metrics (Prometheus), /health and /ready, loopback
   * by default (docs/operations.md); null when disabled.
   */
  readonly metrics: { readonly host: string; readonly port: number } | null;
  readonly pki: {
    readonly dir: string;
    /** Create a test PKI when the directory is empty; never under NODE_ENV=production. */
    readonly autoCreate: boolean;
    readonly curve: string;
    readonly cvcaChr?: string;
    /** Under NODE_ENV=production, start on a test PKI (CVCA CHR "..TEST…") anyway. */
    readonly allowTestPki: boolean;
  };
  /**
   * Where the signing keys (terminal/TA, SAML signing, SOAP signing) live: PEM files of the PKI
   * directory (pkcs11 null), or a PKCS#11 token, found by fixed labels (docs/operations.md).
   */
  readonly keys: {
    readonly pkcs11: {
      /** Path of the PKCS#11 module (shared library). */
      readonly module: string;
      /** The token's label. */
      readonly token: string;
      /** Name of the environment variable holding the user PIN; the PIN is never in the file. */
      readonly pinEnv: string;
    } | null;
  };
  /**
   * The eService registry file (YAML) imported into an empty registry database at the first start
   * (`neid registry import` does the same on demand).
   */
  readonly relyingParties: string;
  /** The registry database and its workflows (src/config/registry-config.ts). */
  readonly registry: RegistryConfig;
  /** The web console and admin authentication (src/config/admin-config.ts). */
  readonly admin: AdminConfig;
  readonly sessions: {
    readonly ttlSeconds: number;
    /** How long a login waits for an eID-Client to pick it up; until then it does not count against maxOpenSessions. */
    readonly unclaimedTtlSeconds: number;
    /** Logins no eID-Client has picked up yet, all eServices together (bounds memory against anonymous hits). */
    readonly maxUnclaimed: number;
    /**
     * How long the web and PSK listeners keep an idle connection open: an eID-Client pauses
     * between two PAOS messages while the citizen reads the consent page and enters the PIN.
     */
    readonly clientIdleSeconds: number;
    readonly resultTtlSeconds: number;
    readonly store: 'memory' | 'redis';
    readonly redisUrl: string;
    /** 32-byte hex key file sealing sessions in Redis; created if missing. */
    readonly keyFile: string;
    /** Start-up gives up (and the process exits) when Redis cannot be reached in this time. */
    readonly connectTimeoutSeconds: number;
    /** The longest wait for one Redis command before the request fails with an internal error. */
    readonly commandTimeoutMs: number;
  };
  /** Worker processes (node:cluster) serving the listeners (workers.ts). */
  readonly server: WorkersSetting;
  /** On SIGTERM, how long running authentications may take to finish before the process exits. */
  readonly shutdown: { readonly graceSeconds: number };
  /** NODE_ENV=production: no test PKI, no demo keys (docs/operations.md, "Production checklist"). */
  readonly production: boolean;
  readonly demo: { readonly enabled: boolean; readonly card: string; readonly clientPort: number };
  /**
   * Open API trust material on the web listener (/trust/*: CSCA Master List, CRL, public card
   * revocation list; docs/open-api.md): published unauthenticated, cacheable for `cacheSeconds`.
   */
  readonly trust: { readonly publish: boolean; readonly cacheSeconds: number };
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent' };
  /** Directory for generated state (PKI, demo card, session key). */
  readonly varDir: string;
}

const url = (host: string, port: number) => `https://${host.includes(':') ? `[${host}]` : host}:${port}`;

function listener(r: Reader, defPort: number, enabledByDefault: boolean): ListenerConfig | null {
  r.only(['enabled', 'host', 'port', 'publicUrl']);
  if (!r.at('enabled').bool(enabledByDefault)) return null;
  const host = r.at('host').string('127.0.0.1');
  const port = r.at('port').int(defPort, 0, 65535);
  const publicUrl = r.at('publicUrl').url(url(host, port)).replace(/\/$/, '');
  return { host, port, publicUrl };
}

/** `oidcMtls.enabled`: 'auto' (default), true or false. */
function oidcMtlsListener(r: Reader): ServerConfig['oidcMtls'] {
  const enabled = r.at('enabled');
  const when = !enabled.present || enabled.value === 'auto' ? 'auto' : enabled.bool(false) ? 'always' : null;
  if (!when) return null;
  const rest = new Reader(r.source, r.path, { ...(r.present ? r.object() : {}), enabled: true });
  return { ...listener(rest, 8446, true)!, when };
}

export function parseServerConfig(
  doc: unknown,
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const base = file ? dirname(file) : process.cwd();
  const root = new Reader(file ?? '(defaults)', '', doc ?? {}).only([
    'web',
    'psk',
    'soap',
    'oidcMtls',
    'metrics',
    'server',
    'shutdown',
    'pki',
    'keys',
    'relyingParties',
    'registry',
    'admin',
    'sessions',
    'demo',
    'trust',
    'log',
    'varDir',
  ]);
  // Paths written in the file are relative to the file; the defaults to the working directory (the checkout).
  const varAt = root.at('varDir');
  const varDir = varAt.present ? resolve(base, varAt.string()) : resolve(process.cwd(), 'var');
  const web = listener(root.at('web'), 8443, true)!;
  const psk = listener(root.at('psk'), 8444, true);
  const soap = listener(root.at('soap'), 8445, true);
  const oidcMtls = oidcMtlsListener(root.at('oidcMtls'));
  const production = env.NODE_ENV === 'production';
  const metrics = root.at('metrics').only(['enabled', 'host', 'port']);
  const pki = root.at('pki').only(['dir', 'autoCreate', 'curve', 'cvcaChr', 'allowTestPki']);
  const sessions = root
    .at('sessions')
    .only([
      'ttlSeconds',
      'unclaimedTtlSeconds',
      'maxUnclaimed',
      'clientIdleSeconds',
      'resultTtlSeconds',
      'store',
      'redisUrl',
      'keyFile',
      'connectTimeoutSeconds',
      'commandTimeoutMs',
    ]);
  const demo = root.at('demo').only(['enabled', 'card', 'clientPort']);
  const trust = root.at('trust').only(['publish', 'cacheSeconds']);
  const cvcaChr = pki.at('cvcaChr').optionalString();
  const pkcs11 = root.at('keys').only(['pkcs11']).at('pkcs11').only(['module', 'token', 'pinEnv']);
  const registry = readRegistryConfig(root.at('registry'), base, varDir, env);
  const cfg: ServerConfig = {
    ...(file ? { file } : {}),
    web,
    psk,
    soap,
    oidcMtls,
    metrics: metrics.at('enabled').bool(true)
      ? { host: metrics.at('host').string('127.0.0.1'), port: metrics.at('port').int(9464, 0, 65535) }
      : null,
    pki: {
      dir: resolve(base, pki.at('dir').string(resolve(varDir, 'pki'))),
      autoCreate: pki.at('autoCreate').bool(!production),
      allowTestPki: pki.at('allowTestPki').bool(false),
      curve: pki
        .at('curve')
        .oneOf(['brainpoolP256r1', 'brainpoolP384r1', 'prime256v1', 'secp384r1'], 'brainpoolP256r1'),
      ...(cvcaChr ? { cvcaChr } : {}),
    },
    keys: {
      pkcs11: pkcs11.present
        ? {
            module: resolve(base, pkcs11.at('module').string()),
            token: pkcs11.at('token').string(),
            pinEnv: pkcs11
              .at('pinEnv')
              .matching(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name', 'NEID_PKCS11_PIN'),
          }
        : null,
    },
    relyingParties: resolve(
      base,
      root.at('relyingParties').string(resolve(process.cwd(), 'config/relying-parties.yaml')),
    ),
    registry,
    admin: readAdminConfig(root.at('admin'), base, varDir),
    sessions: {
      ttlSeconds: sessions.at('ttlSeconds').int(600, 30, 86_400),
      unclaimedTtlSeconds: sessions.at('unclaimedTtlSeconds').int(180, 5, 86_400),
      maxUnclaimed: sessions.at('maxUnclaimed').int(10_000, 10, 10_000_000),
      clientIdleSeconds: sessions.at('clientIdleSeconds').int(300, 5, 3600),
      resultTtlSeconds: sessions.at('resultTtlSeconds').int(120, 5, 3600),
      store: sessions.at('store').oneOf(['memory', 'redis'], 'memory'),
      redisUrl: sessions.at('redisUrl').url('redis://127.0.0.1:6379', ['redis:', 'rediss:']),
      keyFile: resolve(base, sessions.at('keyFile').string(resolve(varDir, 'session.key'))),
      connectTimeoutSeconds: sessions.at('connectTimeoutSeconds').int(5, 1, 60),
      commandTimeoutMs: sessions.at('commandTimeoutMs').int(2000, 100, 60_000),
    },
    server: readWorkers(root.at('server'), sessions, registry.databaseUrl, env),
    shutdown: {
      graceSeconds: root.at('shutdown').only(['graceSeconds']).at('graceSeconds').int(60, 0, 3600),
    },
    production,
    demo: {
      // The demo (published SP keys, a demo card) is for a developer's machine, never a production default.
      enabled: demo.at('enabled').bool(!production),
      card: resolve(base, demo.at('card').string(resolve(varDir, 'cards/demo.json'))),
      clientPort: demo.at('clientPort').int(24727, 1, 65535),
    },
    trust: {
      publish: trust.at('publish').bool(true),
      cacheSeconds: trust.at('cacheSeconds').int(300, 0, 86_400),
    },
    log: {
      level: root
        .at('log')
        .only(['level'])
        .at('level')
        .oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'silent'], 'info'),
    },
    varDir,
  };
  return applyEnv(cfg, env);
}

/** NEID_* environment overrides (documented in docs/configuration.md). */
function applyEnv(c: ServerConfig, env: NodeJS.ProcessEnv): ServerConfig {
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number`);
    return n;
  };
  let out = c;
  if (env.NEID_REDIS_URL)
    out = { ...out, sessions: { ...out.sessions, store: 'redis', redisUrl: env.NEID_REDIS_URL } };
  if (env.NEID_SESSION_STORE) {
    if (env.NEID_SESSION_STORE !== 'memory' && env.NEID_SESSION_STORE !== 'redis')
      throw new ConfigError('NEID_SESSION_STORE must be memory or redis');
    out = { ...out, sessions: { ...out.sessions, store: env.NEID_SESSION_STORE } };
  }
  if (env.NEID_PKI_DIR) out = { ...out, pki: { ...out.pki, dir: resolve(env.NEID_PKI_DIR) } };
  if (env.NEID_LOG_LEVEL) {
    const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;
    const level = levels.find((l) => l === env.NEID_LOG_LEVEL);
    if (!level) throw new ConfigError(`NEID_LOG_LEVEL must be one of ${levels.join(', ')}`);
    out = { ...out, log: { level } };
  }
  if (env.NEID_OIDC_MTLS === 'off') out = { ...out, oidcMtls: null };
  else if (env.NEID_OIDC_MTLS && env.NEID_OIDC_MTLS !== 'auto' && env.NEID_OIDC_MTLS !== 'on')
    throw new ConfigError('NEID_OIDC_MTLS must be on, off or auto');
  if (env.NEID_OIDC_MTLS !== 'off' && (env.NEID_OIDC_MTLS_PORT || env.NEID_OIDC_MTLS === 'on')) {
    const base = out.oidcMtls ?? {
      host: out.web.host,
      port: 8446,
      publicUrl: url(out.web.host, 8446),
      when: 'always' as const,
    };
    const port = env.NEID_OIDC_MTLS_PORT ? int('NEID_OIDC_MTLS_PORT', env.NEID_OIDC_MTLS_PORT) : base.port;
    out = { ...out, oidcMtls: { ...base, port, publicUrl: url(base.host, port), when: 'always' } };
  }
  if (env.NEID_METRICS_PORT) {
    const port = int('NEID_METRICS_PORT', env.NEID_METRICS_PORT);
    out = { ...out, metrics: { host: out.metrics?.host ?? '127.0.0.1', port } };
  }
  if (env.NEID_WEB_PORT) {
    const port = int('NEID_WEB_PORT', env.NEID_WEB_PORT);
    out = { ...out, web: { ...out.web, port, publicUrl: url(out.web.host, port) } };
  }
  return out;
}

/** Loads NEID_CONFIG, else config/server.yaml if present, else the embedded defaults. */
export function loadServerConfig(path?: string, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const file =
    path ?? env.NEID_CONFIG ?? (existsSync('config/server.yaml') ? 'config/server.yaml' : undefined);
  if (!file) return parseServerConfig({}, undefined, env);
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseServerConfig(doc, resolve(file), env);
}
