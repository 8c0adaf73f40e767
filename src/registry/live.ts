/**
 * The registry the running server serves, fed by the database and swapped
 * live: every change commits a NOTIFY on neid_changes, on which every
 * instance (every process) reloads; a poll of the registry version every
 * `pollSeconds` catches a notification lost while the LISTEN connection was
 * down. Consumers keep today's interface (`get(id)`, `eServices`), plus the
 * active terminal material (`terminals`) and `onChange` for what they derive
 * (SAML SP table, SOAP trust anchors, revocation blacklists).
 *
 * When the database is unreachable the last loaded registry stays in force:
 * logins continue; `status()` reports it for /ready, and admin writes fail
 * with 503 where they are attempted.
 */
import type { EService, Registry } from '../config/relying-parties.js';
import type { TerminalMaterial } from '../provisioning/store.js';
import type { RegistryContext } from './context.js';
import { isUnavailable } from './db/database.js';
import { loadSnapshot, type MaterialCache, type Snapshot } from './snapshot.js';

export interface LiveLog {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface RegistryStatus {
  /** False while the database is unreachable (the last loaded registry is served). */
  readonly healthy: boolean;
  readonly database: string;
  readonly version: number;
  readonly loadedAt: string;
  readonly eServices: number;
  readonly error?: string;
}

/** A ReadonlyMap view that always reads the current snapshot (PkiMaterial.terminals). */
class LiveTerminals implements ReadonlyMap<string, TerminalMaterial> {
  constructor(private readonly current: () => ReadonlyMap<string, TerminalMaterial>) {}
  get size() {
    return this.current().size;
  }
  get(k: string) {
    return this.current().get(k);
  }
  has(k: string) {
    return this.current().has(k);
  }
  forEach(fn: (v: TerminalMaterial, k: string, m: ReadonlyMap<string, TerminalMaterial>) => void) {
    this.current().forEach((v, k) => {
      fn(v, k, this);
    });
  }
  entries() {
    return this.current().entries();
  }
  keys() {
    return this.current().keys();
  }
  values() {
    return this.current().values();
  }
  [Symbol.iterator]() {
    return this.current()[Symbol.iterator]();
  }
}

export class LiveRegistry implements Registry {
  private snap: Snapshot;
  private byId: Map<string, EService>;
  private readonly cache: MaterialCache = new Map();
  private readonly listeners: ((s: Snapshot) => void)[] = [];
  private unlisten?: () => Promise<void>;
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private again = false;
  private error?: string;
  readonly terminals: ReadonlyMap<string, TerminalMaterial> = new LiveTerminals(() => this.snap.terminals);

  private constructor(
    private readonly ctx: RegistryContext,
    private readonly log: LiveLog,
    first: Snapshot,
  ) {
    this.snap = first;
    this.byId = new Map(first.eServices.map((e) => [e.id, e]));
  }

  static async load(ctx: RegistryContext, log: LiveLog): Promise<LiveRegistry> {
    const r = new LiveRegistry(ctx, log, {
      version: -1,
      loadedAt: new Date(),
      eServices: [],
      terminals: new Map(),
      problems: [],
    });
    r.apply(await loadSnapshot(ctx, r.cache));
    return r;
  }

  get file(): string {
    return `registry ${this.ctx.db.description}`;
  }

  get eServices(): readonly EService[] {
    return this.snap.eServices;
  }

  get(id: string): EService | undefined {
    return this.byId.get(id);
  }

  get version(): number {
    return this.snap.version;
  }

  get snapshot(): Snapshot {
    return this.snap;
  }

  /** Called after every swap with the new snapshot (and once now, for derived tables). */
  onChange(fn: (s: Snapshot) => void): void {
    this.listeners.push(fn);
  }

  /** Subscribes to neid_changes and starts the version poll. */
  async start(pollSeconds: number): Promise<void> {
    this.unlisten = await this.ctx.db.listen('neid_changes', () => void this.reload());
    this.timer = setInterval(() => void this.poll(), pollSeconds * 1000);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      const [s] = await this.ctx.db.query<{ version: string | number }>(
        'SELECT version FROM neid.registry_state',
      );
      if (this.error)
        this.log.info({ database: this.ctx.db.description }, 'registry database reachable again');
      this.error = undefined;
      if (Number(s!.version) !== this.snap.version) await this.reload();
    } catch (e) {
      this.failed(e);
    }
  }

  private failed(e: unknown): void {
    const message = (e as Error).message;
    if (!this.error)
      this.log.error(
        { database: this.ctx.db.description, err: message, version: this.snap.version },
        isUnavailable(e)
          ? 'registry database unreachable; serving the last loaded registry'
          : 'registry reload failed; serving the last loaded registry',
      );
    this.error = message;
  }

  /** Loads the current registry and swaps it in; concurrent calls coalesce. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        try {
          const next = await loadSnapshot(this.ctx, this.cache);
          if (next.version !== this.snap.version) this.apply(next);
          this.error = undefined;
        } catch (e) {
          this.failed(e);
        }
      } while (this.again);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private apply(next: Snapshot): void {
    const first = this.snap.version < 0;
    this.snap = next;
    this.byId = new Map(next.eServices.map((e) => [e.id, e]));
    // Drop cached material of terminals no longer active (their keys leave memory).
    const live = new Set([...next.terminals.values()].map((t) => t.cert.chr));
    for (const chr of this.cache.keys()) if (!live.has(chr)) this.cache.delete(chr);
    for (const p of next.problems)
      this.log.warn({ eService: p.eServiceId, reason: p.message }, 'eService not served');
    if (!first)
      this.log.info({ version: next.version, eServices: next.eServices.length }, 'registry reloaded');
    for (const fn of this.listeners) {
      try {
        fn(next);
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'a registry change listener failed');
      }
    }
  }

  /** A cheap health check for /ready and metrics: no query, the state of the last attempts. */
  status(): RegistryStatus {
    return {
      healthy: this.error === undefined,
      database: this.ctx.db.description,
      version: this.snap.version,
      loadedAt: this.snap.loadedAt.toISOString(),
      eServices: this.snap.eServices.length,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => {});
    await this.reloading;
  }
}
