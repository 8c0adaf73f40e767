/**
 * The registry's command line on the embedded PGlite registry under var/ (and on PostgreSQL with
 * NEID_TEST_DATABASE_URL): import today's YAML, list terminal certificates, bootstrap the admin
 * credential (printed once), export, and an audit chain with one row edited through SQL, which
 * `neid audit verify` finds; `neid pki init` will not replace a PKI unless forced.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Database } from '../../src/registry/db/database.js';
import { PgliteDatabase } from '../../src/registry/db/pglite.js';
import { PostgresDatabase } from '../../src/registry/db/postgres.js';
import { runNeid } from '../support/cli.js';
import { DATABASE_KINDS, freshSchema, POSTGRES_URL } from '../support/registry-db.js';

describe.each(DATABASE_KINDS)('neid registry, terminal, audit and admin commands (%s)', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'neid-cli-'));
  const config = join(dir, 'server.yaml');
  const schema = freshSchema();
  const neid = (...args: string[]) => runNeid([...args, '--config', config]);
  /** The test's own connection, opened only while no command runs (PGlite is one process at a time). */
  const withDb = async <T>(fn: (db: Database) => Promise<T>): Promise<T> => {
    const db =
      kind === 'pglite'
        ? await PgliteDatabase.open(join(dir, 'var/registry'), 'neid')
        : await PostgresDatabase.open({ url: POSTGRES_URL!, schema, connectTimeoutMs: 5000 });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    writeFileSync(
      config,
      `varDir: var\n${kind === 'postgres' ? `registry: { databaseUrl: "${POSTGRES_URL}", schema: ${schema} }\n` : ''}`,
    );
    const init = await runNeid(['pki', 'init', '--config', config]);
    expect(init.code, init.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    if (kind === 'postgres') await withDb((db) => db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  });

  it('pki init refuses to replace the PKI (a new CVCA would lock out every card) unless --force', async () => {
    const again = await runNeid(['pki', 'init', '--config', config]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/holds a PKI already.*new CVCA/);
  });

  it('imports the YAML registry, adopting the terminal certificates of the PKI', async () => {
    const r = await neid('registry', 'import', 'config/relying-parties.yaml');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('imported 3 eService(s): demo-portal, demo-bank, passport-office');
    const again = await neid('registry', 'import', 'config/relying-parties.yaml');
    expect(again.stdout).toContain('skipped (already registered): demo-portal, demo-bank, passport-office');
    const list = await neid('terminal', 'list');
    expect(list.stdout).toMatch(/TWDEMOPORTL00001\s+demo-portal\s+active\s+imported/);
  }, 120_000);

  it('admin bootstrap prints the credential once and refuses a second time', async () => {
    const r = await neid('admin', 'bootstrap');
    expect(r.code, r.stderr).toBe(0);
    const cred = JSON.parse(r.stdout);
    expect(cred).toMatchObject({
      account: expect.stringMatching(/^admin-/),
      credential: expect.stringMatching(/^key-/),
    });
    expect(cred.privateJwk.d).toBeTruthy();
    expect(cred.tokenUrl).toBe('https://127.0.0.1:8443/admin/api/v1/token');
    const stored = await withDb((db) =>
      db.query<{ public_jwk: Record<string, unknown> }>('SELECT public_jwk FROM neid.admin_credentials'),
    );
    expect(stored[0]!.public_jwk.d).toBeUndefined();
    const again = await neid('admin', 'bootstrap');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/has admin accounts already/);
  });

  it('admin invite prints a one-time invitation link and sets up the console’s card sign-in', async () => {
    const r = await neid('admin', 'invite', '--name', '林資安', '--roles', 'security-officer');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^https:\/\/127\.0\.0\.1:8443\/admin\/invitation\/[A-Za-z0-9_-]{43}$/);
    expect(r.stderr).toMatch(/per-[0-9a-f]{12} \(林資安; roles: security-officer\) invited until/);
    const es = await withDb((db) =>
      db.query<{ status: string; approved_fields: unknown[] }>(
        "SELECT status, approved_fields FROM neid.eservices WHERE id = 'neid-admin-console'",
      ),
    );
    expect(es).toEqual([{ status: 'active', approved_fields: [] }]);
    const bad = await neid('admin', 'invite', '--name', 'x', '--roles', 'auditor,reviewer');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/\/roles.*auditor role cannot be combined/);
    expect((await neid('admin', 'invite', '--name', 'x', '--roles', 'boss')).code).toBe(2);
  });

  it('exports the registry in the YAML format, files beside it', async () => {
    const out = join(dir, 'export');
    const r = await neid('registry', 'export', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const doc = parse(readFileSync(join(out, 'relying-parties.yaml'), 'utf8'));
    const portal = doc.eServices.find((e: { id: string }) => e.id === 'demo-portal');
    expect(portal.approvedFields).toContain('photo');
    expect(readFileSync(join(out, portal.saml.metadata), 'utf8')).toContain('EntityDescriptor');
  });

  it('audit verify passes, then names the entry edited through SQL; export writes JSON Lines', async () => {
    const ok = await neid('audit', 'verify');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/audit chain intact: \d+ entries/);
    const lines = (await neid('audit', 'export')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.action)).toContain('registry.import');
    expect(lines.every((l, i) => i === 0 || l.prevHash === lines[i - 1].hash)).toBe(true);
    const victim = lines.find((l) => l.action === 'registry.import' && l.target === 'eservice:demo-bank');
    await withDb((db) =>
      db.query(
        `UPDATE neid.audit_log SET details = jsonb_set(details, '{approvedFields}', '["photo"]') WHERE seq = $1`,
        [victim.seq],
      ),
    );
    const bad = await neid('audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`audit chain BROKEN at entry ${victim.seq} (edited)`);
    // A deleted entry is found too (after repairing the edit by deleting it: the gap shows).
    await withDb((db) => db.query('DELETE FROM neid.audit_log WHERE seq = $1', [victim.seq]));
    const gap = await neid('audit', 'verify');
    expect(gap.stdout).toContain(`audit chain BROKEN at entry ${victim.seq} (deleted)`);
  }, 120_000);
});
