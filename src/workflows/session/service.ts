/**
 * Creating, advancing and ending authentication sessions. The request is
 * checked against the eService's approval here, once, before the eID-Client
 * is ever involved: a request beyond approval never reaches the card.
 */
import { randomBytes } from 'node:crypto';
import { checkEServicePsk, checkRequest } from './approval.js';
import { AuthRequestError, UnavailableError } from './errors.js';
import type { CreatedSession, Outcome, SessionServiceOptions } from './service-types.js';
import {
  type AuthFailure,
  type AuthRequest,
  type AuthResult,
  type AuthSession,
  FINAL_STATES,
  identityOf,
  sessionIdOfIdentity,
} from './types.js';

export { checkRequest } from './approval.js';

export type {
  CreatedSession,
  Lockout,
  Outcome,
  SessionEvents,
  SessionServiceOptions,
} from './service-types.js';

const MAX_CAS_RETRIES = 8;

export class SessionService {
  private readonly now: () => number;

  constructor(private readonly o: SessionServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  /**
   * Validates the request against the registry and creates the session.
   * `ret` makes the session findable by its return reference (the RefreshAddress path); a browser
   * login adds the hash of the cookie that binds it to the browser that started it.
   */
  /**
   * `claimed`: the caller is the authenticated eService itself (SOAP useID over mutual TLS with a
   * signed request), so the session counts against its cap at once (TR-03130-1
   * useID#tooManyOpenSessions); anonymous browser logins count only once an eID-Client picks them up.
   */
  async create(
    req: AuthRequest,
    ret?: { returnRef: string; bindingHash?: string },
    opts: { claimed?: boolean } = {},
  ): Promise<CreatedSession> {
    if (this.o.accepting && !this.o.accepting())
      throw new UnavailableError('shutdown', 'the server is shutting down and takes no new logins');
    const es = this.o.eService(req.eServiceId);
    if (!es) throw new AuthRequestError('unknown-eservice', `unknown eService ${req.eServiceId}`);
    checkRequest(req, es);
    if (req.channel === 'psk' && !this.o.pskUrl)
      throw new AuthRequestError('invalid-request', 'TLS-PSK is not enabled on this server');
    checkEServicePsk(req);
    // The eService's PSK ID is the psk_identity and TC Token SessionIdentifier; the id derives from it.
    const chosen = req.eServicePskId;
    const id = chosen !== undefined ? sessionIdOfIdentity(chosen) : randomBytes(32).toString('hex');
    const now = this.now();
    const unclaimedTtl = Math.min(this.o.unclaimedTtlMs ?? this.o.ttlMs, this.o.ttlMs);
    const psk = req.channel === 'psk' ? (req.eServicePsk ?? randomBytes(32)) : undefined;
    const origin = this.o.requestId?.();
    const session: AuthSession = {
      version: 1,
      id,
      ...(chosen !== undefined && chosen !== id ? { pskIdentity: chosen } : {}),
      tcTokenId: randomBytes(32).toString('base64url'),
      request: req,
      state: 'created',
      createdAt: now,
      expiresAt: now + (opts.claimed ? this.o.ttlMs : unclaimedTtl),
      ...(opts.claimed ? { claimedAt: now } : {}),
      ...(psk ? { psk } : {}),
      ...(ret ? { returnRef: ret.returnRef } : {}),
      ...(ret?.bindingHash ? { browserBinding: ret.bindingHash } : {}),
      ...(origin ? { origin } : {}),
    };
    if (chosen !== undefined && (await this.o.store.get(id))) {
      throw new AuthRequestError('invalid-psk', 'this PSK identity is already in use');
    }
    const maxUnclaimed = this.o.maxUnclaimed ?? Number.MAX_SAFE_INTEGER;
    const inserted = await this.o.store.insert(session, { maxOpen: es.maxOpenSessions, maxUnclaimed });
    if (inserted !== 'ok') {
      const eServiceFull = inserted === 'eservice-full';
      this.o.onLockout?.({
        eService: es.id,
        limit: eServiceFull ? 'maxOpenSessions' : 'maxUnclaimed',
        max: eServiceFull ? es.maxOpenSessions : maxUnclaimed,
        stage: 'create',
      });
      throw new AuthRequestError(
        'too-many-sessions',
        eServiceFull
          ? `eService ${es.id} has reached its limit of ${es.maxOpenSessions} open sessions`
          : `the server holds ${maxUnclaimed} logins no eID-Client has picked up yet`,
      );
    }
    if (psk) await this.o.psks.add(identityOf(session), psk, session.expiresAt);
    this.o.events?.created?.(session);
    return {
      sessionId: session.id,
      identity: identityOf(session),
      tcTokenUrl: `${this.o.eidUrl}/eid/tctoken?t=${session.tcTokenId}`,
      serverAddress: `${psk ? this.o.pskUrl : this.o.eidUrl}/eid/paos`,
      ...(psk ? { psk } : {}),
      expiresAt: session.expiresAt,
      latestExpiresAt: opts.claimed ? session.expiresAt : now + unclaimedTtl + this.o.ttlMs,
    };
  }

  /**
   * An eID-Client picks the session up (its TC Token fetch; StartPAOS when the eService served the
   * TC Token): from now on it counts against its eService's `maxOpenSessions` and lives the full
   * TTL. `fn` may change the session on the way, or refuse (undefined). Compare-and-set, retried.
   */
  async admit(
    id: string,
    fn: (s: AuthSession) => AuthSession | undefined = (s) => s,
  ): Promise<{ outcome: 'admitted' | 'refused' | 'full' | 'gone'; session?: AuthSession }> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const cur = await this.o.store.get(id);
      if (!cur || FINAL_STATES.includes(cur.state)) return { outcome: 'gone' };
      const next = fn(cur);
      if (!next) return { outcome: 'refused', session: cur };
      if (cur.claimedAt !== undefined) {
        const written = { ...next, version: cur.version + 1 };
        if (await this.o.store.replace(written)) return { outcome: 'admitted', session: written };
        continue;
      }
      const now = this.now();
      const written: AuthSession = {
        ...next,
        version: cur.version + 1,
        claimedAt: now,
        expiresAt: now + this.o.ttlMs,
      };
      const es = this.o.eService(cur.request.eServiceId);
      const max = es?.maxOpenSessions ?? 0;
      const r = await this.o.store.admit(written, max);
      if (r === 'full') {
        this.o.onLockout?.({
          eService: cur.request.eServiceId,
          limit: 'maxOpenSessions',
          max,
          stage: 'admit',
        });
        return { outcome: 'full', session: cur };
      }
      if (r === 'ok') {
        if (written.psk) await this.o.psks.add(identityOf(written), written.psk, written.expiresAt);
        return { outcome: 'admitted', session: written };
      }
    }
    throw new Error(`session ${id} kept changing while it was picked up`);
  }

  get(id: string): Promise<AuthSession | undefined> {
    return this.o.store.get(id);
  }

  /** The session a SessionIdentifier, `requestid` or psk_identity names (exactly, case included). */
  async getByIdentity(identity: string): Promise<AuthSession | undefined> {
    const s = await this.o.store.get(sessionIdOfIdentity(identity));
    return s && identityOf(s) === identity ? s : undefined;
  }

  getByTcToken(t: string): Promise<AuthSession | undefined> {
    return this.o.store.getByTcToken(t);
  }

  getByReturnRef(ref: string): Promise<AuthSession | undefined> {
    return this.o.store.getByReturnRef(ref);
  }

  /**
   * Applies `fn` with compare-and-set, retrying when another request (or
   * another instance) changed the session meanwhile. `fn` returning
   * undefined leaves the session unchanged.
   */
  async update(
    id: string,
    fn: (s: AuthSession) => AuthSession | undefined,
  ): Promise<AuthSession | undefined> {
    for (let i = 0; i < MAX_CAS_RETRIES; i++) {
      const cur = await this.o.store.get(id);
      if (!cur) return undefined;
      const next = fn(cur);
      if (!next) return cur;
      const written = { ...next, version: cur.version + 1 };
      if (await this.o.store.replace(written)) return written;
    }
    throw new Error(`session ${id} kept changing during an update`);
  }

  /**
   * Writes `next` over `cur` if nobody changed the session meanwhile; false on
   * a concurrent change (the caller's step is then void).
   */
  async advance(cur: AuthSession, next: Omit<AuthSession, 'version'>): Promise<AuthSession | undefined> {
    const written = { ...next, version: cur.version + 1 } as AuthSession;
    return (await this.o.store.replace(written)) ? written : undefined;
  }

  /** Ends the session with a result; the EAC state is wiped, the result kept for resultTtl. */
  async complete(id: string, result: AuthResult): Promise<AuthSession | undefined> {
    return this.finish(id, { result });
  }

  async fail(id: string, failure: AuthFailure): Promise<AuthSession | undefined> {
    return this.finish(id, { failure });
  }

  private async finish(
    id: string,
    end: { result?: AuthResult; failure?: AuthFailure },
  ): Promise<AuthSession | undefined> {
    let identity = id;
    const s = await this.update(id, (cur) => {
      identity = identityOf(cur);
      if (FINAL_STATES.includes(cur.state)) return undefined;
      const { paos: _paos, psk: _psk, ...rest } = cur;
      return {
        ...rest,
        state: end.result ? 'completed' : 'failed',
        expiresAt: Math.min(cur.expiresAt, this.now() + this.o.resultTtlMs),
        ...end,
      } as AuthSession;
    });
    await this.o.psks.remove(identity);
    return s;
  }

  /**
   * Hands a final outcome to the front-end exactly once and deletes the
   * session with all its personal data; 'pending' while the EAC runs.
   */
  async consume(id: string): Promise<Outcome | undefined> {
    const s = await this.o.store.get(id);
    if (!s) return undefined;
    if (!FINAL_STATES.includes(s.state)) return { kind: 'pending' };
    // Exactly once: of concurrent consumers (instances, retried requests) only the one whose delete
    // removed the session gets the outcome.
    const mine = await this.o.store.delete(id);
    await this.o.psks.remove(identityOf(s));
    if (!mine) return undefined;
    this.o.events?.ended?.(id, s);
    if (s.result) return { kind: 'result', result: s.result, session: s };
    return {
      kind: 'failure',
      failure: s.failure ?? { code: 'internal-error', reason: 'session ended without outcome' },
      session: s,
    };
  }

  /** Records a request counter of the session (see SessionStore.acceptCounter). */
  acceptCounter(
    id: string,
    counter: number,
    rule: 'strict' | 'increasing',
    expiresAt: number,
  ): Promise<boolean> {
    return this.o.store.acceptCounter(id, counter, rule, expiresAt);
  }

  /** One-time use of `key` until `expiresAt` across all instances (see SessionStore.claim). */
  claim(key: string, expiresAt: number): Promise<boolean> {
    return this.o.store.claim(key, expiresAt);
  }

  /** Removes a session (front-end gave up, or a protocol rule ends it). */
  async discard(id: string): Promise<void> {
    const s = await this.o.store.get(id);
    await this.o.store.delete(id);
    await this.o.psks.remove(s ? identityOf(s) : id);
    this.o.events?.ended?.(id);
  }

  /** Open sessions of an eService (metrics); across instances with the Redis store. */
  countOpen(eServiceId: string): Promise<number> {
    return this.o.store.countOpen(eServiceId);
  }

  /** A cheap round trip to the session store (readiness). */
  ping(): Promise<void> {
    return this.o.store.ping();
  }
}
