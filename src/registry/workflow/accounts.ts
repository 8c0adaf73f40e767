/**
 * Admin API service accounts and their credentials (public keys for
 * private_key_jwt). `bootstrap` makes the first account of an installation,
 * with every role, and returns its private key exactly once: the registry
 * keeps only the public key. Every other account keeps the role exclusions of
 * roles.ts; people are invited (workflow/people.ts).
 */
import { generateKeyPairSync, type JsonWebKey, randomBytes } from 'node:crypto';
import { appendAudit } from '../audit/chain.js';
import type { RegistryContext } from '../context.js';
import { RegistryError } from '../errors.js';
import { type Principal, ROLES, type Role } from '../roles.js';
import {
  type AccountRecord,
  type CredentialRecord,
  countActiveAccounts,
  getAccount,
  insertAccount,
  insertCredential,
  revokeCredential,
  setAccount,
} from '../store/accounts.js';
import { deleteSessionsOf } from '../store/console-sessions.js';
import { checkRoles } from './people.js';

const newId = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

export interface IssuedCredential {
  readonly account: AccountRecord;
  readonly credential: CredentialRecord;
  /** The private JWK: shown once, never stored. */
  readonly privateJwk: JsonWebKey;
}

/** The first service account of an installation; refused once any active account exists (unless forced). */
export async function bootstrapAdmin(
  ctx: Pick<RegistryContext, 'db' | 'now'>,
  actor: Principal,
  o: { name?: string; force?: boolean } = {},
): Promise<IssuedCredential> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return ctx.db.tx(async (q) => {
    await q.query('LOCK TABLE neid.admin_accounts IN EXCLUSIVE MODE');
    if (!o.force && (await countActiveAccounts(q)) > 0)
      throw new RegistryError(
        'conflict',
        'the registry has admin accounts already; use them (or neid admin bootstrap --force for another one with every role)',
      );
    const account = await insertAccount(q, {
      id: newId('admin'),
      name: o.name ?? 'bootstrap',
      kind: 'service',
      roles: [...ROLES],
      status: 'active',
    });
    const credential = await insertCredential(q, {
      id: newId('key'),
      accountId: account.id,
      kind: 'private_key_jwt',
      publicJwk: publicKey.export({ format: 'jwk' }),
    });
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'account.bootstrap',
          target: `account:${account.id}`,
          outcome: 'ok',
          details: { after: { name: account.name, roles: account.roles, credential: credential.id } },
        },
      ],
      ctx.now(),
    );
    return { account, credential, privateJwk: privateKey.export({ format: 'jwk' }) };
  });
}

export async function createAccount(
  ctx: RegistryContext,
  actor: Principal,
  name: string,
  roles: readonly Role[],
  eServices: readonly string[] = [],
) {
  return ctx.db.tx(async (q) => {
    await checkRoles(q, roles, eServices);
    const account = await insertAccount(q, {
      id: newId('svc'),
      name,
      kind: 'service',
      roles,
      status: 'active',
      eServices,
    });
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'account.create',
          target: `account:${account.id}`,
          outcome: 'ok',
          details: { after: account },
        },
      ],
      ctx.now(),
    );
    return account;
  });
}

export async function changeAccount(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected: number | undefined,
  set: { roles?: readonly Role[]; status?: 'active' | 'disabled'; eServices?: readonly string[] },
) {
  return ctx.db.tx(async (q) => {
    const before = await getAccount(q, id);
    if (expected !== undefined && before.version !== expected)
      throw new RegistryError('stale', `account ${id} is at version ${before.version}, not ${expected}`);
    if (set.roles || set.eServices)
      await checkRoles(q, set.roles ?? before.roles, set.eServices ?? before.eServices);
    if (set.status === 'active' && before.status === 'invited')
      throw new RegistryError(
        'wrong-state',
        `account ${id} becomes active when the person accepts the invitation`,
      );
    if (
      actor.accountId === id &&
      (set.status === 'disabled' || (set.roles && !set.roles.includes('security-officer')))
    )
      throw new RegistryError(
        'invalid',
        'an account cannot disable itself or drop its own account management',
        '/status',
      );
    const after = await setAccount(q, id, set);
    // New roles or a disabled account take effect at once: its console sessions end.
    const sessions = set.status === 'disabled' || set.roles ? await deleteSessionsOf(q, id) : 0;
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'account.update',
          target: `account:${id}`,
          outcome: 'ok',
          details: { before, after, ...(sessions ? { sessionsEnded: sessions } : {}) },
        },
      ],
      ctx.now(),
    );
    return after;
  });
}

export async function addCredential(
  ctx: RegistryContext,
  actor: Principal,
  accountId: string,
  publicJwk: JsonWebKey,
) {
  return ctx.db.tx(async (q) => {
    if ((await getAccount(q, accountId)).kind === 'person')
      throw new RegistryError(
        'invalid',
        'people log in with their card or a passkey, not with API keys',
        '/publicJwk',
      );
    const c = await insertCredential(q, { id: newId('key'), accountId, kind: 'private_key_jwt', publicJwk });
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'credential.add',
          target: `account:${accountId}`,
          outcome: 'ok',
          details: { credential: c.id, kty: publicJwk.kty },
        },
      ],
      ctx.now(),
    );
    return c;
  });
}

/** Revokes a credential: an API key, or a person's passkey. */
export async function dropCredential(
  ctx: Pick<RegistryContext, 'db' | 'now'>,
  actor: Principal,
  accountId: string,
  credentialId: string,
) {
  return ctx.db.tx(async (q) => {
    const c = await revokeCredential(q, accountId, credentialId);
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'credential.revoke',
          target: `account:${accountId}`,
          outcome: 'ok',
          details: { credential: c.id, kind: c.kind },
        },
      ],
      ctx.now(),
    );
    return c;
  });
}
