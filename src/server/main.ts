#!/usr/bin/env node
/**
 * `npm start`: the N_eID-Server with config/server.yaml (or embedded defaults).
 *
 * A start that fails (a dependency unreachable, a refused PKI, a bad setting) prints one line
 * naming the cause and exits 1. SIGTERM (or SIGINT) stops gracefully: no new logins, running
 * authentications may finish for `shutdown.graceSeconds`, then exit 0; a second signal stops
 * at once (docs/operations.md, "Stopping").
 *
 * With `server.workers` > 1 this process is the cluster's primary (cluster.ts): it forks the
 * workers, which run the server on shared listeners (cluster-worker.ts), and drains them on SIGTERM.
 */
import cluster from 'node:cluster';
import { loadServerConfig } from '../config/server-config.js';
import { createLogger } from '../interfaces/http/log.js';
import { Primary } from './cluster.js';
import { serveAsWorker, workerIndex } from './cluster-worker.js';
import { startServer } from './server.js';

async function runPrimary(config: ReturnType<typeof loadServerConfig>): Promise<void> {
  const log = createLogger(config.log.level).child({ worker: 'primary' });
  const primary = new Primary(config, log);
  let signals = 0;
  const stop = (signal: string) => {
    signals++;
    log.info(
      { signal },
      signals > 1 ? 'second signal: stopping the workers now' : 'shutting down the workers',
    );
    void primary.stop(signals > 1).then((code) => process.exit(code));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // The worker that failed printed its line.
  if (!(await primary.start())) process.exit(1);
}

async function run(): Promise<void> {
  const config = loadServerConfig();
  if (config.server.workers > 1 && cluster.isPrimary) return runPrimary(config);
  const worker = workerIndex();
  const logger =
    worker === undefined ? createLogger(config.log.level) : createLogger(config.log.level).child({ worker });
  // The front-ends load when they mount, after the dependencies (registry database, session store)
  // answered: a failed start says one thing. A worker leaves the operations listener to the primary.
  const server = await startServer(worker === undefined ? config : { ...config, metrics: null }, {
    logger,
    mount: async (s) => (await import('./front-ends.js')).mountFrontEnds(s),
  });
  let stopping = false;
  const stop = (signal: string, now = stopping) => {
    if (now) {
      server.log.warn({ signal }, 'second signal: stopping now');
      void server.close().finally(() => process.exit(0));
      return;
    }
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down');
    server
      .shutdown()
      .then(() => process.exit(0))
      .catch((e: Error) => {
        server.log.error({ err: e.message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (worker !== undefined) serveAsWorker(server, stop);
}

run().catch((e) => {
  process.stderr.write(`N_eID-Server failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
