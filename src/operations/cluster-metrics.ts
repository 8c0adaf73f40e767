/**
 * Metrics of several worker processes (config `server.workers`): each worker keeps its own
 * registry (metrics.ts) and answers the primary's scrape over the cluster's IPC channel; the
 * primary serves their aggregate — counters and histograms summed, gauges combined as each one
 * states (`aggregator`) — on the operations listener, plus its own gauges of the workers.
 */
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';

/** In a worker: answer the primary's scrapes with this registry (prom-client's cluster protocol). */
export function answerClusterScrapes(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs the worker's message listener; the instance itself is not needed.
  new AggregatorRegistry();
}

export interface WorkerCounts {
  readonly configured: number;
  /** Workers started and not exited. */
  readonly running: number;
}

export class ClusterMetrics {
  private readonly aggregator = new AggregatorRegistry();
  private readonly own = new Registry();
  private readonly restarts: Counter;

  constructor(counts: () => WorkerCounts) {
    new Gauge({
      name: 'neid_workers',
      help: 'Worker processes of this server (server.workers): configured, and running now',
      labelNames: ['state'],
      registers: [this.own],
      collect() {
        const c = counts();
        this.set({ state: 'configured' }, c.configured);
        this.set({ state: 'running' }, c.running);
      },
    });
    this.restarts = new Counter({
      name: 'neid_worker_restarts_total',
      help: 'Workers that exited unexpectedly and were started again',
      registers: [this.own],
    });
  }

  restarted(): void {
    this.restarts.inc();
  }

  get contentType(): string {
    return this.own.contentType;
  }

  async text(): Promise<string> {
    const [workers, own] = await Promise.all([this.aggregator.clusterMetrics(), this.own.metrics()]);
    return `${workers.endsWith('\n') || !workers ? workers : `${workers}\n`}${own}`;
  }
}
