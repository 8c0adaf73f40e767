/**
 * A worker of the cluster (cluster.ts): it serves like a single process on the shared listeners,
 * tells the primary when it has started, answers its readiness questions and metrics scrapes, and
 * drains on its command. A worker whose primary is gone (killed) drains too: nothing would
 * supervise it.
 */
import cluster from 'node:cluster';
import { answerClusterScrapes } from '../operations/cluster-metrics.js';
import { type FromWorker, isToWorker, WORKER_INDEX_ENV } from './cluster-messages.js';
import type { RunningServer } from './server.js';

/** This process's worker index, or undefined when it is not a cluster worker. */
export function workerIndex(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const n = Number(process.env[WORKER_INDEX_ENV]);
  return Number.isInteger(n) && n >= 0 ? n : cluster.worker?.id;
}

/** `stop(reason, now)`: the process's graceful stop (main.ts), `now` for a second request. */
export function serveAsWorker(server: RunningServer, stop: (reason: string, now: boolean) => void): void {
  answerClusterScrapes(server.metrics.registry);
  const reply = (m: FromWorker) => {
    if (process.connected) process.send?.(m);
  };
  process.on('message', (m: unknown) => {
    if (!isToWorker(m)) return;
    if (m.neid === 'ready?')
      reply({
        neid: 'ready',
        id: m.id,
        code: server.health.isReady ? 200 : 503,
        body: server.health.readiness(),
      });
    else stop('primary', m.neid === 'stop-now');
  });
  process.on('disconnect', () => stop('primary gone', false));
  reply({ neid: 'started' });
}
