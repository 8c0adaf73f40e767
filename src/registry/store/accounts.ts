/** Repository of admin accounts, their credentials, access tokens and used assertions. */
import type { JsonWebKey } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import { notFound } from '../errors.js';
import type { Role } from '../roles.js';
import { date, opt, type Row } from './rows.js';

export interface AccountRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: 'service';
  readonly roles: readonly Role[];
  readonly status: 'active' | 'disabled';
  readonly version: number;
  readonly createdAt: Date;
}

export interface CredentialRecord {
  readonly id: string;
  readonly accountId: string;
  readonly kind: 'private_key_jwt';
  readonly publicJwk: JsonWebKey;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
}

const accountOf = (r: Row): AccountRecord => ({
  id: r.id as string,
  name: r.name as string,
  kind: 'service',
  roles: r.roles as Role[],
  status: r.status as AccountRecord['status'],
  version: r.version as number,
  createdAt: date(r.created_at)!,
});

const credentialOf = (r: Row): CredentialRecord => ({
  id: r.id as string,
  accountId: r.account_id as string,
  kind: 'private_key_jwt',
  publicJwk: r.public_jwk as JsonWebKey,
  createdAt: date(r.created_at)!,
  ...opt('revokedAt', date(r.revoked_at)),
});

export async function insertAccount(
  q: Queryable,
  a: Omit<AccountRecord, 'version' | 'createdAt'>,
): Promise<AccountRecord> {
  const [row] = await q.query<Row>(
    `INSERT INTO neid.admin_accounts (id, name, kind, roles, status) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING *`,
    [a.id, a.name, a.kind, JSON.stringify(a.roles), a.status],
  );
  return accountOf(row!);
}

export async function getAccount(q: Queryable, id: string): Promise<AccountRecord> {
  const [row] = await q.query<Row>('SELECT * FROM neid.admin_accounts WHERE id = $1', [id]);
  if (!row) throw notFound(`account ${id}`);
  return accountOf(row);
}

export async function listAccounts(q: Queryable, after: string, limit: number): Promise<AccountRecord[]> {
  return (
    await q.query<Row>('SELECT * FROM neid.admin_accounts WHERE id > $1 ORDER BY id LIMIT $2', [after, limit])
  ).map(accountOf);
}

export async function countActiveAccounts(q: Queryable): Promise<number> {
  const [r] = await q.query<{ n: string | number }>(
    "SELECT count(*) AS n FROM neid.admin_accounts WHERE status = 'active'",
  );
  return Number(r!.n);
}

export async function setAccount(
  q: Queryable,
  id: string,
  set: { roles?: readonly Role[]; status?: AccountRecord['status'] },
): Promise<AccountRecord> {
  const [row] = await q.query<Row>(
    `UPDATE neid.admin_accounts SET roles = COALESCE($2::jsonb, roles), status = COALESCE($3, status),
       version = version + 1 WHERE id = $1 RETURNING *`,
    [id, set.roles ? JSON.stringify(set.roles) : null, set.status ?? null],
  );
  if (!row) throw notFound(`account ${id}`);
  return accountOf(row);
}

export async function insertCredential(
  q: Queryable,
  c: Omit<CredentialRecord, 'createdAt' | 'revokedAt'>,
): Promise<CredentialRecord> {
  const [row] = await q.query<Row>(
    `INSERT INTO neid.admin_credentials (id, account_id, kind, public_jwk) VALUES ($1, $2, $3, $4::jsonb) RETURNING *`,
    [c.id, c.accountId, c.kind, JSON.stringify(c.publicJwk)],
  );
  return credentialOf(row!);
}

export async function getCredential(q: Queryable, id: string): Promise<CredentialRecord | undefined> {
  const [row] = await q.query<Row>('SELECT * FROM neid.admin_credentials WHERE id = $1', [id]);
  return row ? credentialOf(row) : undefined;
}

export async function credentialsOf(q: Queryable, accountId: string): Promise<CredentialRecord[]> {
  return (
    await q.query<Row>('SELECT * FROM neid.admin_credentials WHERE account_id = $1 ORDER BY created_at', [
      accountId,
    ])
  ).map(credentialOf);
}

export async function revokeCredential(
  q: Queryable,
  accountId: string,
  id: string,
): Promise<CredentialRecord> {
  const [row] = await q.query<Row>(
    'UPDATE neid.admin_credentials SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND account_id = $2 RETURNING *',
    [id, accountId],
  );
  if (!row) throw notFound(`credential ${id} of account ${accountId}`);
  await q.query('DELETE FROM neid.admin_tokens WHERE credential_id = $1', [id]);
  return credentialOf(row);
}

/** Records a client assertion's jti; false when it was used before (replay). */
export async function useAssertion(q: Queryable, jtiHash: Buffer, expiresAt: Date): Promise<boolean> {
  await q.query('DELETE FROM neid.admin_assertions WHERE expires_at < now()');
  const rows = await q.query(
    'INSERT INTO neid.admin_assertions (jti_hash, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1',
    [jtiHash, expiresAt],
  );
  return rows.length === 1;
}

export async function insertToken(
  q: Queryable,
  t: { hash: Buffer; accountId: string; credentialId: string; expiresAt: Date },
): Promise<void> {
  await q.query('DELETE FROM neid.admin_tokens WHERE expires_at < now()');
  await q.query(
    'INSERT INTO neid.admin_tokens (token_hash, account_id, credential_id, expires_at) VALUES ($1, $2, $3, $4)',
    [t.hash, t.accountId, t.credentialId, t.expiresAt],
  );
}

/** The active account behind an unexpired access token whose credential is not revoked. */
export async function accountOfToken(q: Queryable, hash: Buffer): Promise<AccountRecord | undefined> {
  const [row] = await q.query<Row>(
    `SELECT a.* FROM neid.admin_tokens t
       JOIN neid.admin_accounts a ON a.id = t.account_id
       JOIN neid.admin_credentials c ON c.id = t.credential_id
     WHERE t.token_hash = $1 AND t.expires_at > now() AND a.status = 'active' AND c.revoked_at IS NULL`,
    [hash],
  );
  return row ? accountOf(row) : undefined;
}
