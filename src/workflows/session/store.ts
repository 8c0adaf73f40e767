/**
 * The one interface behind which sessions are stored: in memory by default,
 * in Redis when configured (so that several server instances share them).
 */
import type { AuthSession } from './types.js';

/** The caps a new session is inserted under. */
export interface InsertLimits {
  /** Claimed sessions of the session's eService (its `maxOpenSessions`). */
  readonly maxOpen: number;
  /** Unclaimed sessions of all eServices together (`sessions.maxUnclaimed`). */
  readonly maxUnclaimed: number;
}

export type InsertOutcome = 'ok' | 'eservice-full' | 'unclaimed-full';

export interface SessionStore {
  /**
   * Inserts a new, unclaimed session (see AuthSession.claimedAt) unless its
   * eService already has `maxOpen` claimed sessions or all eServices together
   * have `maxUnclaimed` unclaimed ones; atomic with both counts.
   */
  insert(s: AuthSession, limits: InsertLimits): Promise<InsertOutcome>;
  /**
   * Writes `s` — the session now claimed (`claimedAt` set) — with
   * compare-and-set like `replace`, and counts it against its eService's cap
   * unless that already has `maxOpen` claimed sessions; atomic with the count.
   */
  admit(s: AuthSession, maxOpen: number): Promise<'ok' | 'full' | 'changed'>;
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
  /** Claimed, unexpired sessions of the eService. */
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
  /** Adds the PSK of `identity`, or moves its expiry; it is dropped at `expiresAt` at the latest. */
  add(identity: string, psk: Buffer, expiresAt: number): Promise<void>;
  remove(identity: string): Promise<void>;
  /** PSKs held in this process (expired ones are swept every few seconds). */
  readonly size: number;
  close(): Promise<void>;
}

/** How often stores and PSK directories drop what has expired. */
export const SWEEP_MS = 5_000;
