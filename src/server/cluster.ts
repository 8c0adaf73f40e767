/**
 * The primary process of `server.workers` > 1 (node:cluster; docs/performance.md, docs/operations.md):
 * it forks the workers, which share every listener (the primary hands each new connection to the
 * next worker), keeps them running, serves the operations listener for all of them (/metrics
 * aggregated, /ready ready only when every worker is), and on SIGTERM drains them all.
 *
 * The first worker starts alone: it creates what a first start creates (a test PKI, the session
 * and registry keys, the registry schema and its first import), so that the others find it made.
 * A worker that cannot start prints its one line and exits 1; the primary then stops the others
 * and exits 1 too. Workers know each other only through what every instance shares (Redis,
 * PostgreSQL): the cluster is several instances on the same ports.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { ServerConfig } from '../config/server-config.js';
import type { Logger } from '../interfaces/http/log.js';
import { listen } from '../interfaces/http/tls.js';
import { ClusterMetrics } from '../operations/cluster-metrics.js';
import type { DependencyState, Readiness } from '../operations/health.js';
import { createOpsServer, type ReadyAnswer } from '../operations/listener.js';
import { type FromWorker, isFromWorker, type ToWorker, WORKER_INDEX_ENV } from './cluster-messages.js';

/** How long a worker may take to answer the primary's readiness question. */
const ASK_MS = 1000;
/** A worker that ran less than this before it died is restarted after a growing delay (a crash loop). */
const STABLE_MS = 30_000;
/** Beyond the grace period, how long the drain may take before the workers left are killed. */
const DRAIN_MARGIN_MS = 15_000;

interface Slot {
  worker: Worker;
  started: boolean;
  since: number;
}

export class Primary {
  private readonly slots: (Slot | undefined)[];
  private readonly metrics: ClusterMetrics;
  private ops?: { server: Server; url: string };
  private stopping = false;
  private crashes = 0;
  private asked = 0;
  private readonly pending = new Map<number, (r: FromWorker & { neid: 'ready' }) => void>();
  private exitCodes: (number | null)[] = [];

  constructor(
    private readonly config: ServerConfig,
    private readonly log: Logger,
  ) {
    this.slots = new Array(config.server.workers).fill(undefined);
    this.metrics = new ClusterMetrics(() => ({
      configured: this.slots.length,
      running: this.slots.filter((s) => s?.started).length,
    }));
  }

  /**
   * Opens the operations listener (a port in use fails the start before any worker runs), then
   * starts the workers, the first alone; resolves false when a worker could not start.
   */
  async start(): Promise<boolean> {
    if (this.config.metrics) {
      const server = createOpsServer({ metrics: this.metrics, ready: () => this.ready(), log: this.log });
      const { host, port } = this.config.metrics;
      const bound = await listen(server, host, port);
      this.ops = { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
    }
    const first = await this.fork(0);
    const rest = first ? await Promise.all(this.slots.slice(1).map((_, i) => this.fork(i + 1))) : [];
    if (!first || rest.includes(false)) {
      await this.drain();
      return false;
    }
    this.log.info(
      {
        workers: this.slots.map((s) => s?.worker.process.pid),
        ...(this.ops ? { metricsUrl: this.ops.url } : {}),
      },
      'N_eID-Server workers started',
    );
    return true;
  }

  /** Forks worker `index`; resolves true once it reports started, false when it exits first. */
  private fork(index: number): Promise<boolean> {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    const slot: Slot = { worker, started: false, since: Date.now() };
    this.slots[index] = slot;
    return new Promise<boolean>((resolve) => {
      worker.on('message', (m: unknown) => {
        if (!isFromWorker(m)) return;
        if (m.neid === 'started') {
          slot.started = true;
          resolve(true);
        } else this.pending.get(m.id)?.(m);
      });
      worker.on('exit', (code, signal) => {
        if (this.slots[index] === slot) this.slots[index] = undefined;
        this.exitCodes.push(code);
        if (!slot.started) return resolve(false);
        if (!this.stopping) this.restart(index, slot, code, signal);
      });
    });
  }

  /** A worker died while serving: start another in its place (after a delay that grows in a crash loop). */
  private restart(index: number, slot: Slot, code: number | null, signal: string | null): void {
    this.crashes = Date.now() - slot.since < STABLE_MS ? this.crashes + 1 : 0;
    const delayMs = Math.min(30_000, 1000 * 2 ** Math.min(this.crashes, 5));
    this.log.error(
      { worker: index, pid: slot.worker.process.pid, code, signal, restartInSeconds: delayMs / 1000 },
      'worker exited; starting another',
    );
    this.metrics.restarted();
    setTimeout(() => {
      if (this.stopping) return;
      void this.fork(index).then((ok) => {
        if (ok) this.log.info({ worker: index }, 'worker started again');
        // It did not even start: counts as a quick crash, so the delay grows.
        else if (!this.stopping) this.restart(index, { ...slot, since: Date.now() }, null, null);
      });
    }, delayMs).unref();
  }

  /** /ready: ready when every configured worker runs and is ready; each worker's states, and their conjunction. */
  private async ready(): Promise<ReadyAnswer> {
    const answers = await Promise.all(
      this.slots.map((s) => (s?.started && s.worker.isConnected() ? this.ask(s.worker) : undefined)),
    );
    const all = answers.every((a) => a?.code === 200);
    const checks: Record<string, DependencyState> = {};
    for (const a of answers)
      for (const [name, c] of Object.entries(a?.body.checks ?? {}))
        if (!checks[name] || (checks[name].ok && !c.ok)) checks[name] = c;
    const status: Readiness['status'] = this.stopping ? 'shutting down' : all ? 'ready' : 'not ready';
    return {
      code: all && !this.stopping ? 200 : 503,
      body: {
        status,
        checks,
        workers: answers.map((a, i) => ({
          worker: i,
          ...(this.slots[i] ? { pid: this.slots[i].worker.process.pid } : {}),
          status: a?.body.status ?? 'not running',
        })),
      },
    };
  }

  private ask(worker: Worker): Promise<{ code: number; body: Readiness } | undefined> {
    const id = ++this.asked;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, ASK_MS);
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve({ code: m.code, body: m.body });
      });
      send(worker, { neid: 'ready?', id });
    });
  }

  /**
   * SIGTERM: every worker drains (no new logins; running ones finish within shutdown.graceSeconds),
   * then the primary exits: 0 when every worker stopped cleanly. `now`: the second signal.
   */
  async stop(now: boolean): Promise<number> {
    if (now) {
      for (const s of this.slots) if (s) send(s.worker, { neid: 'stop-now' });
      return this.exitCode();
    }
    await this.drain();
    return this.exitCode();
  }

  private async drain(): Promise<void> {
    this.stopping = true;
    // The exit codes of this drain decide the primary's (not those of workers restarted earlier).
    this.exitCodes = [];
    const live = this.slots.filter((s): s is Slot => s !== undefined);
    const exits = live.map(
      (s) => new Promise<void>((r) => (s.worker.isDead() ? r() : s.worker.once('exit', r))),
    );
    for (const s of live) send(s.worker, { neid: 'shutdown' });
    const deadline = setTimeout(
      () => {
        this.log.error({}, 'workers did not stop in time; killing them');
        for (const s of live) if (!s.worker.isDead()) s.worker.process.kill('SIGKILL');
      },
      this.config.shutdown.graceSeconds * 1000 + DRAIN_MARGIN_MS,
    );
    await Promise.all(exits);
    clearTimeout(deadline);
    if (this.ops) {
      const { server } = this.ops;
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    }
  }

  private exitCode(): number {
    return this.exitCodes.every((c) => c === 0) ? 0 : 1;
  }
}

function send(worker: Worker, m: ToWorker): void {
  if (worker.isConnected()) worker.send(m);
}
