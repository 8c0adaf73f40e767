/**
 * The one interface behind which sessions are stored: in memory by default,
 * in Redis when configured (so that several server instances share them).
 */
import type { AuthSession } from './types.js';

export interface SessionStore {
  /**
   * Inserts a new session unless its eService already has `maxOpen` open
   * sessions (atomic with the count). Returns false when the cap is reached.
   */
  insert(s: AuthSession, maxOpen: number): Promise<boolean>;
  get(id: string): Promise<AuthSession | undefined>;
  getByTcToken(tcTokenId: string): Promise<AuthSession | undefined>;
  getByReturnRef(returnRef: string): Promise<AuthSession | undefined>;
  /** Writes `s` if the stored version is still `s.version - 1` (compare-and-set). */
  replace(s: AuthSession): Promise<boolean>;
  /** Removes the session and everything it holds; true when this call removed it (atomic among concurrent calls). */
  delete(id: string): Promise<boolean>;
  /**
   * A per-session request counter (SOAP getResult, TR-03130-1 §3.2.2.1), kept
   * apart from the session record so that it never races the EAC
   * conversation's compare-and-set: records `counter` if it is the first, or
   * the previous plus one ('strict'), or larger ('increasing'); atomic.
   */
  acceptCounter(
    id: string,
    counter: number,
    rule: 'strict' | 'increasing',
    expiresAt: number,
  ): Promise<boolean>;
  /**
   * Records `key` until `expiresAt` and returns true, or returns false when
   * it is already recorded: a one-time-use check shared by all instances
   * (e.g. SAML AuthnRequest IDs against replay). Atomic.
   */
  claim(key: string, expiresAt: number): Promise<boolean>;
  countOpen(eServiceId: string): Promise<number>;
  /** A cheap round trip to the store (readiness); rejects with UnavailableError when it is down. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * PSKs by session id, answered synchronously: node's TLS `pskCallback` cannot
 * wait for a store. The Redis implementation mirrors PSKs into every
 * instance's memory.
 */
export interface PskDirectory {
  lookup(identity: string): Buffer | undefined;
  add(id: string, psk: Buffer, expiresAt: number): Promise<void>;
  remove(id: string): Promise<void>;
  close(): Promise<void>;
}
