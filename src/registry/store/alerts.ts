/** Repository of failed admin logins, address locks and the alerts they raise. */
import type { Queryable } from '../db/database.js';
import { date, opt, type Row, text } from './rows.js';

export interface AlertRecord {
  readonly id: number;
  readonly at: Date;
  /** `login-failures`. */
  readonly kind: string;
  /** `account:<id>` or `address:<ip>`. */
  readonly subject: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** The webhook: `none` (none configured), `pending`, `delivered`, `failed`. */
  readonly delivery: 'none' | 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly acknowledgedBy?: string;
  readonly acknowledgedAt?: Date;
}

const alertOf = (r: Row): AlertRecord => ({
  id: Number(r.id),
  at: date(r.at)!,
  kind: r.kind as string,
  subject: r.subject as string,
  details: r.details as Record<string, unknown>,
  delivery: r.delivery as AlertRecord['delivery'],
  attempts: r.attempts as number,
  ...opt('acknowledgedBy', text(r.acknowledged_by)),
  ...opt('acknowledgedAt', date(r.acknowledged_at)),
});

export async function insertFailure(
  q: Queryable,
  f: { at: Date; accountId?: string; address?: string; reason: string },
  keepSince: Date,
): Promise<void> {
  await q.query('DELETE FROM neid.admin_login_failures WHERE at < $1', [keepSince]);
  await q.query(
    'INSERT INTO neid.admin_login_failures (at, account_id, address, reason) VALUES ($1, $2, $3, $4)',
    [f.at, f.accountId ?? null, f.address ?? null, f.reason],
  );
}

/** Failed logins since `since` for the account, or from the address. */
export async function countFailures(
  q: Queryable,
  by: { accountId: string } | { address: string },
  since: Date,
): Promise<number> {
  const [r] = await q.query<{ n: string | number }>(
    'accountId' in by
      ? 'SELECT count(*) AS n FROM neid.admin_login_failures WHERE account_id = $1 AND at >= $2'
      : 'SELECT count(*) AS n FROM neid.admin_login_failures WHERE address = $1 AND at >= $2',
    ['accountId' in by ? by.accountId : by.address, since],
  );
  return Number(r!.n);
}

export async function addressLock(q: Queryable, address: string): Promise<Date | undefined> {
  const [r] = await q.query<Row>('SELECT locked_until FROM neid.admin_address_locks WHERE address = $1', [
    address,
  ]);
  return date(r?.locked_until);
}

export async function setAddressLock(q: Queryable, address: string, until: Date | null): Promise<void> {
  if (until === null) {
    await q.query('DELETE FROM neid.admin_address_locks WHERE address = $1', [address]);
    return;
  }
  await q.query(
    `INSERT INTO neid.admin_address_locks (address, locked_until) VALUES ($1, $2)
     ON CONFLICT (address) DO UPDATE SET locked_until = EXCLUDED.locked_until`,
    [address, until],
  );
}

/** Failures of the subject are forgotten once it is unlocked (the count starts again). */
export async function clearFailures(q: Queryable, by: { accountId: string } | { address: string }) {
  await q.query(
    'accountId' in by
      ? 'DELETE FROM neid.admin_login_failures WHERE account_id = $1'
      : 'DELETE FROM neid.admin_login_failures WHERE address = $1',
    ['accountId' in by ? by.accountId : by.address],
  );
}

export async function insertAlert(
  q: Queryable,
  a: { at: Date; kind: string; subject: string; details: Record<string, unknown>; webhook: boolean },
): Promise<AlertRecord> {
  const [row] = await q.query<Row>(
    `INSERT INTO neid.admin_alerts (at, kind, subject, details, delivery) VALUES ($1, $2, $3, $4::jsonb, $5)
     RETURNING *`,
    [a.at, a.kind, a.subject, JSON.stringify(a.details), a.webhook ? 'pending' : 'none'],
  );
  return alertOf(row!);
}

export async function listAlerts(
  q: Queryable,
  f: { limit: number; before?: number; open?: boolean },
): Promise<AlertRecord[]> {
  return (
    await q.query<Row>(
      `SELECT * FROM neid.admin_alerts WHERE ($1::bigint IS NULL OR id < $1)
         AND (NOT $2::boolean OR acknowledged_at IS NULL) ORDER BY id DESC LIMIT $3`,
      [f.before ?? null, f.open ?? false, f.limit],
    )
  ).map(alertOf);
}

export async function getAlert(q: Queryable, id: number): Promise<AlertRecord | undefined> {
  const [row] = await q.query<Row>('SELECT * FROM neid.admin_alerts WHERE id = $1', [id]);
  return row ? alertOf(row) : undefined;
}

export async function acknowledgeAlert(
  q: Queryable,
  id: number,
  by: string,
  at: Date,
): Promise<AlertRecord | undefined> {
  const [row] = await q.query<Row>(
    `UPDATE neid.admin_alerts SET acknowledged_by = $2, acknowledged_at = $3
     WHERE id = $1 AND acknowledged_at IS NULL RETURNING *`,
    [id, by, at],
  );
  return row ? alertOf(row) : undefined;
}

export async function setDelivery(
  q: Queryable,
  id: number,
  delivery: AlertRecord['delivery'],
  attempts: number,
): Promise<void> {
  await q.query('UPDATE neid.admin_alerts SET delivery = $2, attempts = $3 WHERE id = $1', [
    id,
    delivery,
    attempts,
  ]);
}

/**
 * Claims webhook attempt `attempt` of an alert whose delivery is pending: true for exactly one
 * caller (several instances, or a resumed delivery, never send the same attempt twice).
 */
export async function claimAttempt(q: Queryable, id: number, attempt: number): Promise<boolean> {
  const rows = await q.query(
    `UPDATE neid.admin_alerts SET attempts = $2
     WHERE id = $1 AND delivery = 'pending' AND attempts = $2 - 1 RETURNING id`,
    [id, attempt],
  );
  return rows.length === 1;
}

/** Alerts whose webhook delivery has not ended (a restart interrupted it), oldest first. */
export async function pendingAlerts(q: Queryable, limit: number): Promise<AlertRecord[]> {
  return (
    await q.query<Row>(`SELECT * FROM neid.admin_alerts WHERE delivery = 'pending' ORDER BY id LIMIT $1`, [
      limit,
    ])
  ).map(alertOf);
}
