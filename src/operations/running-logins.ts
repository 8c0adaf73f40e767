/**
 * The authentications this instance started and that have not ended here yet, for the graceful
 * shutdown (docs/operations.md, "Stopping"): on SIGTERM the server takes no new logins and waits,
 * up to `shutdown.graceSeconds`, until each of them is done — handed over to its eService, or
 * (Redis store) at least finished, since its result then stays in Redis for any instance to hand
 * over. Sessions are forgotten when they end or expire, so the set stays small.
 */

export class RunningLogins {
  private readonly running = new Map<string, number>();
  private lastPrune = 0;

  constructor(private readonly now: () => number = Date.now) {}

  add(id: string, expiresAt: number): void {
    this.running.set(id, expiresAt);
    const t = this.now();
    if (t - this.lastPrune > 10_000) {
      this.lastPrune = t;
      for (const [k, exp] of this.running) if (exp <= t) this.running.delete(k);
    }
  }

  remove(id: string): void {
    this.running.delete(id);
  }

  get size(): number {
    return this.running.size;
  }

  /**
   * Waits until every running login is `done` (asked every `pollMs`) or `deadline` passes;
   * returns how many were still running.
   */
  async settle(o: {
    readonly deadline: number;
    readonly done: (id: string) => Promise<boolean>;
    readonly pollMs?: number;
  }): Promise<number> {
    for (;;) {
      const t = this.now();
      for (const [id, exp] of this.running) {
        if (exp <= t || (await o.done(id).catch(() => false))) this.running.delete(id);
      }
      if (this.running.size === 0 || this.now() >= o.deadline) return this.running.size;
      await new Promise((r) =>
        setTimeout(r, Math.min(o.pollMs ?? 250, Math.max(1, o.deadline - this.now()))),
      );
    }
  }
}
