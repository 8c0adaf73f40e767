/**
 * Opens the configured registry database — PostgreSQL at `registry.databaseUrl`, else the
 * embedded PGlite under var/ — and brings its schema to the current migration. An unreachable
 * database fails within the connect timeout with one RegistryUnavailableError naming it.
 */
import type { RegistryConfig } from '../../config/registry-config.js';
import { type Database, RegistryUnavailableError } from './database.js';
import { migrate } from './migrate.js';
import { PgliteDatabase } from './pglite.js';
import { PostgresDatabase } from './postgres.js';

export interface OpenOptions {
  readonly onConnectionState?: (state: 'lost' | 'restored', detail: string) => void;
  /** Skip the migrations (a tool that only reads). Default: migrate. */
  readonly migrate?: boolean;
}

export async function openDatabase(
  cfg: Pick<RegistryConfig, 'databaseUrl' | 'dataDir' | 'schema' | 'connectTimeoutSeconds'>,
  o: OpenOptions = {},
): Promise<Database> {
  const timeoutMs = cfg.connectTimeoutSeconds * 1000;
  let db: Database;
  if (cfg.databaseUrl) {
    const url = cfg.databaseUrl;
    // node-postgres bounds the TCP connect; this also bounds a stalled DNS lookup or TLS handshake.
    db = await withTimeout(
      PostgresDatabase.open({
        url,
        schema: cfg.schema,
        connectTimeoutMs: timeoutMs,
        ...(o.onConnectionState ? { onConnectionState: o.onConnectionState } : {}),
      }),
      timeoutMs + 1000,
      `registry database ${new URL(url).host}: no answer within ${cfg.connectTimeoutSeconds} s`,
    );
  } else {
    db = await PgliteDatabase.open(cfg.dataDir, cfg.schema);
  }
  if (o.migrate !== false) {
    try {
      await migrate(db);
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  return db;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new RegistryUnavailableError(message)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
