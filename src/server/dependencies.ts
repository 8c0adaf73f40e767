/**
 * What the server depends on, opened before anything else (docs/operations.md, "Fail fast"): the
 * registry database (the system of record), the session store, and the signing keys. An
 * unreachable database or Redis ends the start within its connect timeout, with one line naming
 * it, before any PKI work. Also the PKI directory's preparation (a test PKI on first start, when
 * allowed).
 */
import type { ServerConfig } from '../config/server-config.js';
import type { Logger } from '../interfaces/http/log.js';
import { Health } from '../operations/health.js';
import { type KeySource, openKeySource } from '../provisioning/keys/source.js';
import { pkiExists } from '../provisioning/store.js';
import { createTestPki } from '../provisioning/test-pki/create.js';
import { ensureOpenApiTrust } from '../provisioning/test-pki/open-api-trust.js';
import type { Database } from '../registry/db/database.js';
import { openDatabase } from '../registry/db/open.js';
import type { PskDirectory, SessionStore } from '../workflows/session/store.js';
import { mayCreateTestPki } from './production.js';
import { yamlRegistry } from './registry.js';
import { openStores } from './stores.js';

export interface Dependencies {
  readonly db: Database;
  readonly store: SessionStore;
  readonly psks: PskDirectory;
  readonly health: Health;
  readonly keys: KeySource;
  /** Closes all of them (the database unless the caller owns it); once. */
  close(): Promise<void>;
}

/** `registryDatabase`: an open database the caller owns (tests share one PGlite); not closed here. */
export async function openDependencies(
  config: ServerConfig,
  log: Logger,
  registryDatabase?: Database,
): Promise<Dependencies> {
  const health = new Health({ log });
  const db =
    registryDatabase ??
    (await openDatabase(config.registry, {
      onConnectionState: (state, detail) => {
        health.report('registry', state !== 'lost', detail);
        if (state === 'lost')
          log.error(
            { database: detail },
            'registry database connection lost; serving the last loaded registry',
          );
        else log.info({ database: detail }, 'registry database connection restored');
      },
    }));
  const closeDb = () => (registryDatabase ? Promise.resolve() : db.close());
  const stores = await openStores(config, health).catch(async (e) => {
    await closeDb();
    throw e;
  });
  let keys: KeySource;
  try {
    // PEM files, or a PKCS#11 token session held until close() (docs/operations.md); read/write,
    // because approvals generate terminal keys in it.
    keys = await openKeySource(config.keys, config.pki.dir, {
      warn: (msg, fields) => log.warn(fields, msg),
      readWrite: config.keys.pkcs11 !== null,
    });
  } catch (e) {
    await stores.store.close();
    await stores.psks.close();
    await closeDb();
    throw e;
  }
  let closed: Promise<void> | undefined;
  return {
    db,
    ...stores,
    health,
    keys,
    close: () =>
      (closed ??= (async () => {
        health.stop();
        await stores.store.close();
        await stores.psks.close();
        await closeDb();
        keys.close();
      })()),
  };
}

/** A test PKI on first start when allowed (never under NODE_ENV=production), and what older ones lack. */
export function preparePki(config: ServerConfig, keys: KeySource, log: Logger): void {
  if (!pkiExists(config.pki.dir)) {
    mayCreateTestPki(config);
    log.warn(
      { dir: config.pki.dir, keySource: keys.description },
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
  // A test PKI of an earlier version lacks the Open API trust material (docs/open-api.md).
  if (config.pki.autoCreate && ensureOpenApiTrust(config.pki.dir))
    log.warn({ dir: config.pki.dir }, 'added the Open API trust material to the TEST PKI');
}
