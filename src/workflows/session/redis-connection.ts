/**
 * Connections to Redis that fail fast and recover quietly (docs/operations.md, "Dependencies"):
 *
 * - at start-up, a Redis that cannot be reached within `connectTimeoutMs` is an UnavailableError
 *   naming it, so the server exits with one clear line instead of waiting for ever;
 * - later, a lost connection is retried with exponential backoff (capped, with jitter), while
 *   commands fail at once (no offline queue) or after `commandTimeoutMs` (a Redis that accepts
 *   connections but does not answer): requests get their protocol's internal error, not a hang;
 * - every error of the client reaches callers as an UnavailableError('session-store'), so the
 *   front-ends map one error class to the wire.
 */
import { createClient } from 'redis';
import { UnavailableError } from './errors.js';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectOptions {
  readonly url: string;
  /** What the connection is for, in messages ("session store", "OIDC store", …). */
  readonly purpose: string;
  /** How long the first connection may take before the start fails. */
  readonly connectTimeoutMs: number;
  /** The longest wait for one command. */
  readonly commandTimeoutMs: number;
  /** Connection state after the start: false on every failed attempt, true when ready again. */
  readonly onState?: (up: boolean, reason?: string) => void;
}

/** The URL without its password (a secret), for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 5000;

/** The delay before reconnect attempt `retries` (0-based): 100 ms doubling up to 5 s, plus up to 20 % jitter. */
export function backoffMs(retries: number): number {
  const d = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(retries, 16));
  return Math.round(d * (1 + Math.random() * 0.2));
}

export async function connectRedis(o: RedisConnectOptions): Promise<RedisClient> {
  const where = `the ${o.purpose} (Redis at ${redactUrl(o.url)})`;
  const t0 = Date.now();
  let started = false;
  const client = createClient({
    url: o.url,
    disableOfflineQueue: true,
    commandOptions: { timeout: o.commandTimeoutMs },
    socket: {
      connectTimeout: Math.min(o.connectTimeoutMs, 3000),
      reconnectStrategy: (retries: number, cause: Error) => {
        if (started) return backoffMs(retries);
        if (Date.now() - t0 < o.connectTimeoutMs) return 250;
        return new Error(`${cause.message} (gave up after ${Math.round(o.connectTimeoutMs / 1000)} s)`);
      },
    },
  });
  client.on('error', (e: Error) => {
    if (started) o.onState?.(false, `${where}: ${e.message}`);
  });
  client.on('ready', () => {
    if (started) o.onState?.(true);
  });
  try {
    await client.connect();
  } catch (e) {
    throw new UnavailableError('session-store', `${where} is unreachable: ${(e as Error).message}`, {
      cause: e,
    });
  }
  started = true;
  return guarded(client, where);
}

/**
 * The client with every failure of an asynchronous call turned into UnavailableError: a
 * Proxy, so that each store keeps calling the client's own typed methods. The methods run on
 * the real client (it keeps private state); a MULTI's exec() is guarded the same way.
 */
function guarded(client: RedisClient, where: string): RedisClient {
  const wrap = (e: unknown): UnavailableError =>
    e instanceof UnavailableError
      ? e
      : new UnavailableError('session-store', `${where} failed: ${(e as Error)?.message ?? e}`, { cause: e });
  const guard = <T extends object>(target: T, isMulti: boolean): T => {
    const cache = new Map<PropertyKey, unknown>();
    const proxy: T = new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t) as unknown;
        if (typeof value !== 'function') return value;
        let fn = cache.get(prop);
        if (!fn) {
          fn = (...args: unknown[]) => {
            const out = (value as (...a: unknown[]) => unknown).apply(t, args);
            if (out instanceof Promise)
              return out.catch((e: unknown) => {
                throw wrap(e);
              });
            // MULTI builders chain (return themselves); exec() is what may fail.
            if (!isMulti && (prop === 'multi' || prop === 'MULTI') && out && typeof out === 'object')
              return guard(out, true);
            return out === t ? proxy : out;
          };
          cache.set(prop, fn);
        }
        return fn;
      },
    });
    return proxy;
  };
  return guard(client, false);
}

/** Closes a connection: gracefully when it is up, at once when Redis is gone (no waiting for a reconnect). */
export async function closeRedis(client: RedisClient): Promise<void> {
  try {
    if (client.isReady) await client.close();
    else client.destroy();
  } catch {
    /* already closed */
  }
}
