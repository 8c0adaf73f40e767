/**
 * Issue 7: the OpenID Provider on the Redis adapter — two server instances
 * share one Redis (a private redis-server started by the test; set
 * NEID_TEST_REDIS_URL to use another), the PKI, the session key and the
 * provider secrets: the login runs on instance A, the code is redeemed and
 * userinfo served by instance B, and a replay on A is refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEid } from '../interfaces/oidc/support/eid.js';
import { Browser, fetchVia } from '../interfaces/oidc/support/http.js';
import { type OidcTestServer, PLAIN, startOidcServer } from '../interfaces/oidc/support/oidc-server.js';
import { expectedClaims, pkce } from '../interfaces/oidc/support/rp.js';
import { writeTestCard } from '../support/card.js';
import { haveRedisServer, startRedis } from '../support/redis.js';
import { freePort } from '../support/server.js';

const available = haveRedisServer() || !!process.env.NEID_TEST_REDIS_URL;

describe.runIf(available)('OpenID Provider on Redis', () => {
  let a: OidcTestServer;
  let b: OidcTestServer;
  let redis: { url: string; stop(): Promise<void> } | undefined;
  let redisUrl: string;
  let webA: number;
  let webB: number;
  beforeAll(async () => {
    if (process.env.NEID_TEST_REDIS_URL) redisUrl = process.env.NEID_TEST_REDIS_URL;
    else {
      redis = await startRedis();
      redisUrl = redis.url;
    }
    const shared = mkdtempSync(join(tmpdir(), 'neid-oidc-redis-'));
    const sessions = { store: 'redis', keyFile: join(shared, 'session.key'), redisUrl };
    const secretsFile = join(shared, 'oidc-secrets.json');
    webA = await freePort();
    webB = await freePort();
    a = await startOidcServer({
      store: 'redis',
      pkiDir: join(shared, 'pki'),
      webPort: webA,
      secretsFile,
      extra: { sessions },
    });
    b = await startOidcServer({
      store: 'redis',
      pkiDir: join(shared, 'pki'),
      webPort: webB,
      secretsFile,
      shareWith: a,
      mtls: false,
      extra: { sessions, web: { port: webB, publicUrl: `https://127.0.0.1:${webA}` } },
    });
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  /** openid-client whose token and userinfo requests go to `port` (the other instance). */
  const configVia = (port: number) =>
    client.discovery(
      new URL(a.issuer),
      PLAIN.clientId,
      { id_token_signed_response_alg: 'ES256' },
      client.ClientSecretBasic(PLAIN.secret),
      {
        [client.customFetch]: (url, o) => {
          const u = new URL(url);
          if (u.pathname === '/oidc/token' || u.pathname === '/oidc/me') u.port = String(port);
          return fetchVia(a.tls)(u.href, o);
        },
      },
    );

  it('logs in on one instance and serves tokens and claims from the other', async () => {
    const card = writeTestCard(a.ts.pkiDir);
    const onB = await configVia(webB);
    const p = await pkce();
    const url = client.buildAuthorizationUrl(onB, {
      redirect_uri: PLAIN.redirect,
      scope: 'openid profile',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      state: 'st',
    });
    const browser = new Browser(a.tls);
    const page = await browser.navigate(url.href, PLAIN.redirect);
    expect(page.status, page.body).toBe(200);
    const run = await runEid(browser, page.body, card.file, PLAIN.redirect);
    expect(browser.visited.every((v) => new URL(v).port === String(webA))).toBe(true);

    const tokens = await client.authorizationCodeGrant(onB, new URL(run.callback!), {
      pkceCodeVerifier: p.verifier,
      expectedState: 'st',
    });
    const want = expectedClaims(card.json.fields, ['name', 'birthdate']);
    expect(tokens.claims()).toMatchObject(want);
    const info = await client.fetchUserInfo(onB, tokens.access_token, tokens.claims()!.sub);
    expect(info).toMatchObject(want);

    // The claims are in Redis only sealed; no value appears in clear.
    const r = createClient({ url: redisUrl });
    await r.connect();
    const keys = await r.keys('neid:oidc:*');
    expect(keys.some((k) => k.startsWith('neid:oidc:claims:'))).toBe(true);
    for (const k of keys) {
      const type = await r.type(k);
      const v = type === 'string' ? ((await r.get(k)) ?? '') : (await r.lRange(k, 0, -1)).join(',');
      expect(v).not.toContain(String(card.json.fields.chineseName));
      expect(v).not.toContain('1990-03-15');
    }
    await r.quit();

    // A replay on instance A is refused: the consumed mark is shared.
    const onA = await configVia(webA);
    const again = await client
      .authorizationCodeGrant(onA, new URL(run.callback!), {
        pkceCodeVerifier: p.verifier,
        expectedState: 'st',
      })
      .catch((e: unknown) => e);
    expect((again as client.ResponseBodyError).error).toBe('invalid_grant');
    const revoked = await client
      .fetchUserInfo(onB, tokens.access_token, client.skipSubjectCheck)
      .catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(Error);
  });
});
