/**
 * Versioned migrations, run at every start (and by every CLI command that
 * opens the registry): the same statements on PostgreSQL and PGlite, each
 * migration in one transaction under an advisory lock, so instances starting
 * together apply it once. A database migrated by a newer release is refused
 * rather than guessed at.
 */
import type { Database } from './database.js';
import { MIGRATION_0001 } from './migrations/0001-registry.js';
import { MIGRATION_0002 } from './migrations/0002-admin-console.js';
import { MIGRATION_0003 } from './migrations/0003-filing.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [MIGRATION_0001, MIGRATION_0002, MIGRATION_0003];

export const CURRENT_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
  await db.query(`CREATE TABLE IF NOT EXISTS neid.schema_migrations (
     version integer PRIMARY KEY,
     name text NOT NULL,
     applied_at timestamptz NOT NULL DEFAULT now()
   )`);
  let applied = 0;
  for (const m of migrations) {
    const done = await db.tx(async (q) => {
      // One migrator at a time per schema, across instances.
      await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`neid-migrate:${db.schema}`]);
      const rows = await q.query<{ version: number }>(
        'SELECT version FROM neid.schema_migrations WHERE version = $1',
        [m.version],
      );
      if (rows.length) return false;
      for (const s of m.statements) await q.query(s);
      await q.query('INSERT INTO neid.schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      return true;
    });
    if (done) applied++;
  }
  const [top] = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM neid.schema_migrations');
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if ((top?.v ?? 0) > latest) {
    throw new MigrationError(
      `the registry ${db.description} (schema ${db.schema}) is at migration ${top?.v}, newer than this release knows (${latest}); run the newer N_eID-Server`,
    );
  }
  return applied;
}
