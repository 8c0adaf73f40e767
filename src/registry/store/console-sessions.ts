/**
 * Repository of web console sessions and of logins under way. Both live in the
 * registry database (not in process memory), so every instance and worker
 * serves the same admin. Only SHA-256 hashes of the cookie values are stored.
 */
import type { Queryable } from '../db/database.js';
import { bytes, date, opt, type Row, text } from './rows.js';

export interface ConsoleSession {
  readonly idHash: Buffer;
  readonly accountId: string;
  /** The synchronizer token every form and script request carries. */
  readonly csrf: string;
  readonly authMethod: 'card' | 'passkey';
  /** The last card or passkey login: approvals and key operations need it fresh. */
  readonly authTime: Date;
  readonly createdAt: Date;
  readonly lastSeen: Date;
  readonly expiresAt: Date;
  readonly address?: string;
  /** A pending passkey registration's challenge. */
  readonly challenge?: string;
}

const sessionOf = (r: Row): ConsoleSession => ({
  idHash: bytes(r.id_hash)!,
  accountId: r.account_id as string,
  csrf: r.csrf as string,
  authMethod: r.auth_method as ConsoleSession['authMethod'],
  authTime: date(r.auth_time)!,
  createdAt: date(r.created_at)!,
  lastSeen: date(r.last_seen)!,
  expiresAt: date(r.expires_at)!,
  ...opt('address', text(r.address)),
  ...opt('challenge', text(r.challenge)),
});

export async function insertSession(
  q: Queryable,
  s: Omit<ConsoleSession, 'createdAt' | 'lastSeen' | 'challenge'> & { now: Date },
): Promise<void> {
  await q.query('DELETE FROM neid.admin_sessions WHERE expires_at < $1', [s.now]);
  await q.query(
    `INSERT INTO neid.admin_sessions (id_hash, account_id, csrf, auth_method, auth_time, created_at, last_seen, expires_at, address)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)`,
    [s.idHash, s.accountId, s.csrf, s.authMethod, s.authTime, s.now, s.expiresAt, s.address ?? null],
  );
}

export async function sessionByHash(q: Queryable, idHash: Buffer): Promise<ConsoleSession | undefined> {
  const [row] = await q.query<Row>('SELECT * FROM neid.admin_sessions WHERE id_hash = $1', [idHash]);
  return row ? sessionOf(row) : undefined;
}

/** Marks the session used now (the idle timeout counts from here). */
export async function touchSession(q: Queryable, idHash: Buffer, now: Date): Promise<void> {
  await q.query('UPDATE neid.admin_sessions SET last_seen = $2 WHERE id_hash = $1', [idHash, now]);
}

/** A fresh authentication (step-up) of the session's own account. */
export async function refreshAuthTime(
  q: Queryable,
  idHash: Buffer,
  method: ConsoleSession['authMethod'],
  at: Date,
): Promise<void> {
  await q.query(
    'UPDATE neid.admin_sessions SET auth_time = $2, auth_method = $3, last_seen = $2 WHERE id_hash = $1',
    [idHash, at, method],
  );
}

export async function setSessionChallenge(
  q: Queryable,
  idHash: Buffer,
  challenge: string | null,
): Promise<void> {
  await q.query('UPDATE neid.admin_sessions SET challenge = $2 WHERE id_hash = $1', [idHash, challenge]);
}

export async function deleteSession(q: Queryable, idHash: Buffer): Promise<void> {
  await q.query('DELETE FROM neid.admin_sessions WHERE id_hash = $1', [idHash]);
}

/** Ends every session of an account (disabled, locked, roles changed, invitation renewed). */
export async function deleteSessionsOf(q: Queryable, accountId: string): Promise<number> {
  return (await q.query('DELETE FROM neid.admin_sessions WHERE account_id = $1 RETURNING 1', [accountId]))
    .length;
}

export interface LoginState {
  readonly kind: 'card' | 'passkey';
  readonly purpose: 'login' | 'step-up' | 'invitation';
  readonly state?: string;
  readonly nonce?: string;
  readonly verifier?: string;
  readonly challenge?: string;
  /** step-up: the session's account; invitation: the invited account. */
  readonly accountId?: string;
  /** A console path to return to afterwards. */
  readonly returnTo?: string;
  readonly expiresAt: Date;
}

export async function insertLoginState(
  q: Queryable,
  idHash: Buffer,
  s: LoginState,
  now: Date,
): Promise<void> {
  await q.query('DELETE FROM neid.admin_login_states WHERE expires_at < $1', [now]);
  await q.query(
    `INSERT INTO neid.admin_login_states
       (id_hash, kind, purpose, state, nonce, verifier, challenge, account_id, return_to, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      idHash,
      s.kind,
      s.purpose,
      s.state ?? null,
      s.nonce ?? null,
      s.verifier ?? null,
      s.challenge ?? null,
      s.accountId ?? null,
      s.returnTo ?? null,
      s.expiresAt,
    ],
  );
}

/** Takes a login state out (it is used once), unless it has expired. */
export async function takeLoginState(
  q: Queryable,
  idHash: Buffer,
  kind: LoginState['kind'],
  now: Date,
): Promise<LoginState | undefined> {
  const [r] = await q.query<Row>(
    'DELETE FROM neid.admin_login_states WHERE id_hash = $1 AND kind = $2 RETURNING *',
    [idHash, kind],
  );
  if (!r || date(r.expires_at)! < now) return undefined;
  return {
    kind: r.kind as LoginState['kind'],
    purpose: r.purpose as LoginState['purpose'],
    ...opt('state', text(r.state)),
    ...opt('nonce', text(r.nonce)),
    ...opt('verifier', text(r.verifier)),
    ...opt('challenge', text(r.challenge)),
    ...opt('accountId', text(r.account_id)),
    ...opt('returnTo', text(r.return_to)),
    expiresAt: date(r.expires_at)!,
  };
}
