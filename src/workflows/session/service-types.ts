/** The options and results of SessionService (service.ts). */
import type { EService } from '../../config/relying-parties.js';
import type { PskDirectory, SessionStore } from './store.js';
import type { AuthFailure, AuthResult, AuthSession } from './types.js';

/** A refusal for a full session cap: the eService, which cap, and where (for the log). */
export interface Lockout {
  readonly eService: string;
  readonly limit: 'maxOpenSessions' | 'maxUnclaimed';
  readonly max: number;
  /** 'create': a new login was refused; 'admit': an eID-Client picking up its session was. */
  readonly stage: 'create' | 'admit';
}

export interface SessionServiceOptions {
  readonly store: SessionStore;
  readonly psks: PskDirectory;
  readonly eService: (id: string) => EService | undefined;
  /** Base URL of the attached-TLS listener (TCToken, PAOS). */
  readonly eidUrl: string;
  /** Base URL of the TLS-PSK listener. */
  readonly pskUrl?: string;
  readonly ttlMs: number;
  /** How long a session waits for an eID-Client to pick it up (AuthSession.claimedAt); default ttlMs. */
  readonly unclaimedTtlMs?: number;
  /** Unclaimed sessions of all eServices together; default unlimited. */
  readonly maxUnclaimed?: number;
  /** How long a finished result waits for its front-end before it is deleted. */
  readonly resultTtlMs: number;
  /** Called when a session cap refuses a login (the server logs it). */
  readonly onLockout?: (l: Lockout) => void;
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
  /** The PSK identity (TC Token SessionIdentifier): the session id unless the eService chose its own. */
  readonly identity: string;
  /** Until an eID-Client picks the session up. */
  readonly expiresAt: number;
  /** The latest the session can live (picked up at the last moment, then the full TTL). */
  readonly latestExpiresAt: number;
}

export type Outcome =
  | { kind: 'pending' }
  | { kind: 'result'; result: AuthResult; session: AuthSession }
  | { kind: 'failure'; failure: AuthFailure; session: AuthSession };
