/**
 * A final outcome is handed out exactly once, also to concurrent consumers
 * (two instances, a retried request), for the memory and the Redis store; and
 * a Redis PSK mirror that missed messages while its subscription was down
 * catches up when it reconnects.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryPskDirectory, MemorySessionStore } from '../../../src/workflows/session/memory-store.js';
import { RedisPskDirectory, RedisSessionStore } from '../../../src/workflows/session/redis-store.js';
import { seal } from '../../../src/workflows/session/sealed.js';
import { SessionService } from '../../../src/workflows/session/service.js';
import type { PskDirectory, SessionStore } from '../../../src/workflows/session/store.js';
import type { AuthSession } from '../../../src/workflows/session/types.js';
import { haveRedisServer, startRedis } from '../../support/redis.js';

const completed = (): AuthSession => ({
  version: 3,
  id: randomBytes(32).toString('hex'),
  tcTokenId: randomBytes(16).toString('hex'),
  request: { eServiceId: 'x', frontEnd: 'soap', required: ['chineseName'], optional: [], channel: 'psk' },
  state: 'completed',
  createdAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  result: {
    fields: { chineseName: '王小明' },
    operations: { chineseName: 'ALLOWED' },
    documentValidity: 'valid',
    completedAt: Date.now(),
  },
});

const service = (store: SessionStore, psks: PskDirectory) =>
  new SessionService({
    store,
    psks,
    eService: () => undefined,
    eidUrl: 'https://127.0.0.1:1',
    ttlMs: 60_000,
    resultTtlMs: 60_000,
  });

async function onceEach(a: SessionService, b: SessionService, store: SessionStore) {
  const s = completed();
  expect(await store.insert(s, { maxOpen: 100, maxUnclaimed: 100 })).toBe('ok');
  const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).consume(s.id)));
  expect(outcomes.filter((o) => o?.kind === 'result')).toHaveLength(1);
  expect(outcomes.filter((o) => o === undefined)).toHaveLength(7);
}

describe('consume: exactly once', () => {
  it('memory store', async () => {
    const store = new MemorySessionStore();
    const psks = new MemoryPskDirectory();
    await onceEach(service(store, psks), service(store, psks), store);
    await store.close();
  });
});

describe.runIf(haveRedisServer())('Redis: two instances', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const key = randomBytes(32);
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.stop());

  it('consume: exactly once across instances', async () => {
    const stores = [
      await RedisSessionStore.connect({ url: redis.url, key }),
      await RedisSessionStore.connect({ url: redis.url, key }),
    ];
    const psks = [
      await RedisPskDirectory.connect({ url: redis.url, key }),
      await RedisPskDirectory.connect({ url: redis.url, key }),
    ];
    await onceEach(service(stores[0]!, psks[0]!), service(stores[1]!, psks[1]!), stores[0]!);
    for (const c of [...stores, ...psks]) await c.close();
  });

  it('a PSK mirror catches up after its subscription was cut', async () => {
    const mirror = await RedisPskDirectory.connect({ url: redis.url, key });
    const admin = createClient({ url: redis.url });
    await admin.connect();
    // A PSK written while this instance missed the announcement (no publish reaches it).
    const id = randomBytes(32).toString('hex');
    const psk = randomBytes(32);
    const expiresAt = Date.now() + 60_000;
    await admin.hSet('neid:psk', id, seal(key, id, `${expiresAt}:${psk.toString('hex')}`));
    expect(mirror.lookup(id)).toBeUndefined();
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await expect.poll(() => mirror.lookup(id)?.toString('hex'), { timeout: 5_000 }).toBe(psk.toString('hex'));
    await admin.quit();
    await mirror.close();
  });
});
