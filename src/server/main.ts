#!/usr/bin/env node
/** `npm start`: the N_eID-Server with config/server.yaml (or embedded defaults). */
import { loadServerConfig } from '../config/server-config.js';
import { startServer } from './server.js';

async function run(): Promise<void> {
  const config = loadServerConfig();
  // The front-ends load after the registry is up: a start that fails on the database says only that.
  const server = await startServer(config, {
    mount: async (s) => (await import('./front-ends.js')).mountFrontEnds(s),
  });
  const stop = async () => {
    server.log.info('shutting down');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

run().catch((e) => {
  process.stderr.write(`N_eID-Server failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
