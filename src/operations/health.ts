/**
 * Liveness and readiness (docs/operations.md, "Health and readiness"). Each dependency registers
 * a name and a cheap check; the checks run in the background (every `intervalMs`, each bounded
 * by `timeoutMs`) and a dependency may also report its state the moment it changes (a Redis
 * connection lost or back). `/ready` only reads the cached states, so it costs nothing however
 * often a load balancer asks. A change of state is logged once, not on every check.
 *
 * The server registers the session store, the PKI and the card revocation list; more
 * dependencies (the registry's database) register the same way.
 */

export interface HealthLog {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
}

/** Resolves when the dependency is usable; throws (or rejects) with the reason when not. */
export type Check = () => void | Promise<void>;

export interface DependencyState {
  readonly ok: boolean;
  readonly reason?: string;
  /** Since when it is in this state (ISO 8601). */
  readonly since: string;
}

export interface Readiness {
  readonly status: 'ready' | 'not ready' | 'shutting down';
  readonly checks: Readonly<Record<string, DependencyState>>;
}

export interface HealthOptions {
  readonly log: HealthLog;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

export class Health {
  private readonly checks = new Map<string, Check>();
  private readonly states = new Map<string, DependencyState>();
  private timer?: NodeJS.Timeout;
  private shuttingDown = false;

  constructor(private readonly o: HealthOptions) {}

  /** Adds a dependency and checks it once now (start-up has just proven it, so this is quick). */
  async register(name: string, check: Check): Promise<void> {
    this.checks.set(name, check);
    await this.run(name, check);
  }

  /** A dependency reports its own state (e.g. a connection event), between the periodic checks. */
  report(name: string, ok: boolean, reason?: string): void {
    const prev = this.states.get(name);
    if (prev && prev.ok === ok && (ok || prev.reason === reason)) return;
    this.states.set(name, {
      ok,
      ...(reason && !ok ? { reason } : {}),
      since: prev?.ok === ok ? prev.since : new Date().toISOString(),
    });
    if (prev?.ok === ok) return;
    if (ok && prev) this.o.log.info({ dependency: name }, 'dependency available again');
    else if (!ok) this.o.log.warn({ dependency: name, reason }, 'dependency unavailable');
  }

  /** Runs the checks every `intervalMs` until stop(). */
  start(): void {
    this.timer = setInterval(() => {
      for (const [name, check] of this.checks) void this.run(name, check);
    }, this.o.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** From now on /ready answers "shutting down" (503): load balancers stop sending new logins. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get isReady(): boolean {
    return !this.shuttingDown && [...this.states.values()].every((s) => s.ok);
  }

  readiness(): Readiness {
    return {
      status: this.shuttingDown ? 'shutting down' : this.isReady ? 'ready' : 'not ready',
      checks: Object.fromEntries(this.states),
    };
  }

  /** Dependency → up, for the metrics. */
  up(): ReadonlyMap<string, boolean> {
    return new Map([...this.states].map(([n, s]) => [n, s.ok]));
  }

  private async run(name: string, check: Check): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(check),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.o.timeoutMs ?? 2000} ms`)),
            this.o.timeoutMs ?? 2000,
          );
        }),
      ]);
      this.report(name, true);
    } catch (e) {
      this.report(name, false, (e as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}
