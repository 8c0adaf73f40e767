/**
 * Creating, advancing and ending authentication sessions. The request is
 * checked against the eService's approval here, once, before the eID-Client
 * is ever involved: a request beyond approval never reaches the card.
 */
import { randomBytes } from 'node:crypto';
import type { EService } from '../../config/relying-parties.js';
import { normalizeAreaCode } from '../../profile/household-area.js';
import { AuthRequestError, UnavailableError } from './errors.js';
import type { PskDirectory, SessionStore } from './store.js';
import {
  type AuthFailure,
  type AuthRequest,
  type AuthResult,
  type AuthSession,
  FINAL_STATES,
} from './types.js';

export interface SessionServiceOptions {
  readonly store: SessionStore;
  readonly psks: PskDirectory;
  readonly eService: (id: string) => EService | undefined;
  /** Base URL of the attached-TLS listener (TCToken, PAOS). */
  readonly eidUrl: string;
  /** Base URL of the TLS-PSK listener. */
  readonly pskUrl?: string;
  readonly ttlMs: number;
  /** How long a finished result waits for its front-end before it is deleted. */
  readonly resultTtlMs: number;
  readonly now?: () => number;
  /** False while the server shuts down: new logins are refused, running ones go on (docs/operations.md). */
  readonly accepting?: () => boolean;
  /** The id of the request being served (interfaces/http/request-id.ts), kept as the session's `origin`. */
  readonly requestId?: () => string | undefined;
  readonly events?: SessionEvents;
}

/** What the server observes of sessions (shutdown drain, logs); no personal data passes here. */
export interface SessionEvents {
  created?(s: AuthSession): void;
  /** The session was handed over (`s`: what was handed over) or removed on this instance. */
  ended?(id: string, s?: AuthSession): void;
}

export interface CreatedSession {
  readonly sessionId: string;
  readonly tcTokenUrl: string;
  readonly serverAddress: string;
  readonly psk?: Buffer;
  readonly expiresAt: number;
}

export type Outcome =
  | { kind: 'pending' }
  | { kind: 'result'; result: AuthResult; session: AuthSession }
  | { kind: 'failure'; failure: AuthFailure; session: AuthSession };

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
  async create(req: AuthRequest, ret?: { returnRef: string; bindingHash?: string }): Promise<CreatedSession> {
    if (this.o.accepting && !this.o.accepting())
      throw new UnavailableError('shutdown', 'the server is shutting down and takes no new logins');
    const es = this.o.eService(req.eServiceId);
    if (!es) throw new AuthRequestError('unknown-eservice', `unknown eService ${req.eServiceId}`);
    checkRequest(req, es);
    if (req.channel === 'psk' && !this.o.pskUrl)
      throw new AuthRequestError('invalid-request', 'TLS-PSK is not enabled on this server');
    if (req.eServicePsk && (req.eServicePsk.length < 16 || req.eServicePsk.length > 64)) {
      throw new AuthRequestError('invalid-psk', 'a PSK must have 16 to 64 bytes');
    }
    // An eService-chosen PSK ID is our session id: it travels in clear as psk_identity and comes back
    // as the hexBinary Session ID of the SOAP interface (TR-03130 §3.3.1), so it must be ≥ 128 bits of hex.
    const chosenId = req.eServicePskId?.toLowerCase();
    if (chosenId !== undefined && (!req.eServicePsk || !/^[0-9a-f]{32,128}$/.test(chosenId))) {
      throw new AuthRequestError(
        'invalid-psk',
        'a PSK ID must come with a PSK and consist of 32 to 128 hexadecimal digits',
      );
    }
    const now = this.now();
    const psk = req.channel === 'psk' ? (req.eServicePsk ?? randomBytes(32)) : undefined;
    const origin = this.o.requestId?.();
    const session: AuthSession = {
      version: 1,
      id: chosenId ?? randomBytes(32).toString('hex'),
      tcTokenId: randomBytes(32).toString('base64url'),
      request: req,
      state: 'created',
      createdAt: now,
      expiresAt: now + this.o.ttlMs,
      ...(psk ? { psk } : {}),
      ...(ret ? { returnRef: ret.returnRef } : {}),
      ...(ret?.bindingHash ? { browserBinding: ret.bindingHash } : {}),
      ...(origin ? { origin } : {}),
    };
    if (chosenId && (await this.o.store.get(chosenId))) {
      throw new AuthRequestError('invalid-psk', 'this PSK identity is already in use');
    }
    if (!(await this.o.store.insert(session, es.maxOpenSessions))) {
      throw new AuthRequestError(
        'too-many-sessions',
        `eService ${es.id} has reached its limit of ${es.maxOpenSessions} open sessions`,
      );
    }
    if (psk) await this.o.psks.add(session.id, psk, session.expiresAt);
    this.o.events?.created?.(session);
    return {
      sessionId: session.id,
      tcTokenUrl: `${this.o.eidUrl}/eid/tctoken?t=${session.tcTokenId}`,
      serverAddress: `${psk ? this.o.pskUrl : this.o.eidUrl}/eid/paos`,
      ...(psk ? { psk } : {}),
      expiresAt: session.expiresAt,
    };
  }

  get(id: string): Promise<AuthSession | undefined> {
    return this.o.store.get(id);
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
    const s = await this.update(id, (cur) => {
      if (FINAL_STATES.includes(cur.state)) return undefined;
      const { paos: _paos, psk: _psk, ...rest } = cur;
      return {
        ...rest,
        state: end.result ? 'completed' : 'failed',
        expiresAt: Math.min(cur.expiresAt, this.now() + this.o.resultTtlMs),
        ...end,
      } as AuthSession;
    });
    await this.o.psks.remove(id);
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
    await this.o.psks.remove(id);
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
    await this.o.store.delete(id);
    await this.o.psks.remove(id);
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

/** The approval check (seed 004 壹.二; TR-03130-1 useID#missingTerminalRights). */
export function checkRequest(req: AuthRequest, es: EService): void {
  const requested = [...req.required, ...req.optional];
  if (requested.length === 0 && !req.ageVerification && !req.placeVerification) {
    throw new AuthRequestError('invalid-request', 'the request asks for nothing');
  }
  if (new Set(requested).size !== requested.length)
    throw new AuthRequestError('invalid-request', 'a field is requested twice');
  const beyond = requested.filter((f) => !es.approvedFields.includes(f));
  if (req.ageVerification && !es.approvedFunctions.includes('ageVerification'))
    beyond.push('ageVerification' as never);
  if (req.placeVerification && !es.approvedFunctions.includes('placeVerification'))
    beyond.push('placeVerification' as never);
  if (beyond.length) {
    throw new AuthRequestError('not-approved', `eService ${es.id} is not approved for ${beyond.join(', ')}`);
  }
  if (
    req.ageVerification &&
    (!Number.isInteger(req.ageVerification.age) ||
      req.ageVerification.age < 0 ||
      req.ageVerification.age > 150)
  ) {
    throw new AuthRequestError('invalid-request', 'age must be an integer 0-150');
  }
  if (req.placeVerification) {
    try {
      normalizeAreaCode(req.placeVerification.areaCode);
    } catch (e) {
      throw new AuthRequestError('invalid-request', (e as Error).message);
    }
  }
}
