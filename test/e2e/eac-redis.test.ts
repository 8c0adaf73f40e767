/**
 * Issue 4: sessions in Redis (a private redis-server started by the test on a
 * loopback port; set NEID_TEST_REDIS_URL to use another) — the same flow, and a session
 * created on one server instance and completed through a second instance
 * that shares the Redis, the PKI and the session key.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { writeTestCard } from '../support/card.js';
import { haveRedisServer, startRedis } from '../support/redis.js';
import { freePort, startTestServer, type TestServer } from '../support/server.js';

const available = haveRedisServer() || !!process.env.NEID_TEST_REDIS_URL;

describe.runIf(available)('EAC sessions in Redis', () => {
  let a: TestServer;
  let b: TestServer;
  let redis: { url: string; stop(): Promise<void> } | undefined;
  let redisUrl: string;
  beforeAll(async () => {
    if (process.env.NEID_TEST_REDIS_URL) redisUrl = process.env.NEID_TEST_REDIS_URL;
    else {
      redis = await startRedis();
      redisUrl = redis.url;
    }
    // Instance B serves PAOS; instance A takes front-end requests and sends eID-Clients to B's TLS-PSK listener.
    const shared = mkdtempSync(join(tmpdir(), 'neid-redis-'));
    const pkiDir = join(shared, 'pki');
    const keyFile = join(shared, 'session.key');
    const webA = await freePort();
    const pskB = await freePort();
    b = await startTestServer({
      store: 'redis',
      pkiDir,
      webPort: webA,
      pskPort: pskB,
      extra: {
        web: { port: await freePort(), publicUrl: `https://127.0.0.1:${webA}` },
        sessions: { store: 'redis', keyFile, redisUrl },
      },
    });
    a = await startTestServer({
      store: 'redis',
      pkiDir,
      webPort: webA,
      extra: {
        psk: { port: await freePort(), publicUrl: `https://127.0.0.1:${pskB}` },
        sessions: { store: 'redis', keyFile, redisUrl },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('completes a session created on instance A through instance B, and A hands out the result once', async () => {
    const { file, json } = writeTestCard(a.pkiDir);
    const created = await a.server.sessions.create({
      eServiceId: 'demo-portal',
      frontEnd: 'saml',
      required: ['chineseName', 'photo'],
      optional: [],
      channel: 'psk',
      refreshAddress: `${a.web}/done`,
    });
    expect(created.serverAddress).toBe(`${b.psk}/eid/paos`);
    const vc = VirtualCard.fromFile(file);
    vc.reset();
    const outcome = await runOnlineAuthentication(
      created.tcTokenUrl,
      new EacClient({ card: vc, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) }),
    );
    expect(outcome.error?.message).toBeUndefined();
    const result = await a.server.sessions.consume(created.sessionId);
    expect(result?.kind).toBe('result');
    if (result?.kind === 'result') expect(result.result.fields.chineseName).toBe(json.fields.chineseName);
    expect(await a.server.sessions.consume(created.sessionId)).toBeUndefined();
    expect(await b.server.sessions.get(created.sessionId)).toBeUndefined();
  });

  it('keeps sessions sealed in Redis: no personal data or keys in clear', async () => {
    const created = await a.server.sessions.create({
      eServiceId: 'demo-portal',
      frontEnd: 'saml',
      required: ['chineseName'],
      optional: [],
      channel: 'psk',
      refreshAddress: `${a.web}/done`,
    });
    const c = createClient({ url: redisUrl });
    await c.connect();
    const raw = await c.get(`neid:s:${created.sessionId}`);
    await c.quit();
    expect(raw).toBeTruthy();
    expect(raw).not.toContain('demo-portal');
    expect(raw).not.toContain(created.psk!.toString('hex'));
    await a.server.sessions.discard(created.sessionId);
  });

  it('enforces the per-eService cap across instances (on sessions an eID-Client picked up)', async () => {
    const es = a.server.registry.get('passport-office')!;
    const ids: string[] = [];
    try {
      for (let i = 0; i < es.maxOpenSessions + 1; i++) {
        const srv = i % 2 ? a : b;
        ids.push(
          (
            await srv.server.sessions.create({
              eServiceId: es.id,
              frontEnd: 'soap',
              required: ['photo'],
              optional: [],
              channel: 'psk',
              refreshAddress: `${a.web}/x`,
            })
          ).sessionId,
        );
      }
      // Unclaimed sessions do not count; picked up, they do: one more than the cap is refused.
      const admitted = [];
      for (const [i, id] of ids.entries())
        admitted.push((await (i % 2 ? b : a).server.sessions.admit(id)).outcome);
      expect(admitted.filter((o) => o === 'admitted')).toHaveLength(es.maxOpenSessions);
      expect(admitted.at(-1)).toBe('full');
      await expect(
        b.server.sessions.create({
          eServiceId: es.id,
          frontEnd: 'soap',
          required: ['photo'],
          optional: [],
          channel: 'psk',
        }),
      ).rejects.toMatchObject({ code: 'too-many-sessions' });
    } finally {
      for (const id of ids) await a.server.sessions.discard(id);
    }
  });
});
