/** The query layer and migrations, on PGlite and (with NEID_TEST_DATABASE_URL) PostgreSQL. */
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../src/registry/db/migrate.js';
import { openDatabase } from '../../src/registry/db/open.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/registry-db.js';

describe.each(DATABASE_KINDS)('registry database on %s', (kind) => {
  const opened: TestDatabase[] = [];
  afterAll(async () => {
    for (const t of opened) await t.close();
  });
  const open = async (o?: { migrate?: boolean }) => {
    const t = await openTestDatabase(kind, o);
    opened.push(t);
    return t;
  };

  it('migrations create every table once; running them again applies nothing', async () => {
    const { db } = await open({ migrate: false });
    expect(await migrate(db)).toBe(MIGRATIONS.length);
    expect(await migrate(db)).toBe(0);
    const tables = await db.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [db.schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['eservices', 'applications', 'terminals', 'audit_log', 'schema_migrations']),
    );
    const [state] = await db.query<{ version: string }>('SELECT version FROM neid.registry_state');
    expect(Number(state!.version)).toBe(0);
  });

  it('a transaction that throws leaves nothing behind; bytea and jsonb round-trip', async () => {
    const { db } = await open();
    await expect(
      db.tx(async (q) => {
        await q.query(
          `INSERT INTO neid.admin_accounts (id, name, kind, roles, status) VALUES ('a', 'x', 'service', '[]', 'active')`,
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT * FROM neid.admin_accounts')).toEqual([]);
    await db.query(
      `INSERT INTO neid.admin_accounts (id, name, kind, roles, status) VALUES ($1, $2, 'service', $3::jsonb, 'active')`,
      ['b', '名稱', JSON.stringify(['auditor'])],
    );
    const [row] = await db.query<{ name: string; roles: string[] }>(
      'SELECT name, roles FROM neid.admin_accounts',
    );
    expect(row).toEqual({ name: '名稱', roles: ['auditor'] });
    const [b] = await db.query<{ b: Uint8Array }>('SELECT $1::bytea AS b', [Buffer.from([0, 1, 255])]);
    expect(Buffer.from(b!.b)).toEqual(Buffer.from([0, 1, 255]));
  });

  it('a NOTIFY after commit reaches a listener of the same schema only', async () => {
    const a = await open();
    const other = await open();
    const got: string[] = [];
    const stray: string[] = [];
    const stop = await a.db.listen('neid_changes', (p) => got.push(p));
    const stop2 = await other.db.listen('neid_changes', (p) => stray.push(p));
    await a.db.tx(async (q) => {
      await q.query("SELECT pg_notify($1, '7')", [
        a.db.schema === 'neid' ? 'neid_changes' : `${a.db.schema}_changes`,
      ]);
    });
    await expect.poll(() => got).toEqual(['7']);
    expect(stray).toEqual([]);
    await stop();
    await stop2();
  });
});

describe('opening the configured database', () => {
  it('an unreachable PostgreSQL fails with one error naming it, within the connect timeout', async () => {
    const err = await openDatabase({
      databaseUrl: 'postgresql://neid:secret@127.0.0.1:1/registry',
      dataDir: '',
      schema: 'neid',
      connectTimeoutSeconds: 2,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('RegistryUnavailableError');
    expect((err as Error).message).toMatch(/postgresql:\/\/neid@127\.0\.0\.1:1\/registry.*unreachable/);
    expect((err as Error).message).not.toContain('secret');
  });
});
