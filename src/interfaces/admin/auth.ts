/**
 * Authentication of admin API callers with credentials held in the registry
 * (a service account's public key): the caller exchanges a client assertion
 * (RFC 7523 §2.2, private_key_jwt: a JWT it signed, with iss = sub = its
 * account, aud = the token endpoint, exp at most 5 minutes ahead, a one-time
 * jti) for a short-lived bearer token at POST /admin/api/v1/token, and sends
 * that token with every call. Every success and failure is audited; failures
 * count towards the lock after too many failed logins (alerts.ts), and a
 * locked account or address gets no token. The result is a Principal with
 * roles, which every route checks.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { AuditTrail } from '../../registry/audit/trail.js';
import type { Database } from '../../registry/db/database.js';
import type { Principal } from '../../registry/roles.js';
import {
  accountOfToken,
  getAccount,
  getCredential,
  insertToken,
  principalOf,
  useAssertion,
} from '../../registry/store/accounts.js';
import type { AdminAlerts } from './alerts.js';
import { parseJws, verifyJws } from './jws.js';
import { Problem } from './problem.js';

export const TOKEN_TTL_SECONDS = 900;
const MAX_ASSERTION_LIFETIME = 300;
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

const unauthorized = (detail: string) =>
  new Problem(401, 'unauthorized', 'Unauthorized', detail, undefined, undefined, {
    'www-authenticate': 'Bearer realm="neid-admin"',
  });

export class AdminAuth {
  constructor(
    private readonly db: Database,
    private readonly trail: AuditTrail,
    /** The token endpoint URL: the assertion's audience. */
    readonly tokenUrl: string,
    private readonly alerts: AdminAlerts,
  ) {}

  private record(outcome: 'ok' | 'denied', details: Record<string, unknown>): void {
    this.trail.enqueue({
      actor: typeof details.account === 'string' ? `service:${details.account}` : 'anonymous',
      action: 'admin.auth',
      outcome,
      details,
    });
  }

  /**
   * POST /token: grant_type=client_credentials with a client assertion → bearer token. `remote`: the
   * caller's address (caller.ts), which failures count and lock by.
   */
  async token(form: Record<string, unknown>, remote: string | undefined): Promise<Record<string, unknown>> {
    const refuse = (reason: string): never => {
      throw new Problem(401, 'invalid-client', 'Client authentication failed', reason);
    };
    const deny = async (reason: string, account?: string): Promise<never> => {
      await this.alerts.failure({
        ...(account ? { accountId: account } : {}),
        ...(remote ? { address: remote } : {}),
        method: 'client-assertion',
        action: 'admin.auth',
        reason,
      });
      return refuse(reason);
    };
    const lockedAt = await this.alerts.locked(remote ? { address: remote } : {});
    if (lockedAt)
      return refuse(`too many failed logins from this address: locked until ${lockedAt.toISOString()}`);
    if (form.grant_type !== 'client_credentials')
      throw new Problem(
        400,
        'unsupported-grant-type',
        'Unsupported grant type',
        'grant_type must be client_credentials',
        '/grant_type',
      );
    if (form.client_assertion_type !== ASSERTION_TYPE)
      throw new Problem(
        400,
        'invalid-request',
        'Invalid request',
        `client_assertion_type must be ${ASSERTION_TYPE}`,
        '/client_assertion_type',
      );
    const assertion = form.client_assertion;
    if (typeof assertion !== 'string' || assertion.length > 8192)
      return deny('client_assertion is missing or too long');
    let jws: ReturnType<typeof parseJws>;
    try {
      jws = parseJws(assertion);
    } catch (e) {
      return deny(`client_assertion is not a JWT: ${(e as Error).message}`);
    }
    const c = jws.claims;
    const kid = typeof jws.header.kid === 'string' ? jws.header.kid : '';
    const cred = kid && /^[A-Za-z0-9_-]{1,100}$/.test(kid) ? await getCredential(this.db, kid) : undefined;
    if (!cred?.publicJwk || cred.kind !== 'private_key_jwt' || cred.revokedAt)
      return deny('unknown or revoked credential (kid)');
    const accountLock = await this.alerts.locked({ accountId: cred.accountId });
    if (accountLock)
      return refuse(`too many failed logins for this account: locked until ${accountLock.toISOString()}`);
    if (!verifyJws(jws, cred.publicJwk))
      return deny('the assertion signature does not verify', cred.accountId);
    const now = Math.floor(Date.now() / 1000);
    if (c.iss !== cred.accountId || c.sub !== cred.accountId)
      return deny('iss and sub must be the account of the credential', cred.accountId);
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.includes(this.tokenUrl)) return deny(`aud must be ${this.tokenUrl}`, cred.accountId);
    if (typeof c.exp !== 'number' || c.exp <= now - 5 || c.exp > now + MAX_ASSERTION_LIFETIME)
      return deny(`exp must lie within the next ${MAX_ASSERTION_LIFETIME} s`, cred.accountId);
    if (typeof c.jti !== 'string' || c.jti.length < 8 || c.jti.length > 200)
      return deny('jti is missing', cred.accountId);
    if (!(await useAssertion(this.db, sha256(`${cred.id}\0${c.jti}`), new Date((c.exp + 5) * 1000))))
      return deny('the assertion was used before (jti)', cred.accountId);
    const acc = await getAccount(this.db, cred.accountId);
    if (acc.status !== 'active') return deny('the account is disabled', cred.accountId);
    const token = randomBytes(32).toString('base64url');
    await insertToken(this.db, {
      hash: sha256(token),
      accountId: acc.id,
      credentialId: cred.id,
      expiresAt: new Date((now + TOKEN_TTL_SECONDS) * 1000),
    });
    this.record('ok', { account: acc.id, credential: cred.id, ...(remote ? { remote } : {}) });
    return { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS };
  }

  /** The principal of a request's bearer token, or a 401 Problem; `remote`: the caller's address (caller.ts). */
  async principal(ctx: Context, remote: string | undefined): Promise<Principal> {
    const h = ctx.get('authorization');
    const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(h);
    if (!m) {
      this.record('denied', {
        reason: h ? 'malformed Authorization header' : 'no bearer token',
        ...(remote ? { remote } : {}),
      });
      throw unauthorized('send Authorization: Bearer <token> (POST /admin/api/v1/token)');
    }
    const found = await accountOfToken(this.db, sha256(m[1]!));
    if (!found) {
      this.record('denied', {
        reason: 'unknown, expired or revoked token',
        ...(remote ? { remote } : {}),
      });
      throw unauthorized('the bearer token is unknown, expired or revoked');
    }
    // The token was issued for a client assertion signed then: that is the authentication's time.
    return principalOf(found.account, new Date(found.expiresAt.getTime() - TOKEN_TTL_SECONDS * 1000));
  }
}
