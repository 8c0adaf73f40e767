/**
 * The registry as the CLI opens it: the database and PKI of the server
 * configuration (`--config`, else NEID_CONFIG / config/server.yaml / the
 * defaults), migrated, with the same key sealing key and key source as the
 * server. The embedded PGlite registry can be open in one process only: run
 * these commands while the server is stopped, or use the admin API.
 */
import { loadServerConfig, type ServerConfig } from '../../config/server-config.js';
import { parseSpMetadata } from '../../interfaces/saml/metadata/sp-metadata.js';
import { openKeySource } from '../../provisioning/keys/source.js';
import { secretKeyFile } from '../../provisioning/secret-key-file.js';
import { pkiExists } from '../../provisioning/store.js';
import { loadRegistryPki, type RegistryContext } from '../../registry/context.js';
import type { Database } from '../../registry/db/database.js';
import { openDatabase } from '../../registry/db/open.js';
import { RegistryError } from '../../registry/errors.js';
import { filingFromConfig } from '../../registry/filing/trust.js';

export interface CliRegistry {
  readonly config: ServerConfig;
  readonly db: Database;
  /** The workflow context; needs the PKI directory (`neid pki init`). */
  context(): Promise<RegistryContext>;
  close(): Promise<void>;
}

export async function openCliRegistry(configFile?: string): Promise<CliRegistry> {
  const config = loadServerConfig(configFile);
  const db = await openDatabase(config.registry);
  let closeKeys = () => {};
  return {
    config,
    db,
    async context() {
      if (!pkiExists(config.pki.dir))
        throw new RegistryError(
          'invalid',
          `no PKI in ${config.pki.dir}; run "neid pki init" (or start the server once)`,
        );
      const keys = await openKeySource(config.keys, config.pki.dir, {
        readWrite: config.keys.pkcs11 !== null,
      });
      closeKeys = () => keys.close();
      return {
        db,
        sealKey: secretKeyFile(config.registry.keyFile),
        keys,
        pki: loadRegistryPki(config.pki.dir, config.web.publicUrl),
        terminals: config.registry.terminals,
        filing: filingFromConfig(config.registry.filing, config.pki.dir, config.production),
        testPhase: config.registry.testPhase,
        now: () => new Date(),
      };
    },
    async close() {
      closeKeys();
      await db.close();
    },
  };
}

export const inspectSamlMetadata = (xml: string) => {
  const m = parseSpMetadata(xml);
  return { entityId: m.entityId, ...(m.validUntil ? { validUntil: m.validUntil } : {}) };
};

/** Runs `fn` with the registry open, closing it whatever happens. */
export async function withRegistry<T>(
  configFile: string | undefined,
  fn: (r: CliRegistry) => Promise<T>,
): Promise<T> {
  const r = await openCliRegistry(configFile);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}
