/**
 * Request counters kept in the session store beside the session
 * (TR-03130-1 §3.2.2.1 getResult RequestCounter), for the memory and the
 * Redis store: any first value, then +1 ('strict') or any larger value
 * ('increasing'); atomic; gone with the session. And one-time claims
 * (SAML request IDs against replay), shared by all instances of a store.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../../src/workflows/session/memory-store.js';
import { RedisSessionStore } from '../../../src/workflows/session/redis-store.js';
import type { SessionStore } from '../../../src/workflows/session/store.js';
import type { AuthSession } from '../../../src/workflows/session/types.js';
import { haveRedisServer, startRedis } from '../../support/redis.js';

const session = (id: string): AuthSession => ({
  version: 1,
  id,
  tcTokenId: randomBytes(8).toString('hex'),
  request: { eServiceId: 'x', frontEnd: 'soap', required: ['photo'], optional: [], channel: 'psk' },
  state: 'created',
  createdAt: Date.now(),
  expiresAt: Date.now() + 60_000,
});

function suite(
  name: string,
  make: () => Promise<SessionStore>,
  cleanup: () => Promise<void> = async () => {},
) {
  describe(name, () => {
    let store: SessionStore;
    beforeAll(async () => {
      store = await make();
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });
    const exp = () => Date.now() + 60_000;

    it('strict: any first value, then exactly +1; repetitions, gaps and replays are refused', async () => {
      const s = randomBytes(8).toString('hex');
      expect(await store.acceptCounter(s, -5, 'strict', exp())).toBe(true);
      expect(await store.acceptCounter(s, -4, 'strict', exp())).toBe(true);
      expect(await store.acceptCounter(s, -4, 'strict', exp())).toBe(false);
      expect(await store.acceptCounter(s, -2, 'strict', exp())).toBe(false);
      expect(await store.acceptCounter(s, -5, 'strict', exp())).toBe(false);
    });

    it('increasing: any larger value', async () => {
      const s = randomBytes(8).toString('hex');
      expect(await store.acceptCounter(s, 1, 'increasing', exp())).toBe(true);
      expect(await store.acceptCounter(s, 10, 'increasing', exp())).toBe(true);
      expect(await store.acceptCounter(s, 10, 'increasing', exp())).toBe(false);
      expect(await store.acceptCounter(s, 3, 'increasing', exp())).toBe(false);
    });

    it('is atomic under concurrent calls and ends with the session', async () => {
      const id = randomBytes(32).toString('hex');
      expect(await store.insert(session(id), { maxOpen: 10, maxUnclaimed: 10 })).toBe('ok');
      expect(await store.acceptCounter(id, 1, 'strict', exp())).toBe(true);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.acceptCounter(id, 2, 'strict', exp())),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      await store.delete(id);
      expect(await store.acceptCounter(id, 100, 'strict', exp())).toBe(true);
    });

    it('claim: a key is used once until it expires; concurrent claims have one winner', async () => {
      const key = `saml-request\nhttps://sp.example\n_${randomBytes(8).toString('hex')}`;
      const results = await Promise.all(Array.from({ length: 10 }, () => store.claim(key, exp())));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.claim(`${key}x`, exp())).toBe(true);
      const short = `short-${randomBytes(8).toString('hex')}`;
      expect(await store.claim(short, Date.now() + 50)).toBe(true);
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.claim(short, exp())).toBe(true);
    });
  });
}

suite('request counters in memory', async () => new MemorySessionStore());

let redis: { url: string; stop(): Promise<void> } | undefined;
if (haveRedisServer()) {
  suite(
    'request counters in Redis',
    async () => {
      redis = await startRedis();
      return RedisSessionStore.connect({ url: redis.url, key: randomBytes(32) });
    },
    async () => redis?.stop(),
  );
}
