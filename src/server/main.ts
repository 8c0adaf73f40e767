#!/usr/bin/env node
/**
 * `npm start`: the N_eID-Server with config/server.yaml (or embedded defaults).
 *
 * A start that fails (a dependency unreachable, a refused PKI, a bad setting) prints one line
 * naming the cause and exits 1. SIGTERM (or SIGINT) stops gracefully: no new logins, running
 * authentications may finish for `shutdown.graceSeconds`, then exit 0; a second signal stops
 * at once (docs/operations.md, "Stopping").
 */
import { loadServerConfig } from '../config/server-config.js';
import { startServer } from './server.js';

async function run(): Promise<void> {
  const config = loadServerConfig();
  // The front-ends load when they mount, after the dependencies (registry database, session store)
  // answered: a failed start says one thing.
  const server = await startServer(config, {
    mount: async (s) => (await import('./front-ends.js')).mountFrontEnds(s),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      server.log.warn({ signal }, 'second signal: stopping now');
      void server.close().finally(() => process.exit(0));
      return;
    }
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
}

run().catch((e) => {
  process.stderr.write(`N_eID-Server failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
