/**
 * The audit log's hash chain: entry n stores SHA-256(hash(n-1) ‖ canonical
 * JSON of its own content), and the head row holds the last sequence number
 * and hash, so an edited entry (its content no longer matches its hash), an
 * inserted one (it does not chain, or lies past the head) and a deleted one
 * (a gap, or a chain that ends before the head) are all found by one pass.
 * Pruning by retention records where the kept chain starts (`pruned_to`,
 * `pruned_hash`). Appending locks the head row, so entries of several
 * instances form one chain.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/database.js';

export interface AuditEntry {
  /** Who: `service:<account>`, `cli:<user>`, `system`, `eservice:<id>`. */
  readonly actor: string;
  /** What: `application.approve`, `admin.auth`, `eservice.call` … */
  readonly action: string;
  /** Which record: `application:<id>`, `eservice:<id>`, `terminal:<chr>` … */
  readonly target?: string;
  /** `ok`, `denied`, `failed`, or the protocol outcome. */
  readonly outcome: string;
  /** before/after of the record, reasons, protocol codes — never a citizen's personal data. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditRow extends Required<Omit<AuditEntry, 'target'>> {
  readonly seq: number;
  readonly at: Date;
  readonly target: string | null;
  readonly prevHash: Buffer;
  readonly hash: Buffer;
}

export const ZERO_HASH = Buffer.alloc(32);

/** JSON with object keys sorted at every level: the bytes that are hashed. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function entryHash(
  prev: Buffer,
  e: {
    seq: number;
    at: Date;
    actor: string;
    action: string;
    target: string | null;
    outcome: string;
    details: unknown;
  },
): Buffer {
  const content = canonicalJson({
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    target: e.target,
    outcome: e.outcome,
    details: e.details,
  });
  return createHash('sha256').update(prev).update(content, 'utf8').digest();
}

const MAX_DETAILS = 64 * 1024;

/** Bounded, JSON-clean details (jsonb refuses NUL; an oversized record is summarised). */
function cleanDetails(d: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const json = JSON.stringify(d ?? {}).replace(/\\u0000/g, '');
  if (json.length <= MAX_DETAILS) return JSON.parse(json) as Record<string, unknown>;
  return { truncated: true, sha256: createHash('sha256').update(json).digest('hex'), bytes: json.length };
}

/** Rows per INSERT statement (9 parameters each; PostgreSQL allows 65535 per statement). */
const INSERT_ROWS = 1000;

/** Appends entries to the chain inside the caller's transaction (after the change they describe). */
export async function appendAudit(
  q: Queryable,
  entries: readonly AuditEntry[],
  now = new Date(),
): Promise<number> {
  if (entries.length === 0) return 0;
  const [head] = await q.query<{ seq: string | number; hash: Uint8Array }>(
    'SELECT seq, hash FROM neid.audit_head WHERE id FOR UPDATE',
  );
  let seq = Number(head!.seq);
  let prev: Buffer = Buffer.from(head!.hash);
  // Timestamps are stored with millisecond precision so that the hashed ISO string round-trips.
  const at = new Date(Math.floor(now.getTime()));
  // One multi-row INSERT per batch (the trail queues call outcomes): a statement per entry cost a
  // round trip each (PostgreSQL) or a query execution each (PGlite) on every flush.
  const rows: unknown[][] = [];
  for (const e of entries) {
    seq++;
    const row = {
      seq,
      at,
      actor: e.actor,
      action: e.action,
      target: e.target ?? null,
      outcome: e.outcome,
      details: cleanDetails(e.details),
    };
    const hash = entryHash(prev, row);
    rows.push([
      seq,
      at,
      row.actor,
      row.action,
      row.target,
      row.outcome,
      JSON.stringify(row.details),
      prev,
      hash,
    ]);
    prev = hash;
  }
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const chunk = rows.slice(i, i + INSERT_ROWS);
    const tuples = chunk.map((_, r) => {
      const p = (k: number) => `$${r * 9 + k}`;
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}::jsonb, ${p(8)}, ${p(9)})`;
    });
    await q.query(
      `INSERT INTO neid.audit_log (seq, at, actor, action, target, outcome, details, prev_hash, hash)
       VALUES ${tuples.join(', ')}`,
      chunk.flat(),
    );
  }
  await q.query('UPDATE neid.audit_head SET seq = $1, hash = $2 WHERE id', [seq, prev]);
  return seq;
}

export const rowOf = (r: Record<string, unknown>): AuditRow => ({
  seq: Number(r.seq),
  at: new Date(r.at as Date | string),
  actor: r.actor as string,
  action: r.action as string,
  target: (r.target as string | null) ?? null,
  outcome: r.outcome as string,
  details: r.details as Record<string, unknown>,
  prevHash: Buffer.from(r.prev_hash as Uint8Array),
  hash: Buffer.from(r.hash as Uint8Array),
});

export interface ChainProblem {
  readonly seq: number;
  readonly kind: 'edited' | 'inserted' | 'deleted';
  readonly message: string;
}

export interface Verification {
  readonly ok: boolean;
  readonly entries: number;
  readonly head: { readonly seq: number; readonly hash: string };
  readonly problem?: ChainProblem;
}

/** Walks the whole chain in pages; stops at the first problem. */
export async function verifyAudit(q: Queryable, pageSize = 1000): Promise<Verification> {
  const [h] = await q.query<Record<string, unknown>>('SELECT * FROM neid.audit_head WHERE id');
  const headSeq = Number(h!.seq);
  const headHash = Buffer.from(h!.hash as Uint8Array);
  const head = { seq: headSeq, hash: headHash.toString('hex') };
  let expectedSeq = Number(h!.pruned_to) + 1;
  let prev: Buffer = Buffer.from(h!.pruned_hash as Uint8Array);
  let entries = 0;
  const fail = (p: ChainProblem): Verification => ({ ok: false, entries, head, problem: p });
  let after = 0;
  for (;;) {
    const page = (
      await q.query<Record<string, unknown>>(
        'SELECT * FROM neid.audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
        [after, pageSize],
      )
    ).map(rowOf);
    for (const r of page) {
      const consistent = entryHash(r.prevHash, r).equals(r.hash);
      if (r.seq > headSeq)
        return fail({
          seq: r.seq,
          kind: 'inserted',
          message: `entry ${r.seq} lies past the chain head (${headSeq})`,
        });
      if (r.seq < expectedSeq)
        return fail({
          seq: r.seq,
          kind: 'inserted',
          message: `entry ${r.seq} lies before the kept chain (${expectedSeq})`,
        });
      if (r.seq > expectedSeq)
        return fail({
          seq: expectedSeq,
          kind: 'deleted',
          message: `entr${r.seq - expectedSeq > 1 ? `ies ${expectedSeq}–${r.seq - 1} were` : `y ${expectedSeq} was`} deleted`,
        });
      if (!consistent)
        return fail({
          seq: r.seq,
          kind: 'edited',
          message: `entry ${r.seq} was edited: its content does not match its hash`,
        });
      if (!r.prevHash.equals(prev))
        return fail({
          seq: r.seq,
          kind: 'inserted',
          message: `entry ${r.seq} does not chain to entry ${r.seq - 1}: it was inserted, or its predecessor replaced`,
        });
      prev = r.hash;
      expectedSeq++;
      entries++;
      after = r.seq;
    }
    if (page.length < pageSize) break;
  }
  if (expectedSeq - 1 < headSeq)
    return fail({
      seq: expectedSeq,
      kind: 'deleted',
      message: `the chain ends at ${expectedSeq - 1} but its head is ${headSeq}: the last entries were deleted`,
    });
  if (headSeq > 0 && !prev.equals(headHash))
    return fail({
      seq: headSeq,
      kind: 'edited',
      message: `entry ${headSeq} does not match the chain head's hash`,
    });
  return { ok: true, entries, head };
}

/** Deletes entries older than `before`, keeping the chain verifiable from the first kept one. */
export async function pruneAudit(q: Queryable, before: Date): Promise<number> {
  const [h] = await q.query<{ seq: string | number }>('SELECT seq FROM neid.audit_head WHERE id FOR UPDATE');
  const [last] = await q.query<{ seq: string | number; hash: Uint8Array }>(
    'SELECT seq, hash FROM neid.audit_log WHERE at < $1 AND seq < $2 ORDER BY seq DESC LIMIT 1',
    [before, Number(h!.seq)],
  );
  if (!last) return 0;
  const upTo = Number(last.seq);
  const deleted = await q.query<{ seq: string }>('DELETE FROM neid.audit_log WHERE seq <= $1 RETURNING seq', [
    upTo,
  ]);
  await q.query('UPDATE neid.audit_head SET pruned_to = $1, pruned_hash = $2 WHERE id', [
    upTo,
    Buffer.from(last.hash),
  ]);
  return deleted.length;
}
