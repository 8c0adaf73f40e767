/**
 * Registry databases for tests: PGlite always (one in-memory PGlite per test process, a fresh
 * schema per database), and PostgreSQL too when NEID_TEST_DATABASE_URL is set (CI: the
 * machine's PostgreSQL, database `test`), again a fresh schema each, dropped on close.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/registry/db/database.js';
import { migrate } from '../../src/registry/db/migrate.js';
import { PgliteDatabase } from '../../src/registry/db/pglite.js';
import { PostgresDatabase } from '../../src/registry/db/postgres.js';

export type DatabaseKind = 'pglite' | 'postgres';

export const POSTGRES_URL = process.env.NEID_TEST_DATABASE_URL;

/** The kinds the registry suites run on: PGlite, plus PostgreSQL when NEID_TEST_DATABASE_URL is set. */
export const DATABASE_KINDS: readonly DatabaseKind[] = POSTGRES_URL ? ['pglite', 'postgres'] : ['pglite'];

let base: Promise<PgliteDatabase> | undefined;

export const freshSchema = (): string => `t_${randomBytes(6).toString('hex')}`;

export interface TestDatabase {
  readonly db: Database;
  /** The registry.* settings that reach the same database and schema (for a server or the CLI). */
  readonly settings: { readonly databaseUrl: string | null; readonly schema: string };
  close(): Promise<void>;
}

export async function openTestDatabase(
  kind: DatabaseKind,
  o: { migrate?: boolean; schema?: string } = {},
): Promise<TestDatabase> {
  const schema = o.schema ?? freshSchema();
  let db: Database;
  if (kind === 'pglite') {
    base ??= PgliteDatabase.open('memory://', 'neid');
    db = (await base).withSchema(schema);
  } else {
    if (!POSTGRES_URL) throw new Error('NEID_TEST_DATABASE_URL is not set');
    db = await PostgresDatabase.open({ url: POSTGRES_URL, schema, connectTimeoutMs: 5000 });
  }
  if (o.migrate !== false) await migrate(db);
  return {
    db,
    settings: { databaseUrl: kind === 'postgres' ? POSTGRES_URL! : null, schema },
    async close() {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await db.close();
    },
  };
}

/** The shared in-memory PGlite of this test process (several servers share it, one schema each). */
export async function sharedPglite(): Promise<PgliteDatabase> {
  base ??= PgliteDatabase.open('memory://', 'neid');
  return base;
}
