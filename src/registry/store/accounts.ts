/**
 * Repository of admin accounts — service accounts (private_key_jwt) and people
 * (New eID card, passkeys) — their API credentials, access tokens and used
 * assertions.
 */
import type { JsonWebKey } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import { notFound } from '../errors.js';
import { type Principal, type Role, scopeOf } from '../roles.js';
import { date, opt, type Row } from './rows.js';

export interface AccountRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: 'service' | 'person';
  readonly roles: readonly Role[];
  /** A person is `invited` until the first card login binds the card to the account. */
  readonly status: 'invited' | 'active' | 'disabled';
  /** An applicant's own eServices. */
  readonly eServices: readonly string[];
  /** A person whose card is bound (the SHA-256 of the pairwise subject is stored, never shown). */
  readonly bound: boolean;
  readonly invitationExpires?: Date;
  /** Locked after too many failed logins, until then. */
  readonly lockedUntil?: Date;
  readonly lastLogin?: Date;
  readonly version: number;
  readonly createdAt: Date;
}

/** A WebAuthn credential (passkey) of a person, as @simplewebauthn/server stores it. */
export interface WebAuthnData {
  /** COSE public key, base64url. */
  readonly publicKey: string;
  readonly counter: number;
  readonly transports?: readonly string[];
  /** The name the person gave it. */
  readonly name: string;
}

export interface CredentialRecord {
  readonly id: string;
  readonly accountId: string;
  readonly kind: 'private_key_jwt' | 'webauthn';
  /** private_key_jwt: the public key. */
  readonly publicJwk?: JsonWebKey;
  /** webauthn: the credential id (base64url) and its data. */
  readonly webauthnId?: string;
  readonly webauthn?: WebAuthnData;
  readonly createdAt: Date;
  readonly lastUsedAt?: Date;
  readonly revokedAt?: Date;
}

export const accountOf = (r: Row): AccountRecord => ({
  id: r.id as string,
  name: r.name as string,
  kind: r.kind as AccountRecord['kind'],
  roles: r.roles as Role[],
  status: r.status as AccountRecord['status'],
  eServices: (r.eservices as string[] | null) ?? [],
  bound: r.subject_hash != null,
  ...opt('invitationExpires', date(r.invitation_expires)),
  ...opt('lockedUntil', date(r.locked_until)),
  ...opt('lastLogin', date(r.last_login)),
  version: r.version as number,
  createdAt: date(r.created_at)!,
});

export const credentialOf = (r: Row): CredentialRecord => ({
  id: r.id as string,
  accountId: r.account_id as string,
  kind: r.kind as CredentialRecord['kind'],
  ...opt('publicJwk', r.public_jwk as JsonWebKey | null),
  ...opt('webauthnId', r.webauthn_id as string | null),
  ...opt('webauthn', r.webauthn as WebAuthnData | null),
  createdAt: date(r.created_at)!,
  ...opt('lastUsedAt', date(r.last_used_at)),
  ...opt('revokedAt', date(r.revoked_at)),
});

export interface NewAccount {
  readonly id: string;
  readonly name: string;
  readonly kind: AccountRecord['kind'];
  readonly roles: readonly Role[];
  readonly status: AccountRecord['status'];
  readonly eServices?: readonly string[];
  /** A person's invitation: the SHA-256 of its one-time token, and when it expires. */
  readonly invitation?: { readonly hash: Buffer; readonly expires: Date };
}

export async function insertAccount(q: Queryable, a: NewAccount): Promise<AccountRecord> {
  const [row] = await q.query<Row>(
    `INSERT INTO neid.admin_accounts (id, name, kind, roles, status, eservices, invitation_hash, invitation_expires)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8) RETURNING *`,
    [
      a.id,
      a.name,
      a.kind,
      JSON.stringify(a.roles),
      a.status,
      JSON.stringify(a.eServices ?? []),
      a.invitation?.hash ?? null,
      a.invitation?.expires ?? null,
    ],
  );
  return accountOf(row!);
}

/** Adds an eService to an applicant's own (it applied for it). */
export async function addOwnEService(q: Queryable, accountId: string, eServiceId: string): Promise<void> {
  await q.query(
    `UPDATE neid.admin_accounts SET eservices = eservices || $2::jsonb, version = version + 1
     WHERE id = $1 AND NOT eservices ? $3`,
    [accountId, JSON.stringify([eServiceId]), eServiceId],
  );
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

export interface AccountChange {
  readonly roles?: readonly Role[];
  readonly status?: AccountRecord['status'];
  readonly eServices?: readonly string[];
}

export async function setAccount(q: Queryable, id: string, set: AccountChange): Promise<AccountRecord> {
  const [row] = await q.query<Row>(
    `UPDATE neid.admin_accounts SET roles = COALESCE($2::jsonb, roles), status = COALESCE($3, status),
       eservices = COALESCE($4::jsonb, eservices), version = version + 1 WHERE id = $1 RETURNING *`,
    [
      id,
      set.roles ? JSON.stringify(set.roles) : null,
      set.status ?? null,
      set.eServices ? JSON.stringify(set.eServices) : null,
    ],
  );
  if (!row) throw notFound(`account ${id}`);
  return accountOf(row);
}

export async function insertCredential(
  q: Queryable,
  c: Omit<CredentialRecord, 'createdAt' | 'revokedAt' | 'lastUsedAt'>,
): Promise<CredentialRecord> {
  const [row] = await q.query<Row>(
    `INSERT INTO neid.admin_credentials (id, account_id, kind, public_jwk, webauthn_id, webauthn)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb) RETURNING *`,
    [
      c.id,
      c.accountId,
      c.kind,
      c.publicJwk ? JSON.stringify(c.publicJwk) : null,
      c.webauthnId ?? null,
      c.webauthn ? JSON.stringify(c.webauthn) : null,
    ],
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

/** The active account behind an unexpired access token whose credential is not revoked, and its expiry. */
export async function accountOfToken(
  q: Queryable,
  hash: Buffer,
): Promise<{ account: AccountRecord; expiresAt: Date } | undefined> {
  const [row] = await q.query<Row>(
    `SELECT a.*, t.expires_at AS token_expires FROM neid.admin_tokens t
       JOIN neid.admin_accounts a ON a.id = t.account_id
       JOIN neid.admin_credentials c ON c.id = t.credential_id
     WHERE t.token_hash = $1 AND t.expires_at > now() AND a.status = 'active' AND c.revoked_at IS NULL`,
    [hash],
  );
  return row ? { account: accountOf(row), expiresAt: date(row.token_expires)! } : undefined;
}

/** The principal of an account that proved its credential at `authTime` (a token, a card, a passkey). */
export function principalOf(a: AccountRecord, authTime: Date): Principal {
  const scope = scopeOf(a.roles, a.eServices);
  return {
    id: `${a.kind}:${a.id}`,
    kind: a.kind,
    roles: a.roles,
    accountId: a.id,
    ...(scope ? { eServices: scope } : {}),
    authTime,
  };
}
