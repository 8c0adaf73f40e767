/**
 * Reading the audit log: filtered pages (the console's audit page, the admin
 * API) in chain order or newest first, the whole filtered log as JSON Lines
 * (export, paged so that any size streams in bounded memory), and the
 * dashboard's count of authentications per eService and day.
 */
import type { Queryable } from '../db/database.js';
import { invalid } from '../errors.js';
import { type AuditRow, rowOf } from './chain.js';

export interface AuditFilter {
  readonly actor?: string;
  /** An exact action, or a prefix ending in `.` or `*` (`saml.`, `application.*`). */
  readonly action?: string;
  readonly target?: string;
  readonly outcome?: string;
  readonly from?: Date;
  readonly to?: Date;
}

/** Reads a filter from query parameters; a malformed one names the parameter. */
export function auditFilterOf(q: Readonly<Record<string, string | undefined>>): AuditFilter {
  const text = (k: string) => {
    const v = q[k]?.trim();
    if (!v) return undefined;
    if (v.length > 200) throw invalid(`/${k}`, 'at most 200 characters');
    return v;
  };
  const day = (k: string, end: boolean) => {
    const v = text(k);
    if (!v) return undefined;
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T${end ? '23:59:59.999' : '00:00:00'}+08:00` : v);
    if (Number.isNaN(d.getTime())) throw invalid(`/${k}`, 'must be a date (YYYY-MM-DD) or an ISO time');
    return d;
  };
  const f = {
    actor: text('actor'),
    action: text('action'),
    target: text('target'),
    outcome: text('outcome'),
    from: day('from', false),
    to: day('to', true),
  };
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as AuditFilter;
}

function where(f: AuditFilter, params: unknown[]): string {
  const c: string[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    c.push(sql.replace('?', `$${params.length}`));
  };
  if (f.actor) add('actor = ?', f.actor);
  if (f.action) {
    if (/[.*]$/.test(f.action))
      add("action LIKE ? ESCAPE '\\'", `${f.action.replace(/\*$/, '').replace(/[\\%_]/g, '\\$&')}%`);
    else add('action = ?', f.action);
  }
  if (f.target) add('target = ?', f.target);
  if (f.outcome) add('outcome = ?', f.outcome);
  if (f.from) add('at >= ?', f.from);
  if (f.to) add('at <= ?', f.to);
  return c.length ? c.join(' AND ') : 'true';
}

/** A page of entries after (chain order) or before (newest first) the sequence number `cursor`. */
export async function queryAudit(
  q: Queryable,
  f: AuditFilter,
  page: { limit: number; cursor?: number; newestFirst?: boolean },
): Promise<AuditRow[]> {
  const params: unknown[] = [];
  const cond = where(f, params);
  params.push(page.cursor ?? (page.newestFirst ? Number.MAX_SAFE_INTEGER : 0), page.limit);
  const n = params.length;
  return (
    await q.query<Record<string, unknown>>(
      `SELECT * FROM neid.audit_log WHERE ${cond} AND seq ${page.newestFirst ? '<' : '>'} $${n - 1}
       ORDER BY seq ${page.newestFirst ? 'DESC' : ''} LIMIT $${n}`,
      params,
    )
  ).map(rowOf);
}

/** Every entry of the filter in chain order, read page by page. */
export async function* auditEntries(q: Queryable, f: AuditFilter, pageSize = 1000): AsyncGenerator<AuditRow> {
  let cursor = 0;
  for (;;) {
    const rows = await queryAudit(q, f, { limit: pageSize, cursor });
    yield* rows;
    if (rows.length < pageSize) return;
    cursor = rows[rows.length - 1]!.seq;
  }
}

export interface DailyOutcomes {
  readonly eServiceId: string;
  /** YYYY-MM-DD, Taiwan time (UTC+8). */
  readonly day: string;
  readonly outcome: string;
  readonly count: number;
}

/** Ended authentications (`eid.authentication`) per eService, day and outcome since `since`: counts only. */
export async function dailyOutcomes(
  q: Queryable,
  since: Date,
  within?: readonly string[],
): Promise<DailyOutcomes[]> {
  const rows = await q.query<{ target: string; day: string; outcome: string; n: string | number }>(
    `SELECT target, to_char((at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD') AS day, outcome, count(*) AS n
     FROM neid.audit_log WHERE action = 'eid.authentication' AND at >= $1
     GROUP BY 1, 2, 3 ORDER BY 2 DESC, 1, 3`,
    [since],
  );
  return rows
    .map((r) => ({
      eServiceId: r.target.replace(/^eservice:/, ''),
      day: r.day,
      outcome: r.outcome,
      count: Number(r.n),
    }))
    .filter((r) => !within || within.includes(r.eServiceId));
}

export interface TestLogins {
  /** When the test phase began (its first test terminal certificate in force); null: never in one. */
  readonly since: Date | null;
  /** When it ended (the production certificate in force); null: still in it. */
  readonly until: Date | null;
  readonly ok: number;
  readonly failed: number;
}

/**
 * The eService's authentications during its test phase (seed 004 第陸章 壹.一: a reviewer checks
 * them before promoting it), from the audit log: counts only.
 */
export async function testLogins(q: Queryable, eServiceId: string): Promise<TestLogins> {
  const [w] = await q.query<{ since: Date | string | null; until: Date | string | null }>(
    `WITH t AS (SELECT min(activated_at) AS since FROM neid.terminals
                WHERE eservice_id = $1 AND environment = 'test' AND activated_at IS NOT NULL)
     SELECT t.since, (SELECT min(activated_at) FROM neid.terminals
                      WHERE eservice_id = $1 AND environment = 'production' AND activated_at > t.since) AS until
     FROM t`,
    [eServiceId],
  );
  const since = w?.since ? new Date(w.since) : null;
  const until = w?.until ? new Date(w.until) : null;
  if (!since) return { since, until, ok: 0, failed: 0 };
  const [c] = await q.query<{ ok: string | number; failed: string | number }>(
    `SELECT count(*) FILTER (WHERE outcome = 'ok') AS ok, count(*) FILTER (WHERE outcome <> 'ok') AS failed
     FROM neid.audit_log WHERE action = 'eid.authentication' AND target = $1 AND at >= $2
       AND ($3::timestamptz IS NULL OR at < $3)`,
    [`eservice:${eServiceId}`, since, until],
  );
  return { since, until, ok: Number(c?.ok ?? 0), failed: Number(c?.failed ?? 0) };
}
