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
  /** Removes the session and everything it holds. */
  delete(id: string): Promise<void>;
  countOpen(eServiceId: string): Promise<number>;
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
