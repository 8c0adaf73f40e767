/**
 * People as admins (docs/admin.md §8): a security officer invites a person with
 * roles (an applicant also with its eServices); the invitation is a one-time
 * link, valid for hours, whose token the registry keeps only as a SHA-256. The
 * person follows it and logs in with their own New eID card through this
 * server's OpenID Provider: the pairwise subject the console receives is bound
 * to the account (stored as its SHA-256), and from then on that card — and the
 * passkeys the person adds after a card login — is how they log in. There are
 * no passwords.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendAudit } from '../audit/chain.js';
import type { RegistryContext } from '../context.js';
import { invalid, RegistryError } from '../errors.js';
import { type Principal, type Role, roleConflict } from '../roles.js';
import {
  type AccountRecord,
  getAccount,
  insertAccount,
  insertCredential,
  type WebAuthnData,
} from '../store/accounts.js';
import { deleteSessionsOf } from '../store/console-sessions.js';
import { getEService } from '../store/eservices.js';
import { bindSubject, recordLogin, setInvitation } from '../store/people.js';

type Ctx = Pick<RegistryContext, 'db' | 'now'>;

export const sha256 = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();
const newId = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

export interface Invitation {
  readonly account: AccountRecord;
  /** The one-time token of the invitation link: shown once, stored only as its hash. */
  readonly token: string;
  readonly expires: Date;
}

/** Checks roles and an applicant's eServices for a person or service account; names the field. */
export async function checkRoles(
  q: Parameters<typeof getEService>[0],
  roles: readonly Role[],
  eServices: readonly string[] = [],
): Promise<void> {
  const conflict = roleConflict(roles);
  if (conflict) throw invalid('/roles', conflict);
  if (eServices.length && !(roles.length === 1 && roles[0] === 'applicant'))
    throw invalid('/eServices', 'only an applicant acts for given eServices');
  for (const [i, id] of eServices.entries())
    await getEService(q, id).catch(() => {
      throw invalid(`/eServices/${i}`, `eService ${id} does not exist`);
    });
}

function newInvitation(ctx: Ctx, hours: number) {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256(token), expires: new Date(ctx.now().getTime() + hours * 3_600_000) };
}

export async function invitePerson(
  ctx: Ctx,
  actor: Principal,
  p: { name: string; roles: readonly Role[]; eServices?: readonly string[]; hours: number },
): Promise<Invitation> {
  const inv = newInvitation(ctx, p.hours);
  return ctx.db.tx(async (q) => {
    await checkRoles(q, p.roles, p.eServices);
    const account = await insertAccount(q, {
      id: newId('per'),
      name: p.name,
      kind: 'person',
      roles: p.roles,
      status: 'invited',
      eServices: p.eServices ?? [],
      invitation: { hash: inv.hash, expires: inv.expires },
    });
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'account.invite',
          target: `account:${account.id}`,
          outcome: 'ok',
          details: { after: account, invitationExpires: inv.expires.toISOString() },
        },
      ],
      ctx.now(),
    );
    return { account, token: inv.token, expires: inv.expires };
  });
}

/** A new invitation for a person (lost card, new card): the old binding and every session end. */
export async function reinvitePerson(
  ctx: Ctx,
  actor: Principal,
  id: string,
  hours: number,
): Promise<Invitation> {
  const inv = newInvitation(ctx, hours);
  return ctx.db.tx(async (q) => {
    const before = await getAccount(q, id);
    if (before.kind !== 'person') throw new RegistryError('wrong-state', `account ${id} is not a person`);
    if (actor.accountId === id)
      throw invalid('/id', 'an admin cannot renew their own invitation (another security officer does)');
    const account = await setInvitation(q, id, inv.hash, inv.expires);
    const sessions = await deleteSessionsOf(q, id);
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'account.reinvite',
          target: `account:${id}`,
          outcome: 'ok',
          details: {
            wasBound: before.bound,
            sessionsEnded: sessions,
            invitationExpires: inv.expires.toISOString(),
          },
        },
      ],
      ctx.now(),
    );
    return { account, token: inv.token, expires: inv.expires };
  });
}

/** The first card login through an invitation: binds the card's subject hash to the account. */
export async function acceptInvitation(
  ctx: Ctx,
  accountId: string,
  subjectHash: Buffer,
): Promise<AccountRecord> {
  return ctx.db.tx(async (q) => {
    const account = await bindSubject(q, accountId, subjectHash);
    await appendAudit(
      q,
      [
        {
          actor: `person:${accountId}`,
          action: 'account.bind-card',
          target: `account:${accountId}`,
          outcome: 'ok',
          details: { roles: account.roles },
        },
      ],
      ctx.now(),
    );
    return account;
  });
}

/** A successful console login (card or passkey), audited. */
export async function loginSucceeded(
  ctx: Ctx,
  account: AccountRecord,
  method: 'card' | 'passkey',
  purpose: 'login' | 'step-up' | 'invitation',
  address: string | undefined,
): Promise<void> {
  await ctx.db.tx(async (q) => {
    await recordLogin(q, account.id, ctx.now());
    await appendAudit(
      q,
      [
        {
          actor: `person:${account.id}`,
          action: 'admin.login',
          target: `account:${account.id}`,
          outcome: 'ok',
          details: { method, purpose, ...(address ? { address } : {}) },
        },
      ],
      ctx.now(),
    );
  });
}

export async function addPasskey(
  ctx: Ctx,
  actor: Principal,
  accountId: string,
  webauthnId: string,
  data: WebAuthnData,
) {
  return ctx.db.tx(async (q) => {
    const c = await insertCredential(q, {
      id: newId('passkey'),
      accountId,
      kind: 'webauthn',
      webauthnId,
      webauthn: data,
    });
    await appendAudit(
      q,
      [
        {
          actor: actor.id,
          action: 'credential.add',
          target: `account:${accountId}`,
          outcome: 'ok',
          details: { credential: c.id, kind: 'webauthn', name: data.name },
        },
      ],
      ctx.now(),
    );
    return c;
  });
}
