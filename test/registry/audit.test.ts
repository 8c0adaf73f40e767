/** The audit chain's verification finds edits, insertions and deletions; retention keeps it verifiable; job leases. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, entryHash, pruneAudit, rowOf, verifyAudit } from '../../src/registry/audit/chain.js';
import type { Database } from '../../src/registry/db/database.js';
import { takeLease } from '../../src/registry/jobs.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/registry-db.js';

describe.each(DATABASE_KINDS)('audit chain on %s', (kind) => {
  let t: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    db = t.db;
    const old = new Date(Date.now() - 400 * 86_400_000);
    await db.tx((q) =>
      appendAudit(
        q,
        [1, 2, 3].map((i) => ({ actor: 'system', action: `old.${i}`, outcome: 'ok' })),
        old,
      ),
    );
    await db.tx((q) =>
      appendAudit(
        q,
        [4, 5, 6, 7].map((i) => ({
          actor: 'cli:x',
          action: `new.${i}`,
          outcome: 'ok',
          details: { i, name: '名' },
        })),
      ),
    );
  });
  afterAll(() => t?.close());

  it('verifies an intact chain', async () => {
    expect(await verifyAudit(db)).toMatchObject({ ok: true, entries: 7, head: { seq: 7 } });
  });

  it('an entry appended past the head with a correct hash is reported inserted', async () => {
    const [last] = (
      await db.query<Record<string, unknown>>('SELECT * FROM neid.audit_log WHERE seq = 7')
    ).map(rowOf);
    const forged = {
      seq: 8,
      at: new Date(),
      actor: 'cli:x',
      action: 'forged',
      target: null,
      outcome: 'ok',
      details: {},
    };
    await db.query(
      `INSERT INTO neid.audit_log (seq, at, actor, action, outcome, details, prev_hash, hash) VALUES (8, $1, 'cli:x', 'forged', 'ok', '{}', $2, $3)`,
      [forged.at, last!.hash, entryHash(last!.hash, forged)],
    );
    expect((await verifyAudit(db)).problem).toMatchObject({ seq: 8, kind: 'inserted' });
    await db.query('DELETE FROM neid.audit_log WHERE seq = 8');
  });

  it('deleted last entries are reported (the chain ends before its head)', async () => {
    const [row] = await db.query<Record<string, unknown>>('SELECT * FROM neid.audit_log WHERE seq = 7');
    await db.query('DELETE FROM neid.audit_log WHERE seq = 7');
    expect((await verifyAudit(db)).problem).toMatchObject({ seq: 7, kind: 'deleted' });
    await db.query(
      `INSERT INTO neid.audit_log (seq, at, actor, action, target, outcome, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
      [
        7,
        row!.at,
        row!.actor,
        row!.action,
        row!.target,
        row!.outcome,
        JSON.stringify(row!.details),
        row!.prev_hash,
        row!.hash,
      ],
    );
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('retention prunes old entries; the rest still verifies from the first kept one', async () => {
    const n = await db.tx((q) => pruneAudit(q, new Date(Date.now() - 365 * 86_400_000)));
    expect(n).toBe(3);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, entries: 4, head: { seq: 7 } });
  });

  it('a job lease is taken by one caller at a time', async () => {
    expect(await takeLease(db, 'renew-terminals', 60_000)).toBe(true);
    expect(await takeLease(db, 'renew-terminals', 60_000)).toBe(false);
    expect(await takeLease(db, 'other', 60_000)).toBe(true);
  });

  it('a batch larger than one INSERT statement carries is written in several, one chain', async () => {
    const entries = Array.from({ length: 2100 }, (_, i) => ({
      actor: 'eservice:x',
      action: 'eid.authentication',
      outcome: i % 7 ? 'ok' : 'cancelled',
      details: { session: i.toString(16).padStart(12, '0') },
    }));
    expect(await db.tx((q) => appendAudit(q, entries))).toBe(7 + 2100);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, entries: 4 + 2100, head: { seq: 2107 } });
  });
});
