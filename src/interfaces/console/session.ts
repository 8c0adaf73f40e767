/**
 * Console sessions. The browser holds 32 random bytes in a `__Host-` cookie
 * (Secure, HttpOnly, Path=/, SameSite=Strict); the registry database holds
 * their SHA-256, the account, the synchronizer token for CSRF, how and when the
 * admin last authenticated (for steps that need it fresh), and when the session
 * was last used. A session ends after `sessionIdleMinutes` without a request,
 * after `sessionMaxHours` in any case, and at once when its account is
 * disabled, locked, re-invited or its roles change. A login under way (card or
 * passkey) is bound to the browser by a second cookie (SameSite=Lax: the card
 * login returns through the eID-Client, a cross-site redirect).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { RegistryContext } from '../../registry/context.js';
import type { Principal } from '../../registry/roles.js';
import { type AccountRecord, getAccount, principalOf } from '../../registry/store/accounts.js';
import {
  type ConsoleSession,
  deleteSession,
  insertLoginState,
  insertSession,
  type LoginState,
  refreshAuthTime,
  sessionByHash,
  takeLoginState,
  touchSession,
} from '../../registry/store/console-sessions.js';
import type { CallerAddressOf } from '../admin/caller.js';

export const SESSION_COOKIE = '__Host-neid-admin';
export const LOGIN_COOKIE = '__Host-neid-admin-login';
/** A login (card or passkey) must be finished within this time. */
export const LOGIN_TTL_MS = 15 * 60_000;
const TOUCH_EVERY_MS = 15_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const token = () => randomBytes(32).toString('base64url');
const COOKIE = /^[A-Za-z0-9_-]{43}$/;

/** The signed-in admin of a request. */
export interface Viewer {
  readonly principal: Principal;
  readonly account: AccountRecord;
  readonly session: ConsoleSession;
}

export type Ended = { readonly ended: 'idle' | 'expired' | 'account' };

export class ConsoleSessions {
  constructor(
    private readonly o: {
      readonly ctx: Pick<RegistryContext, 'db' | 'now'>;
      readonly idleMs: number;
      readonly maxMs: number;
      /** The caller's address a session is recorded with (admin.trustedProxies; admin/caller.ts). */
      readonly address: CallerAddressOf;
    },
  ) {}

  private cookie(ctx: Context, name: string, value: string | null, sameSite: 'strict' | 'lax'): void {
    ctx.cookies.set(name, value, { secure: true, httpOnly: true, sameSite, path: '/', overwrite: true });
  }

  /** A new session for `account` after a card or passkey login. */
  async start(
    ctx: Context,
    account: AccountRecord,
    method: 'card' | 'passkey',
    authTime: Date,
  ): Promise<void> {
    const id = token();
    const now = this.o.ctx.now();
    const address = this.o.address(ctx);
    await insertSession(this.o.ctx.db, {
      idHash: sha256(id),
      accountId: account.id,
      csrf: token(),
      authMethod: method,
      authTime,
      expiresAt: new Date(now.getTime() + this.o.maxMs),
      ...(address ? { address } : {}),
      now,
    });
    this.cookie(ctx, SESSION_COOKIE, id, 'strict');
  }

  /** The request's session: undefined (none), ended (and why), or the viewer. */
  async current(ctx: Context): Promise<Viewer | Ended | undefined> {
    const id = ctx.cookies.get(SESSION_COOKIE);
    if (!id || !COOKIE.test(id)) return undefined;
    const hash = sha256(id);
    const s = await sessionByHash(this.o.ctx.db, hash);
    if (!s) return undefined;
    const now = this.o.ctx.now();
    const end = async (why: Ended['ended']): Promise<Ended> => {
      await deleteSession(this.o.ctx.db, hash);
      this.cookie(ctx, SESSION_COOKIE, null, 'strict');
      return { ended: why };
    };
    if (s.expiresAt <= now) return end('expired');
    if (now.getTime() - s.lastSeen.getTime() > this.o.idleMs) return end('idle');
    const account = await getAccount(this.o.ctx.db, s.accountId).catch(() => undefined);
    if (account?.status !== 'active' || (account.lockedUntil && account.lockedUntil > now))
      return end('account');
    if (now.getTime() - s.lastSeen.getTime() > TOUCH_EVERY_MS) await touchSession(this.o.ctx.db, hash, now);
    return { principal: principalOf(account, s.authTime), account, session: s };
  }

  /** A fresh card or passkey authentication of the session's own admin. */
  async reauthenticated(v: Viewer, method: 'card' | 'passkey', at: Date): Promise<void> {
    await refreshAuthTime(this.o.ctx.db, v.session.idHash, method, at);
  }

  async end(ctx: Context): Promise<void> {
    const id = ctx.cookies.get(SESSION_COOKIE);
    if (id && COOKIE.test(id)) await deleteSession(this.o.ctx.db, sha256(id));
    this.cookie(ctx, SESSION_COOKIE, null, 'strict');
  }

  /** The form's or header's token against the session's (constant time). */
  csrfOk(v: Viewer, sent: string | undefined): boolean {
    if (!sent) return false;
    const a = Buffer.from(sent);
    const b = Buffer.from(v.session.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Starts a login: its state in the database, bound to this browser by the login cookie. */
  async beginLogin(ctx: Context, s: Omit<LoginState, 'expiresAt'>): Promise<void> {
    const id = token();
    const now = this.o.ctx.now();
    await insertLoginState(
      this.o.ctx.db,
      sha256(id),
      { ...s, expiresAt: new Date(now.getTime() + LOGIN_TTL_MS) },
      now,
    );
    this.cookie(ctx, LOGIN_COOKIE, id, 'lax');
  }

  /** The login this browser started (once), or undefined. */
  async takeLogin(ctx: Context, kind: LoginState['kind']): Promise<LoginState | undefined> {
    const id = ctx.cookies.get(LOGIN_COOKIE);
    this.cookie(ctx, LOGIN_COOKIE, null, 'lax');
    if (!id || !COOKIE.test(id)) return undefined;
    return takeLoginState(this.o.ctx.db, sha256(id), kind, this.o.ctx.now());
  }
}
