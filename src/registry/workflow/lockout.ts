/**
 * Failed admin logins and what follows them (seed 004 第陸章 伍.三.(六).4: more
 * than 3 unsuccessful logins raise an alert; the information security staff
 * decide what next, e.g. resetting the account). Every failed login — a card
 * login that failed or presented a card bound to no account, a passkey that did
 * not verify, a service account's refused client assertion — is recorded with
 * the account (when known) and the remote address. When one account or one
 * address has more than `maxFailures` within `windowMinutes`, it is locked for
 * `lockMinutes` and an alert is raised: an entry in the alert list and in the
 * audit log; the caller logs it and sends the webhook. A security officer
 * unlocks early (and acknowledges the alert).
 */
import { appendAudit } from '../audit/chain.js';
import type { RegistryContext } from '../context.js';
import { RegistryError } from '../errors.js';
import type { Principal } from '../roles.js';
import { getAccount } from '../store/accounts.js';
import {
  type AlertRecord,
  addressLock,
  clearFailures,
  countFailures,
  insertAlert,
  insertFailure,
  setAddressLock,
} from '../store/alerts.js';
import { setAccountLock } from '../store/people.js';

export interface LockoutPolicy {
  readonly maxFailures: number;
  readonly windowMinutes: number;
  readonly lockMinutes: number;
  /** Whether alerts are delivered to a webhook (they start `pending`). */
  readonly webhook: boolean;
}

export interface LoginFailure {
  /** The account the attempt was for, when known (a service account's iss, a passkey's owner …). */
  readonly accountId?: string;
  readonly address?: string;
  /** `card`, `passkey`, `client-assertion`. */
  readonly method: string;
  readonly reason: string;
  /** The audit action (default `admin.login`; the admin API's token endpoint writes `admin.auth`). */
  readonly action?: string;
}

const minutes = (n: number) => n * 60_000;

/** Records a failed login; returns the alerts it raised (a subject crossing the limit is locked). */
export async function recordLoginFailure(
  ctx: Pick<RegistryContext, 'db' | 'now'>,
  policy: LockoutPolicy,
  f: LoginFailure,
): Promise<AlertRecord[]> {
  const now = ctx.now();
  const since = new Date(now.getTime() - minutes(policy.windowMinutes));
  const until = new Date(now.getTime() + minutes(policy.lockMinutes));
  return ctx.db.tx(async (q) => {
    // An account named by an unverified assertion may not exist: count it by address only.
    const account = f.accountId ? await getAccount(q, f.accountId).catch(() => undefined) : undefined;
    await insertFailure(
      q,
      {
        at: now,
        ...(account ? { accountId: account.id } : {}),
        ...(f.address ? { address: f.address } : {}),
        reason: f.reason,
      },
      new Date(now.getTime() - minutes(Math.max(policy.windowMinutes, policy.lockMinutes) * 2)),
    );
    const entries: Parameters<typeof appendAudit>[1][number][] = [
      {
        actor: account ? `${account.kind}:${account.id}` : 'anonymous',
        action: f.action ?? 'admin.login',
        outcome: 'denied',
        details: { method: f.method, reason: f.reason, ...(f.address ? { address: f.address } : {}) },
      },
    ];
    const alerts: AlertRecord[] = [];
    const subjects: { subject: string; count: number; locked: boolean; lock: () => Promise<void> }[] = [];
    if (account)
      subjects.push({
        subject: `account:${account.id}`,
        count: await countFailures(q, { accountId: account.id }, since),
        locked: !!account.lockedUntil && account.lockedUntil > now,
        lock: () => setAccountLock(q, account.id, until),
      });
    if (f.address) {
      const address = f.address;
      const current = await addressLock(q, address);
      subjects.push({
        subject: `address:${address}`,
        count: await countFailures(q, { address }, since),
        locked: !!current && current > now,
        lock: () => setAddressLock(q, address, until),
      });
    }
    for (const s of subjects) {
      if (s.count <= policy.maxFailures || s.locked) continue;
      await s.lock();
      const details = {
        failures: s.count,
        windowMinutes: policy.windowMinutes,
        lockedUntil: until.toISOString(),
        lastReason: f.reason,
        method: f.method,
      };
      const alert = await insertAlert(q, {
        at: now,
        kind: 'login-failures',
        subject: s.subject,
        details,
        webhook: policy.webhook,
      });
      alerts.push(alert);
      entries.push({
        actor: 'system',
        action: 'admin.alert',
        target: s.subject,
        outcome: 'locked',
        details: { alert: alert.id, ...details },
      });
    }
    await appendAudit(q, entries, now);
    return alerts;
  });
}

/** Whether a login for the account, or from the address, is locked now (and until when). */
export async function lockedUntil(
  ctx: Pick<RegistryContext, 'db' | 'now'>,
  by: { accountId?: string; address?: string },
): Promise<Date | undefined> {
  const now = ctx.now();
  const dates: Date[] = [];
  if (by.accountId) {
    const a = await getAccount(ctx.db, by.accountId).catch(() => undefined);
    if (a?.lockedUntil) dates.push(a.lockedUntil);
  }
  if (by.address) {
    const d = await addressLock(ctx.db, by.address);
    if (d) dates.push(d);
  }
  const live = dates.filter((d) => d > now).sort((a, b) => b.getTime() - a.getTime());
  return live[0];
}

/** A security officer lifts a lock before it runs out; the subject's failures are forgotten. */
export async function unlock(
  ctx: Pick<RegistryContext, 'db' | 'now'>,
  actor: Principal,
  subject: string,
): Promise<void> {
  const m = /^(account|address):(.{1,200})$/.exec(subject);
  if (!m) throw new RegistryError('invalid', 'subject must be account:<id> or address:<ip>', '/subject');
  await ctx.db.tx(async (q) => {
    if (m[1] === 'account') {
      await getAccount(q, m[2]!);
      await setAccountLock(q, m[2]!, null);
      await clearFailures(q, { accountId: m[2]! });
    } else {
      await setAddressLock(q, m[2]!, null);
      await clearFailures(q, { address: m[2]! });
    }
    await appendAudit(
      q,
      [{ actor: actor.id, action: 'admin.unlock', target: subject, outcome: 'ok' }],
      ctx.now(),
    );
  });
}
