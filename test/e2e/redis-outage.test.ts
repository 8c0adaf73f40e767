/**
 * Issue 13: Redis killed in the middle of the run (a private redis-server, stopped and started
 * again on the same port). Every front-end answers at once with its protocol's own internal
 * error — PAOS al/common#internalError to the eID-Client of a login in flight, SAML Responder,
 * OAuth server_error / temporarily_unavailable, SOAP common#internalError — /ready turns 503,
 * and once Redis is back the servers reconnect on their own and logins work again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { STATUS } from '../../src/interfaces/saml/namespaces.js';
import { NEID_STATUS_PREFIX } from '../../src/interfaces/saml/status.js';
import { RESULT_MINOR as SOAP_MINOR } from '../../src/interfaces/soap/result-codes.js';
import { RESULT_MINOR as PAOS_MINOR } from '../../src/paos/result.js';
import { runEid as runOidcEid } from '../interfaces/oidc/support/eid.js';
import { Browser as OidcBrowser } from '../interfaces/oidc/support/http.js';
import { type OidcTestServer, PLAIN, startOidcServer } from '../interfaces/oidc/support/oidc-server.js';
import { plainAuthorization, plainConfig } from '../interfaces/oidc/support/rp.js';
import { Browser, formOf, tcTokenUrlOf } from '../interfaces/saml/support/browser.js';
import { completeLogin } from '../interfaces/saml/support/flow.js';
import { ES, ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { type DemoServer, startDemoServer } from '../support/demo.js';
import { sample, scrape } from '../support/metrics.js';
import { haveRedisServer, startRedis } from '../support/redis.js';
import { webCertificates } from '../support/server.js';

type Redis = Awaited<ReturnType<typeof startRedis>>;

/** Polls `/ready` until it answers `status` (each server reconnects or notices on its own). */
async function readyBecomes(metricsUrl: string, status: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${metricsUrl}/ready`)).status === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${metricsUrl}/ready never answered ${status}`);
}

describe.runIf(haveRedisServer())('Redis lost at run time', () => {
  let redis: Redis;
  let demo: DemoServer;
  let oidc: OidcTestServer;
  let tb: Testbed;
  const servers = () => [demo.server, oidc.ts.server, tb.ts.server];
  beforeAll(async () => {
    redis = await startRedis();
    const sessions = (name: string) => ({
      store: 'redis',
      redisUrl: redis.url,
      keyFile: join(mkdtempSync(join(tmpdir(), `neid-outage-${name}-`)), 'session.key'),
    });
    demo = await startDemoServer({ extra: { sessions: sessions('demo') } });
    oidc = await startOidcServer({ store: 'redis', extra: { sessions: sessions('oidc') } });
    tb = await startTestbed({ config: { sessions: sessions('soap') } });
  }, 180_000);
  afterAll(async () => {
    await demo?.close();
    await oidc?.close();
    await tb?.close();
    await redis?.stop();
  });

  it('every front-end answers with its internal-error code; /ready turns 503; all recover', async () => {
    // An OIDC login completed before the outage: its code is redeemed during it.
    const card = writeTestCard(oidc.ts.pkiDir);
    const config = await plainConfig(oidc);
    const before = await plainAuthorization(config);
    const ob = new OidcBrowser({ ca: webCertificates(oidc.ts.server) });
    const page = await ob.navigate(before.url.href, PLAIN.redirect);
    const run = await runOidcEid(ob, page.body, card.file, PLAIN.redirect);
    expect(new URL(run.callback!).searchParams.get('code')).toBeTruthy();

    // PAOS: a SAML login in flight; Redis dies while the citizen is at the consent screen.
    const b = new Browser();
    const toIdp = await b.get(`${demo.web}/demo/portal/login`);
    const activation = await b.get(String(toIdp.headers.location));
    const vc = VirtualCard.fromFile(demo.card, { persist: true });
    vc.reset();
    const eac = new EacClient({
      card: vc,
      consent: async () => {
        await redis.stop();
        return { accept: true, deselect: [], pin: '123456' };
      },
    });
    const inFlight = await runOnlineAuthentication(tcTokenUrlOf(activation), eac);
    expect(inFlight.ok).toBe(false);
    expect(inFlight.serverResult?.minor).toBe(PAOS_MINOR.internalError);
    for (const s of servers()) await readyBecomes(s.metricsUrl!, 503);
    const ready = (await (await fetch(`${demo.server.metricsUrl}/ready`)).json()) as {
      checks: Record<string, { ok: boolean; reason?: string }>;
    };
    expect(ready.checks['session-store']).toMatchObject({ ok: false });
    expect(ready.checks['session-store']!.reason).toContain(redis.url);

    // SAML: a verified AuthnRequest gets a Response with Responder / internalError.
    const b2 = new Browser();
    const toIdp2 = await b2.get(`${demo.web}/demo/portal/login`);
    const answer = await b2.get(String(toIdp2.headers.location));
    const response = Buffer.from(formOf(answer).fields.SAMLResponse!, 'base64').toString();
    expect(response).toContain(`<samlp:StatusCode Value="${STATUS.responder}"`);
    expect(response).toContain(`${NEID_STATUS_PREFIX}internalError`);

    // OIDC: the authorization endpoint tells the client temporarily_unavailable (RFC 6749 §4.1.2.1),
    // the token endpoint answers server_error.
    const during = await plainAuthorization(config);
    const r = await new OidcBrowser({ ca: webCertificates(oidc.ts.server) }).navigate(
      during.url.href,
      PLAIN.redirect,
    );
    const cb = new URL(r.location!);
    expect(cb.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(cb.searchParams.get('state')).toBe('st');
    expect(cb.searchParams.get('iss')).toBe(oidc.issuer);
    const token = await client
      .authorizationCodeGrant(config, new URL(run.callback!), {
        pkceCodeVerifier: before.verifier,
        expectedState: 'st',
      })
      .catch((e: unknown) => e);
    // openid-client refuses the 500 as non-conformant (RFC 6749 §5.2 names 400); the body is the OAuth error.
    const answer500 = (token as Error & { cause: Response }).cause;
    expect(answer500.status).toBe(500);
    expect(await answer500.json()).toMatchObject({ error: 'server_error' });

    // Requests outside the protocols (the TC Token, the browser's return): 503 with Retry-After.
    const tcToken = await new Browser().get(`${demo.web}/eid/tctoken?t=anything`);
    expect(tcToken.status).toBe(503);
    expect(tcToken.headers['retry-after']).toBe('5');

    // SOAP: useID is answered with common#internalError.
    const useId = await tb.client().useId({ operations: ops('REQUIRED', 'chineseName') });
    expect(useId.result.minor).toBe(SOAP_MINOR.internalError);

    const failures = async (url: string, protocol: string, code: string) =>
      sample(await scrape(url), 'neid_failures_total', { protocol, code });
    expect(await failures(demo.server.metricsUrl!, 'paos', 'al/common#internalError')).toBeGreaterThanOrEqual(
      1,
    );
    expect(await failures(demo.server.metricsUrl!, 'saml', 'internalError')).toBe(1);
    expect(await failures(oidc.ts.server.metricsUrl!, 'oidc', 'temporarily_unavailable')).toBe(1);
    expect(await failures(oidc.ts.server.metricsUrl!, 'oidc', 'server_error')).toBeGreaterThanOrEqual(1);
    expect(await failures(tb.ts.server.metricsUrl!, 'soap', 'common#internalError')).toBe(1);
    expect(
      sample(await scrape(demo.server.metricsUrl!), 'neid_dependency_up', { dependency: 'session-store' }),
    ).toBe(0);

    // Redis is back (empty): the servers reconnect by themselves and a whole login works again.
    redis = await startRedis(redis.port);
    for (const s of servers()) await readyBecomes(s.metricsUrl!, 200);
    const b3 = new Browser();
    const toIdp3 = await b3.get(`${demo.web}/demo/portal/login`);
    const activation3 = await b3.get(String(toIdp3.headers.location));
    const { form } = await completeLogin(b3, activation3, demo.card);
    const portal = await b3.request('POST', form.action, form.fields);
    expect(portal.body).toContain('id="attributes"');
    const soapCard = writeTestCard(tb.ts.pkiDir);
    const { tcTokenUrl, plan } = tb.prepare({ operations: ops('REQUIRED', 'chineseName') });
    const sc = VirtualCard.fromFile(soapCard.file);
    sc.reset();
    const soapRun = await runOnlineAuthentication(
      tcTokenUrl,
      new EacClient({ card: sc, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) }),
    );
    expect(soapRun.ok).toBe(true);
    expect((await tb.client().getResult(plan.granted!.sessionId, 1)).outcome).toBeDefined();
    expect(ES.main).toBe('soap-test');
  }, 120_000);
});
