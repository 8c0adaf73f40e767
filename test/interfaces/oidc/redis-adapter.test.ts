/** The oidc-provider adapter on Redis, against a private redis-server. */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginClaims } from '../../../src/interfaces/oidc/login-claims.js';
import { RedisAdapter } from '../../../src/interfaces/oidc/redis-adapter.js';
import { haveRedisServer, startRedis } from '../../support/redis.js';

const available = haveRedisServer() || !!process.env.NEID_TEST_REDIS_URL;

describe.runIf(available)('RedisAdapter', () => {
  let redis: { url: string; stop(): Promise<void> } | undefined;
  let c: ReturnType<typeof createClient>;
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  beforeAll(async () => {
    let url = process.env.NEID_TEST_REDIS_URL;
    if (!url) {
      redis = await startRedis();
      url = redis.url;
    }
    c = createClient({ url });
    await c.connect();
  });
  afterAll(async () => {
    await c?.quit();
    await redis?.stop();
  });

  it('upserts, finds with expiry, consumes and destroys', async () => {
    const a = new RedisAdapter(c, 'AuthorizationCode', prefix);
    await a.upsert('code1', { jti: 'code1', grantId: 'g1', kind: 'AuthorizationCode' }, 60);
    expect(await a.find('code1')).toEqual({ jti: 'code1', grantId: 'g1', kind: 'AuthorizationCode' });
    expect(await c.ttl(`${prefix}AuthorizationCode:code1`)).toBeGreaterThan(0);
    await a.consume('code1');
    expect((await a.find('code1'))?.consumed).toEqual(expect.any(Number));
    expect(await c.ttl(`${prefix}AuthorizationCode:code1:consumed`)).toBeGreaterThan(0);
    await a.destroy('code1');
    expect(await a.find('code1')).toBeUndefined();
    expect(await a.find('never')).toBeUndefined();
  });

  it('revokes every token of a grant', async () => {
    const codes = new RedisAdapter(c, 'AuthorizationCode', prefix);
    const ats = new RedisAdapter(c, 'AccessToken', prefix);
    await codes.upsert('c2', { grantId: 'g2' }, 60);
    await ats.upsert('at2', { grantId: 'g2' }, 600);
    await ats.upsert('at3', { grantId: 'g3' }, 600);
    await ats.consume('at2');
    await ats.revokeByGrantId('g2');
    expect(await codes.find('c2')).toBeUndefined();
    expect(await ats.find('at2')).toBeUndefined();
    expect(await ats.find('at3')).toBeDefined();
    expect(await c.exists(`${prefix}AccessToken:at2:consumed`)).toBe(0);
    expect(await c.ttl(`${prefix}grant:g3`)).toBeGreaterThan(60);
  });

  it('finds sessions by uid and device codes by user code', async () => {
    const sessions = new RedisAdapter(c, 'Session', prefix);
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 60);
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a' });
    const dc = new RedisAdapter(c, 'DeviceCode', prefix);
    await dc.upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
    expect(await dc.findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
  });

  it('keeps login claims sealed in Redis', async () => {
    const store = LoginClaims.inRedis(c, randomBytes(32), `${prefix}claims:`);
    await store.put(
      'g9',
      { accountId: 'x', clientId: 'c', eServiceId: 'e', claims: { name: 'SECRET-NAME' }, authTime: 1 },
      60,
    );
    const raw = await c.get(`${prefix}claims:g9`);
    expect(raw).toBeTruthy();
    expect(raw).not.toContain('SECRET-NAME');
    expect((await store.get('g9'))?.claims).toEqual({ name: 'SECRET-NAME' });
  });
});
