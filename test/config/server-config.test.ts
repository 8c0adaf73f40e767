/** Server settings: documented defaults, validation with the file and key named, NEID_* overrides. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseServerConfig } from '../../src/config/server-config.js';

const parse = (doc: unknown, env: NodeJS.ProcessEnv = {}, file?: string) => parseServerConfig(doc, file, env);

describe('server settings', () => {
  it('embedded defaults (docs/configuration.md), relative to the working directory', () => {
    const c = parse({});
    expect(c.web).toEqual({ host: '127.0.0.1', port: 8443, publicUrl: 'https://127.0.0.1:8443' });
    expect(c.psk?.port).toBe(8444);
    expect(c.soap?.port).toBe(8445);
    expect(c.oidcMtls).toMatchObject({ port: 8446, when: 'auto' });
    expect(c.varDir).toBe(resolve('var'));
    expect(c.pki).toMatchObject({ dir: resolve('var/pki'), autoCreate: true, curve: 'brainpoolP256r1' });
    expect(c.relyingParties).toBe(resolve('config/relying-parties.yaml'));
    expect(c.sessions).toMatchObject({ ttlSeconds: 600, resultTtlSeconds: 120, store: 'memory' });
    expect(c.demo).toMatchObject({ enabled: true, card: resolve('var/cards/demo.json'), clientPort: 24727 });
    expect(c.log.level).toBe('info');
  });

  it('paths written in a file are relative to the file', () => {
    const c = parse({ varDir: 'state', pki: { dir: 'keys/pki' } }, {}, '/etc/neid/server.yaml');
    expect(c.varDir).toBe('/etc/neid/state');
    expect(c.pki.dir).toBe('/etc/neid/keys/pki');
    expect(c.sessions.keyFile).toBe('/etc/neid/state/session.key');
  });

  it('the demo is off by default under NODE_ENV=production, and can be turned on explicitly', () => {
    expect(parse({}, { NODE_ENV: 'production' }).demo.enabled).toBe(false);
    expect(parse({ demo: { enabled: true } }, { NODE_ENV: 'production' }).demo.enabled).toBe(true);
  });

  it('refuses unknown keys, wrong types and out-of-range values, naming the key', () => {
    const err = (doc: unknown) => {
      try {
        parse(doc, {}, 'server.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(err({ webb: {} })).toMatch(/server\.yaml: \(root\) has unknown key "webb"/);
    expect(err({ web: { port: 70000 } })).toMatch(/web\.port must be an integer in 0\.\.65535/);
    expect(err({ sessions: { store: 'mongo' } })).toMatch(/sessions\.store must be one of memory, redis/);
    expect(err({ sessions: { ttlSeconds: 5 } })).toMatch(/sessions\.ttlSeconds/);
    expect(err({ sessions: { redisUrl: 'http://x' } })).toMatch(/sessions\.redisUrl/);
    expect(err({ pki: { curve: 'secp256k1' } })).toMatch(/pki\.curve must be one of/);
    expect(err({ psk: { enabled: 'yes' } })).toMatch(/psk\.enabled must be true or false/);
    expect(err({ oidcMtls: { enabled: 'sometimes' } })).toMatch(/oidcMtls\.enabled must be true or false/);
    expect(err({ log: { level: 'verbose' } })).toMatch(/log\.level must be one of/);
  });

  it('listeners can be disabled; the OIDC mTLS listener is auto, always or off', () => {
    const c = parse({ psk: { enabled: false }, soap: { enabled: false }, oidcMtls: { enabled: false } });
    expect(c.psk).toBeNull();
    expect(c.soap).toBeNull();
    expect(c.oidcMtls).toBeNull();
    expect(parse({ oidcMtls: { enabled: true, port: 9446 } }).oidcMtls).toMatchObject({
      when: 'always',
      publicUrl: 'https://127.0.0.1:9446',
    });
    expect(parse({ oidcMtls: { enabled: 'auto' } }).oidcMtls?.when).toBe('auto');
  });

  it('NEID_* environment overrides, validated', () => {
    const c = parse(
      {},
      {
        NEID_WEB_PORT: '9443',
        NEID_REDIS_URL: 'redis://10.0.0.5:6379',
        NEID_PKI_DIR: '/srv/pki',
        NEID_LOG_LEVEL: 'warn',
        NEID_OIDC_MTLS_PORT: '9446',
      },
    );
    expect(c.web.publicUrl).toBe('https://127.0.0.1:9443');
    expect(c.sessions).toMatchObject({ store: 'redis', redisUrl: 'redis://10.0.0.5:6379' });
    expect(c.pki.dir).toBe('/srv/pki');
    expect(c.log.level).toBe('warn');
    expect(c.oidcMtls).toMatchObject({ port: 9446, when: 'always' });
    expect(parse({}, { NEID_OIDC_MTLS: 'off', NEID_OIDC_MTLS_PORT: '9446' }).oidcMtls).toBeNull();
    expect(() => parse({}, { NEID_LOG_LEVEL: 'chatty' })).toThrow(/NEID_LOG_LEVEL must be one of/);
    expect(() => parse({}, { NEID_WEB_PORT: 'eighty' })).toThrow(/NEID_WEB_PORT must be a port number/);
    expect(() => parse({}, { NEID_SESSION_STORE: 'disk' })).toThrow(/NEID_SESSION_STORE/);
    expect(() => parse({}, { NEID_OIDC_MTLS: 'maybe' })).toThrow(/NEID_OIDC_MTLS must be/);
  });

  it('keys.pkcs11: off by default; module relative to the file, token, PIN variable name (never the PIN)', () => {
    expect(parse({}).keys.pkcs11).toBeNull();
    const c = parse(
      { keys: { pkcs11: { module: 'lib/libsofthsm2.so', token: 'neid' } } },
      {},
      '/etc/neid/server.yaml',
    );
    expect(c.keys.pkcs11).toEqual({
      module: '/etc/neid/lib/libsofthsm2.so',
      token: 'neid',
      pinEnv: 'NEID_PKCS11_PIN',
    });
    expect(
      parse({
        keys: { pkcs11: { module: '/usr/lib/softhsm/libsofthsm2.so', token: 't', pinEnv: 'HSM_PIN' } },
      }).keys.pkcs11?.pinEnv,
    ).toBe('HSM_PIN');
    const err = (doc: unknown) => () => parse(doc, {}, 'server.yaml');
    expect(err({ keys: { pkcs11: { token: 't' } } })).toThrow(/keys\.pkcs11\.module is required/);
    expect(err({ keys: { pkcs11: { module: '/m.so' } } })).toThrow(/keys\.pkcs11\.token is required/);
    expect(err({ keys: { pkcs11: { module: '/m.so', token: 't', pin: '1234' } } })).toThrow(
      /keys\.pkcs11 has unknown key "pin"/,
    );
    expect(err({ keys: { pkcs11: { module: '/m.so', token: 't', pinEnv: '1234' } } })).toThrow(
      /keys\.pkcs11\.pinEnv must be an environment variable name/,
    );
    expect(err({ keys: { hsm: {} } })).toThrow(/keys has unknown key "hsm"/);
  });

  it('operations: the metrics listener on loopback, the shutdown grace, the Redis timeouts', () => {
    const c = parse({});
    expect(c.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(c.shutdown.graceSeconds).toBe(60);
    expect(c.sessions).toMatchObject({ connectTimeoutSeconds: 5, commandTimeoutMs: 2000 });
    expect(parse({ metrics: { enabled: false } }).metrics).toBeNull();
    expect(parse({ metrics: { host: '0.0.0.0', port: 0 } }).metrics).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parse({}, { NEID_METRICS_PORT: '9100' }).metrics).toEqual({ host: '127.0.0.1', port: 9100 });
    const err = (doc: unknown) => () => parse(doc, {}, 'server.yaml');
    expect(err({ metrics: { path: '/m' } })).toThrow(/metrics has unknown key "path"/);
    expect(err({ shutdown: { graceSeconds: -1 } })).toThrow(/shutdown\.graceSeconds/);
    expect(err({ sessions: { connectTimeoutSeconds: 600 } })).toThrow(/sessions\.connectTimeoutSeconds/);
    expect(() => parse({}, { NEID_METRICS_PORT: 'x' })).toThrow(/NEID_METRICS_PORT must be a port number/);
  });

  it('NODE_ENV=production: no test PKI is created unless configured, none is accepted unless allowed', () => {
    expect(parse({}).production).toBe(false);
    const p = parse({}, { NODE_ENV: 'production' });
    expect(p.production).toBe(true);
    expect(p.pki).toMatchObject({ autoCreate: false, allowTestPki: false });
    expect(parse({ pki: { allowTestPki: true } }, { NODE_ENV: 'production' }).pki.allowTestPki).toBe(true);
  });

  it('server.workers: auto is the cores with Redis and PostgreSQL, else 1; more needs both', () => {
    const shared = {
      sessions: { store: 'redis' },
      registry: { databaseUrl: 'postgresql://neid@db/registry' },
    };
    expect(parse({}).server.workers).toBe(1);
    expect(parse({ sessions: { store: 'redis' } }).server.workers).toBe(1);
    expect(parse(shared).server.workers).toBe(availableParallelism());
    expect(parse({ ...shared, server: { workers: 3 } }).server.workers).toBe(3);
    expect(parse({ server: { workers: 1 } }).server.workers).toBe(1);
    expect(parse(shared, { NEID_WORKERS: '2' }).server.workers).toBe(2);
    expect(parse({ registry: shared.registry }, { NEID_REDIS_URL: 'redis://r' }).server.workers).toBe(
      availableParallelism(),
    );
    const err =
      (doc: unknown, env: NodeJS.ProcessEnv = {}) =>
      () =>
        parse(doc, env, 'server.yaml');
    expect(err({ server: { workers: 2 } })).toThrow(
      /^server\.yaml: server\.workers: 2 needs sessions\.store: redis \(workers share no memory/,
    );
    expect(err({ server: { workers: 2 }, sessions: { store: 'redis' } })).toThrow(
      /server\.workers: 2 needs registry\.databaseUrl \(PostgreSQL\)/,
    );
    expect(err({ server: { workers: 0 } })).toThrow(/server\.workers must be auto or an integer in 1\.\.256/);
    expect(err({ server: { workers: 'many' } })).toThrow(/server\.workers must be auto/);
    expect(err({ server: { threads: 2 } })).toThrow(/server has unknown key "threads"/);
    expect(err(shared, { NEID_WORKERS: 'x' })).toThrow(/^NEID_WORKERS must be auto or an integer/);
    expect(err({}, { NEID_WORKERS: '4' })).toThrow(/^NEID_WORKERS: 4 needs sessions\.store: redis/);
  });
});
