/**
 * The session store and the PSK directory: in memory, or in Redis (shared by instances), whose
 * connections fail fast at start and report their state to the health checks afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServerConfig } from '../config/server-config.js';
import type { Health } from '../operations/health.js';
import { MemoryPskDirectory, MemorySessionStore } from '../workflows/session/memory-store.js';
import { RedisPskDirectory, RedisSessionStore } from '../workflows/session/redis-store.js';
import type { PskDirectory, SessionStore } from '../workflows/session/store.js';

function sessionKey(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes in hex`);
  return key;
}

export async function openStores(
  config: ServerConfig,
  health: Health,
): Promise<{ store: SessionStore; psks: PskDirectory }> {
  if (config.sessions.store === 'memory')
    return { store: new MemorySessionStore(), psks: new MemoryPskDirectory() };
  const redis = {
    url: config.sessions.redisUrl,
    key: sessionKey(config.sessions.keyFile),
    connectTimeoutMs: config.sessions.connectTimeoutSeconds * 1000,
    commandTimeoutMs: config.sessions.commandTimeoutMs,
  };
  const store = await RedisSessionStore.connect({
    ...redis,
    onState: (up, reason) => health.report('session-store', up, reason),
  });
  const psks = await RedisPskDirectory.connect(redis).catch(async (e) => {
    await store.close();
    throw e;
  });
  return { store, psks };
}
