/** In-process session store and PSK directory (the default; one server instance). */
import {
  type InsertLimits,
  type InsertOutcome,
  type PskDirectory,
  type SessionStore,
  SWEEP_MS,
} from './store.js';
import type { AuthSession } from './types.js';

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, AuthSession>();
  private readonly byToken = new Map<string, string>();
  private readonly byRef = new Map<string, string>();
  private readonly counters = new Map<string, { counter: number; expiresAt: number }>();
  private readonly claims = new Map<string, number>();
  /** Ids of the unclaimed sessions (AuthSession.claimedAt), all eServices. */
  private readonly unclaimed = new Set<string>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    sweepMs = SWEEP_MS,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  private sweep(): void {
    const t = this.now();
    for (const s of this.sessions.values()) if (s.expiresAt <= t) this.remove(s.id);
    for (const [id, c] of this.counters) if (c.expiresAt <= t) this.counters.delete(id);
    for (const [k, until] of this.claims) if (until <= t) this.claims.delete(k);
  }

  private remove(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.unclaimed.delete(id);
    this.counters.delete(id);
    this.byToken.delete(s.tcTokenId);
    if (s.returnRef) this.byRef.delete(s.returnRef);
  }

  private live(s: AuthSession | undefined): AuthSession | undefined {
    if (s && s.expiresAt <= this.now()) {
      this.remove(s.id);
      return undefined;
    }
    return s;
  }

  async insert(s: AuthSession, limits: InsertLimits): Promise<InsertOutcome> {
    if ((await this.countOpen(s.request.eServiceId)) >= limits.maxOpen) return 'eservice-full';
    if (this.unclaimed.size >= limits.maxUnclaimed) {
      for (const id of this.unclaimed) this.live(this.sessions.get(id));
      if (this.unclaimed.size >= limits.maxUnclaimed) return 'unclaimed-full';
    }
    if (this.sessions.has(s.id)) throw new Error('session id collision');
    this.sessions.set(s.id, s);
    if (s.claimedAt === undefined) this.unclaimed.add(s.id);
    this.byToken.set(s.tcTokenId, s.id);
    if (s.returnRef) this.byRef.set(s.returnRef, s.id);
    return 'ok';
  }

  async get(id: string): Promise<AuthSession | undefined> {
    return this.live(this.sessions.get(id));
  }

  async getByTcToken(tcTokenId: string): Promise<AuthSession | undefined> {
    const id = this.byToken.get(tcTokenId);
    return id ? this.get(id) : undefined;
  }

  async getByReturnRef(returnRef: string): Promise<AuthSession | undefined> {
    const id = this.byRef.get(returnRef);
    return id ? this.get(id) : undefined;
  }

  async replace(s: AuthSession): Promise<boolean> {
    const cur = this.live(this.sessions.get(s.id));
    if (!cur || cur.version !== s.version - 1) return false;
    this.sessions.set(s.id, s);
    if (s.claimedAt !== undefined) this.unclaimed.delete(s.id);
    return true;
  }

  async admit(s: AuthSession, maxOpen: number): Promise<'ok' | 'full' | 'changed'> {
    const cur = this.live(this.sessions.get(s.id));
    if (!cur || cur.version !== s.version - 1) return 'changed';
    if (cur.claimedAt === undefined && (await this.countOpen(s.request.eServiceId)) >= maxOpen) return 'full';
    return (await this.replace(s)) ? 'ok' : 'changed';
  }

  async delete(id: string): Promise<boolean> {
    const had = this.sessions.has(id);
    this.remove(id);
    return had;
  }

  async acceptCounter(
    id: string,
    counter: number,
    rule: 'strict' | 'increasing',
    expiresAt: number,
  ): Promise<boolean> {
    const prev = this.counters.get(id);
    if (
      prev &&
      prev.expiresAt > this.now() &&
      (rule === 'strict' ? counter !== prev.counter + 1 : counter <= prev.counter)
    )
      return false;
    this.counters.set(id, { counter, expiresAt });
    return true;
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    const until = this.claims.get(key);
    if (until !== undefined && until > this.now()) return false;
    this.claims.set(key, expiresAt);
    return true;
  }

  async countOpen(eServiceId: string): Promise<number> {
    const t = this.now();
    let n = 0;
    for (const s of this.sessions.values())
      if (s.request.eServiceId === eServiceId && s.claimedAt !== undefined && s.expiresAt > t) n++;
    return n;
  }

  async ping(): Promise<void> {
    /* always reachable: it is this process */
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sessions.clear();
    this.counters.clear();
    this.claims.clear();
    this.unclaimed.clear();
    this.byToken.clear();
    this.byRef.clear();
  }
}

/** PSKs by identity; expired ones are swept, so abandoned logins leave no secret behind. */
export class MemoryPskDirectory implements PskDirectory {
  private readonly psks = new Map<string, { psk: Buffer; expiresAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    sweepMs = SWEEP_MS,
  ) {
    this.sweeper = setInterval(() => sweepPsks(this.psks, this.now()), sweepMs);
    this.sweeper.unref();
  }

  get size(): number {
    return this.psks.size;
  }

  lookup(identity: string): Buffer | undefined {
    const e = this.psks.get(identity);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.psks.delete(identity);
      return undefined;
    }
    return e.psk;
  }

  async add(id: string, psk: Buffer, expiresAt: number): Promise<void> {
    this.psks.set(id, { psk, expiresAt });
  }

  async remove(id: string): Promise<void> {
    this.psks.delete(id);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.psks.clear();
  }
}

/** Drops the expired entries of a PSK map. */
export function sweepPsks(psks: Map<string, { psk: Buffer; expiresAt: number }>, now: number): void {
  for (const [id, e] of psks) if (e.expiresAt <= now) psks.delete(id);
}
