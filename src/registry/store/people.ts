/**
 * Repository of what only people have: the invitation, the card binding (the
 * SHA-256 of the console's pairwise subject), logins, the lock after failed
 * logins, and passkeys (WebAuthn credentials).
 */
import type { Queryable } from '../db/database.js';
import { notFound, RegistryError } from '../errors.js';
import {
  type AccountRecord,
  accountOf,
  type CredentialRecord,
  credentialOf,
  type WebAuthnData,
} from './accounts.js';
import type { Row } from './rows.js';

/** The invited account whose invitation token hashes to `hash`, while the invitation is open. */
export async function accountByInvitation(
  q: Queryable,
  hash: Buffer,
  now: Date,
): Promise<AccountRecord | undefined> {
  const [row] = await q.query<Row>(
    `SELECT * FROM neid.admin_accounts
     WHERE invitation_hash = $1 AND status = 'invited' AND invitation_expires > $2`,
    [hash, now],
  );
  return row ? accountOf(row) : undefined;
}

/** The account the card with this subject hash is bound to. */
export async function accountBySubject(q: Queryable, hash: Buffer): Promise<AccountRecord | undefined> {
  const [row] = await q.query<Row>('SELECT * FROM neid.admin_accounts WHERE subject_hash = $1', [hash]);
  return row ? accountOf(row) : undefined;
}

/** Binds the card (its subject hash) to the invited account and activates it; the invitation is used up. */
export async function bindSubject(q: Queryable, id: string, hash: Buffer): Promise<AccountRecord> {
  const other = await accountBySubject(q, hash);
  if (other && other.id !== id)
    throw new RegistryError('conflict', 'this card is bound to another admin account already');
  const [row] = await q.query<Row>(
    `UPDATE neid.admin_accounts SET subject_hash = $2, status = 'active', invitation_hash = NULL,
       invitation_expires = NULL, version = version + 1
     WHERE id = $1 AND status = 'invited' RETURNING *`,
    [id, hash],
  );
  if (!row) throw new RegistryError('wrong-state', `account ${id} has no open invitation`);
  return accountOf(row);
}

/** A new invitation (token hash, expiry); the card binding is dropped, so the person binds a card again. */
export async function setInvitation(
  q: Queryable,
  id: string,
  hash: Buffer,
  expires: Date,
): Promise<AccountRecord> {
  const [row] = await q.query<Row>(
    `UPDATE neid.admin_accounts SET invitation_hash = $2, invitation_expires = $3, subject_hash = NULL,
       status = 'invited', version = version + 1
     WHERE id = $1 AND kind = 'person' RETURNING *`,
    [id, hash, expires],
  );
  if (!row) throw notFound(`person account ${id}`);
  return accountOf(row);
}

export async function recordLogin(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query('UPDATE neid.admin_accounts SET last_login = $2 WHERE id = $1', [id, at]);
}

/** Locks the account until `until` (null unlocks it). */
export async function setAccountLock(q: Queryable, id: string, until: Date | null): Promise<void> {
  await q.query('UPDATE neid.admin_accounts SET locked_until = $2 WHERE id = $1', [id, until]);
}

export async function passkeysOf(q: Queryable, accountId: string): Promise<CredentialRecord[]> {
  return (
    await q.query<Row>(
      `SELECT * FROM neid.admin_credentials WHERE account_id = $1 AND kind = 'webauthn' AND revoked_at IS NULL
       ORDER BY created_at`,
      [accountId],
    )
  ).map(credentialOf);
}

/** A passkey by its WebAuthn credential id (base64url), unless revoked. */
export async function passkeyById(q: Queryable, webauthnId: string): Promise<CredentialRecord | undefined> {
  const [row] = await q.query<Row>(
    `SELECT * FROM neid.admin_credentials WHERE webauthn_id = $1 AND kind = 'webauthn' AND revoked_at IS NULL`,
    [webauthnId],
  );
  return row ? credentialOf(row) : undefined;
}

/** After a verified assertion: the new signature counter and the time of use. */
export async function usePasskey(q: Queryable, id: string, data: WebAuthnData, at: Date): Promise<void> {
  await q.query('UPDATE neid.admin_credentials SET webauthn = $2::jsonb, last_used_at = $3 WHERE id = $1', [
    id,
    JSON.stringify(data),
    at,
  ]);
}

/** How many people accounts exist (the console's card login is set up once there is one). */
export async function countPeople(q: Queryable): Promise<number> {
  const [r] = await q.query<{ n: string | number }>(
    "SELECT count(*) AS n FROM neid.admin_accounts WHERE kind = 'person'",
  );
  return Number(r!.n);
}
