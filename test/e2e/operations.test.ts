/**
 * Issue 13, through the running server: the metrics after real logins with the virtual card
 * (SAML through the demo portal, OIDC with openid-client, SOAP with the eID-Interface testbed),
 * /health and /ready on both listeners, and JSON log lines whose request ids tie the front-end
 * request to its authentication session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { runEid as runOidcEid } from '../interfaces/oidc/support/eid.js';
import { Browser as OidcBrowser } from '../interfaces/oidc/support/http.js';
import { type OidcTestServer, PLAIN, startOidcServer } from '../interfaces/oidc/support/oidc-server.js';
import { plainAuthorization, plainConfig } from '../interfaces/oidc/support/rp.js';
import { Browser } from '../interfaces/saml/support/browser.js';
import { completeLogin } from '../interfaces/saml/support/flow.js';
import { ES, ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { type DemoServer, startDemoServer } from '../support/demo.js';
import { labelSets, sample, scrape } from '../support/metrics.js';
import { LogCapture, webCertificates } from '../support/server.js';

type Line = Record<string, unknown> & { msg: string };
const logs = new LogCapture();
const lines = logs.lines as Line[];

let demo: DemoServer;
beforeAll(async () => {
  demo = await startDemoServer({ logLevel: 'info', logs });
}, 120_000);
afterAll(async () => demo?.close());

/** Portal → IdP → activation page → eID-Client → the ACS form, posted to the portal. */
async function portalLogin(pin = '123456') {
  const b = new Browser();
  const toIdp = await b.get(`${demo.web}/demo/portal/login`);
  const activation = await b.get(String(toIdp.headers.location));
  const { form } = await completeLogin(b, activation, demo.card, { pin });
  return b.request('POST', form.action, form.fields);
}

describe('metrics and logs of the running server (SAML, demo portal)', () => {
  it('counts logins, steps and failures, and reports sessions, certificates, lists and dependencies', async () => {
    const ok = await portalLogin();
    expect(ok.body).toContain('id="attributes"');
    const wrongPin = await portalLogin('000000');
    expect(wrongPin.body).not.toContain('id="attributes"');
    // A login started and not finished: one open session.
    const b = new Browser();
    const toIdp = await b.get(`${demo.web}/demo/portal/login`);
    expect((await b.get(String(toIdp.headers.location))).status).toBe(200);

    const text = await scrape(demo.server.metricsUrl!);
    const es = { eservice: 'demo-portal', protocol: 'saml' };
    expect(sample(text, 'neid_logins_total', { ...es, outcome: 'ok' })).toBe(1);
    expect(sample(text, 'neid_logins_total', { ...es, outcome: 'wrong-pin' })).toBe(1);
    expect(sample(text, 'neid_login_duration_seconds_count', { protocol: 'saml', outcome: 'ok' })).toBe(1);
    for (const step of ['start-paos', 'eac1', 'eac2', 'transmit'])
      expect(sample(text, 'neid_eac_step_duration_seconds_count', { step })).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'neid_failures_total', { protocol: 'saml', eservice: 'demo-portal', code: 'wrongPin' }),
    ).toBe(1);
    expect(labelSets(text, 'neid_failures_total').some((l) => l.protocol === 'paos')).toBe(true);
    // The login left at the activation page was never picked up by an eID-Client: it does not count
    // against the eService's cap (docs/operations.md), so no session is open.
    expect(sample(text, 'neid_open_sessions', { eservice: 'demo-portal' })).toBe(0);
    expect(sample(text, 'neid_open_sessions', { eservice: 'passport-office' })).toBe(0);

    const certs = labelSets(text, 'neid_certificate_expiry_seconds').map((l) => `${l.kind}:${l.name}`);
    expect(certs).toEqual(
      expect.arrayContaining([
        'cvca:TWTESTCVCA00001',
        'dv:TWTESTDV00001',
        'terminal:demo-portal',
        'terminal:demo-bank',
        'terminal:passport-office',
        'tls:rsa',
        'saml:signing-ec',
        'saml:signing-rsa',
        'saml:encryption',
        'soap:signing',
        'csca:csca',
        'saml-sp:demo-portal/signing',
        'saml-sp:demo-portal/encryption',
      ]),
    );
    expect(
      sample(text, 'neid_certificate_expiry_seconds', { kind: 'terminal', name: 'demo-portal' }),
    ).toBeGreaterThan(86_400);
    expect(sample(text, 'neid_revocation_list_current')).toBe(1);
    expect(sample(text, 'neid_revocation_list_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(labelSets(text, 'neid_crl_age_seconds')).toHaveLength(1);
    for (const dependency of ['pki', 'revocation-list', 'session-store', 'registry'])
      expect(sample(text, 'neid_dependency_up', { dependency })).toBe(1);

    // No session id, request id or card data in any label.
    const sessions = lines.filter((l) => typeof l.session === 'string').map((l) => String(l.session));
    expect(sessions.length).toBeGreaterThan(0);
    for (const id of sessions) expect(text).not.toContain(id);
    for (const l of lines.filter((x) => x.requestId)) expect(text).not.toContain(String(l.requestId));
    expect(text).not.toMatch(/王|陳|林/);
  });

  it('ties the SAML request, its session, the EAC and the answer together by request id', () => {
    const accepted = lines.find((l) => l.msg === 'SAML AuthnRequest accepted')!;
    const r1 = String(accepted.requestId);
    expect(r1).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const created = lines.find((l) => l.msg === 'authentication session created' && l.requestId === r1)!;
    expect(created).toMatchObject({ eService: 'demo-portal', frontEnd: 'saml' });
    const session = created.session;
    expect(lines.find((l) => l.msg === 'TC Token issued' && l.session === session)).toBeDefined();
    expect(lines.find((l) => l.msg === 'authentication completed' && l.session === session)).toMatchObject({
      origin: r1,
    });
    const handed = lines.find(
      (l) => l.msg === 'authentication outcome handed over' && l.session === session,
    )!;
    expect(handed).toMatchObject({ origin: r1, outcome: 'ok' });
    expect(handed.requestId).not.toBe(r1);
    expect(
      lines.find((l) => l.msg === 'SAML response sent' && l.requestId === handed.requestId),
    ).toMatchObject({ outcome: 'success' });
  });

  it('the start-up line summarises what was loaded, with nothing non-secret redacted', () => {
    const started = lines.find((l) => l.msg === 'N_eID-Server started')!;
    expect(started).toMatchObject({
      mode: 'development',
      pskUrl: demo.psk,
      metricsUrl: demo.server.metricsUrl,
      keySource: 'PEM files',
      store: 'memory',
      pki: { cvca: 'TWTESTCVCA00001', test: true, terminals: 3 },
      registry: { eServices: ['demo-bank', 'demo-portal', 'passport-office'] },
      revocationList: { current: true },
    });
    expect(JSON.stringify(lines)).not.toContain('[redacted]');
  });

  it('/health and /ready on the operations listener and the web listener; every answer has a request id', async () => {
    for (const path of ['/health', '/ready']) {
      const r = await fetch(`${demo.server.metricsUrl}${path}`);
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ status: path === '/health' ? 'ok' : 'ready' });
    }
    const b = new Browser();
    const ready = await b.get(`${demo.web}/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({
      status: 'ready',
      checks: { pki: { ok: true }, 'revocation-list': { ok: true }, 'session-store': { ok: true } },
    });
    expect(ready.headers['x-request-id']).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(ready.body).not.toContain('since'); // the public listener gives states, not details
    expect((await b.get(`${demo.web}/health`)).body).toContain('"status":"ok"');
    expect((await fetch(`${demo.server.metricsUrl}/nothing`)).status).toBe(404);
    expect((await fetch(`${demo.server.metricsUrl}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('metrics of the OIDC and SOAP front-ends', () => {
  let oidc: OidcTestServer;
  let tb: Testbed;
  beforeAll(async () => {
    oidc = await startOidcServer();
    tb = await startTestbed();
  }, 180_000);
  afterAll(async () => {
    await oidc?.close();
    await tb?.close();
  });

  it('OIDC: a login and a cancelled one, and the error the client got', async () => {
    const card = writeTestCard(oidc.ts.pkiDir);
    const config = await plainConfig(oidc);
    for (const accept of [true, false]) {
      const { url } = await plainAuthorization(config);
      const browser = new OidcBrowser({ ca: webCertificates(oidc.ts.server) });
      const page = await browser.navigate(url.href, PLAIN.redirect);
      const run = await runOidcEid(browser, page.body, card.file, PLAIN.redirect, { accept });
      const cb = new URL(run.callback!);
      if (accept) expect(cb.searchParams.get('code')).toBeTruthy();
      else expect(cb.searchParams.get('error')).toBe('access_denied');
    }
    const text = await scrape(oidc.ts.server.metricsUrl!);
    const es = { eservice: 'oidc-portal', protocol: 'oidc' };
    expect(sample(text, 'neid_logins_total', { ...es, outcome: 'ok' })).toBe(1);
    expect(sample(text, 'neid_logins_total', { ...es, outcome: 'cancelled' })).toBe(1);
    expect(
      sample(text, 'neid_failures_total', {
        protocol: 'oidc',
        eservice: 'oidc-portal',
        code: 'access_denied',
      }),
    ).toBe(1);
  });

  it('SOAP: a login with getResult, and a getResult for an unknown session', async () => {
    const { file } = writeTestCard(tb.ts.pkiDir);
    const { tcTokenUrl, plan } = tb.prepare({ operations: ops('REQUIRED', 'chineseName') });
    const card = VirtualCard.fromFile(file);
    card.reset();
    const outcome = await runOnlineAuthentication(
      tcTokenUrl,
      new EacClient({ card, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) }),
    );
    expect(outcome.ok).toBe(true);
    expect((await tb.client().getResult(plan.granted!.sessionId, 1)).outcome).toBeDefined();
    const unknown = await tb.client().getResult('ab'.repeat(32), 1);
    expect(unknown.outcome).toBeUndefined();
    const text = await scrape(tb.ts.server.metricsUrl!);
    expect(sample(text, 'neid_logins_total', { eservice: ES.main, protocol: 'soap', outcome: 'ok' })).toBe(1);
    expect(
      sample(text, 'neid_failures_total', {
        protocol: 'soap',
        eservice: ES.main,
        code: 'getResult#invalidSession',
      }),
    ).toBe(1);
    // The SOAP listener watches its eServices' registered client certificates.
    const soapCerts = labelSets(text, 'neid_certificate_expiry_seconds').filter(
      (l) => l.kind === 'soap-client',
    );
    expect(soapCerts.map((l) => l.name)).toContain(ES.main);
  });
});
