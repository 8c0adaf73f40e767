/**
 * `server.workers` (docs/configuration.md, docs/performance.md): how many worker processes serve
 * the listeners (node:cluster; the primary process supervises them and serves the operations
 * listener). Workers share nothing in memory, so more than one needs what every instance shares:
 * the Redis session store (sessions, PSKs, one-time claims) and a PostgreSQL registry (the
 * embedded PGlite serves one process).
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from './errors.js';
import type { Reader } from './validate.js';

export const MAX_WORKERS = 256;

export interface WorkersSetting {
  /** Worker processes; 1 runs the server in the one process `npm start` started (no cluster). */
  readonly workers: number;
}

/**
 * `auto` (the default) or an integer 1..256; `NEID_WORKERS` overrides the file. `auto` is the
 * number of cores when sessions and registry are shared, else 1.
 */
export function readWorkers(
  r: Reader,
  sessions: Reader,
  registryUrl: string | null,
  env: NodeJS.ProcessEnv,
  cores: () => number = availableParallelism,
): WorkersSetting {
  r.only(['workers']);
  const shared = { store: sessionStore(sessions, env), registryUrl };
  const where = env.NEID_WORKERS !== undefined ? 'NEID_WORKERS' : `${r.source}: server.workers`;
  const at = r.at('workers');
  let raw: unknown = env.NEID_WORKERS ?? (at.present ? at.value : 'auto');
  if (typeof raw === 'string' && /^\d+$/.test(raw)) raw = Number(raw);
  if (raw === 'auto') {
    const canShare = shared.store === 'redis' && shared.registryUrl !== null;
    return { workers: canShare ? Math.min(MAX_WORKERS, Math.max(1, cores())) : 1 };
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_WORKERS)
    throw new ConfigError(`${where} must be auto or an integer in 1..${MAX_WORKERS}`);
  if (raw > 1 && shared.store !== 'redis')
    throw new ConfigError(
      `${where}: ${raw} needs sessions.store: redis (workers share no memory: with the in-memory store a login begun on one worker is unknown to the others)`,
    );
  if (raw > 1 && shared.registryUrl === null)
    throw new ConfigError(
      `${where}: ${raw} needs registry.databaseUrl (PostgreSQL): the embedded PGlite registry serves one process`,
    );
  return { workers: raw };
}

/** The session store as the server will use it: NEID_REDIS_URL and NEID_SESSION_STORE override the file. */
function sessionStore(sessions: Reader, env: NodeJS.ProcessEnv): 'memory' | 'redis' {
  if (env.NEID_SESSION_STORE === 'redis' || env.NEID_SESSION_STORE === 'memory')
    return env.NEID_SESSION_STORE;
  if (env.NEID_REDIS_URL) return 'redis';
  return sessions.at('store').oneOf(['memory', 'redis'], 'memory');
}
