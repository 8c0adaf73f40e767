/**
 * Starts a real N_eID-Server for a test: free loopback ports, its own test
 * PKI issued for its URL (descriptions carry the origin and TLS certificate
 * hash, exactly as eID-Clients check them), memory or Redis sessions.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { parseServerConfig, type ServerConfig } from '../../src/config/server-config.js';
import { createLogger } from '../../src/interfaces/http/log.js';
import { pkiExists } from '../../src/provisioning/store.js';
import { createTestPki } from '../../src/provisioning/test-pki/create.js';
import type { Database } from '../../src/registry/db/database.js';
import { type RunningServer, type StartOptions, startServer } from '../../src/server/server.js';
import { ROOT } from './cli.js';
import { freshSchema, sharedPglite } from './registry-db.js';

let cachedRsa: KeyObject | undefined;
/** One RSA-3072 key for all test PKIs of a run (generating several per test would dominate the run time). */
export const testRsaKey = (): KeyObject => {
  cachedRsa ??= generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;
  return cachedRsa;
};

/** The certificates the web listener may present (RSA and, when the PKI has it, ECDSA), PEM: a client's trust anchors. */
export function webCertificates(server: RunningServer): string {
  return server.pki.tls.cert + (server.pki.tls.ec?.cert ?? '');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestServerOptions {
  readonly relyingParties?: string;
  readonly store?: 'memory' | 'redis';
  readonly pkiDir?: string;
  readonly webPort?: number;
  readonly pskPort?: number;
  readonly curve?: string;
  readonly cvcaChr?: string;
  readonly extra?: Record<string, unknown>;
  readonly mount?: StartOptions['mount'];
  readonly logLevel?: string;
  readonly meter?: StartOptions['meter'];
  /** Alters the freshly created test PKI before the server loads it (e.g. a revoked Document Signer). */
  readonly beforeStart?: (pkiDir: string) => void | Promise<void>;
  /** Collects the server's log lines (at `logLevel`, default info when given). */
  readonly logs?: LogCapture;
  /**
   * The registry: by default a fresh schema of this process's in-memory PGlite (seeded from
   * `relyingParties`); a Database to share one between instances; or `'config'` to use the
   * `registry` settings (e.g. PostgreSQL through `extra`).
   */
  readonly registry?: Database | 'config';
  readonly now?: () => Date;
}

/** The JSON log lines of a test server, for tests of what is logged. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
  /** The lines whose message matches. */
  find(msg: string | RegExp): Record<string, unknown>[] {
    return this.lines.filter((l) =>
      typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg ?? '')),
    );
  }
}

export interface TestServer {
  readonly server: RunningServer;
  readonly config: ServerConfig;
  readonly pkiDir: string;
  readonly web: string;
  readonly psk: string;
  close(): Promise<void>;
}

export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-server-'));
  const webPort = o.webPort ?? (await freePort());
  const pskPort = o.pskPort ?? (await freePort());
  const pkiDir = o.pkiDir ?? join(dir, 'pki');
  const relyingParties = o.relyingParties ?? join(ROOT, 'config/relying-parties.yaml');
  const config = parseServerConfig(
    {
      varDir: dir,
      web: { port: webPort },
      psk: { port: pskPort },
      soap: { enabled: false },
      metrics: { port: 0 },
      pki: {
        dir: pkiDir,
        ...(o.curve ? { curve: o.curve } : {}),
        ...(o.cvcaChr ? { cvcaChr: o.cvcaChr } : {}),
      },
      relyingParties,
      sessions: { store: o.store ?? 'memory', keyFile: join(dir, 'session.key') },
      log: { level: o.logLevel ?? (o.logs ? 'info' : 'silent') },
      demo: { enabled: false, card: join(dir, 'demo-card.json') },
      ...(o.extra ?? {}),
    },
    undefined,
    {},
  );
  if (!pkiExists(pkiDir)) {
    createTestPki({
      dir: pkiDir,
      registry: loadRegistry(relyingParties),
      serverUrl: config.web.publicUrl,
      curve: config.pki.curve,
      rsaKey: testRsaKey,
      ...(o.cvcaChr ? { cvcaChr: o.cvcaChr } : {}),
    });
  }
  await o.beforeStart?.(pkiDir);
  const registryDatabase =
    o.registry === 'config' ? undefined : (o.registry ?? (await sharedPglite()).withSchema(freshSchema()));
  const server = await startServer(config, {
    logger: createLogger(config.log.level, o.logs),
    ...(registryDatabase ? { registryDatabase } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.mount ? { mount: o.mount } : {}),
    ...(o.meter ? { meter: o.meter } : {}),
  });
  return {
    server,
    config,
    pkiDir,
    web: config.web.publicUrl,
    psk: config.psk?.publicUrl ?? '', // empty when the PSK listener is disabled
    close: async () => {
      await server.close();
      // A schema of its own in the shared PGlite: drop it (a database passed in belongs to the caller).
      if (registryDatabase && !o.registry) {
        await registryDatabase
          .query(`DROP SCHEMA IF EXISTS "${registryDatabase.schema}" CASCADE`)
          .catch(() => {});
        await registryDatabase.close();
      }
    },
  };
}
