/** In-process session store and PSK directory (the default; one server instance). */
import type { PskDirectory, SessionStore } from './store.js';
import type { AuthSession } from './types.js';

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, AuthSession>();
  private readonly byToken = new Map<string, string>();
  private readonly byRef = new Map<string, string>();
  private readonly counters = new Map<string, { counter: number; expiresAt: number }>();
  private readonly claims = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    sweepMs = 5_000,
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

  async insert(s: AuthSession, maxOpen: number): Promise<boolean> {
    if ((await this.countOpen(s.request.eServiceId)) >= maxOpen) return false;
    if (this.sessions.has(s.id)) throw new Error('session id collision');
    this.sessions.set(s.id, s);
    this.byToken.set(s.tcTokenId, s.id);
    if (s.returnRef) this.byRef.set(s.returnRef, s.id);
    return true;
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
    return true;
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
    for (const s of this.sessions.values()) if (s.request.eServiceId === eServiceId && s.expiresAt > t) n++;
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
    this.byToken.clear();
    this.byRef.clear();
  }
}

export class MemoryPskDirectory implements PskDirectory {
  private readonly psks = new Map<string, { psk: Buffer; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

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
    this.psks.clear();
  }
}
