/**
 * The caller's address on the admin side behind a reverse proxy
 * (admin.trustedProxies, docs/admin.md §9): the console's failed sign-ins, the
 * token endpoint's failed client assertions, the locks they lead to, the
 * sessions and the audit log (`admin.login` `address`, `admin.auth` and
 * `admin.denied` `remote`) take the address the trusted proxy forwarded, so one
 * person's failures lock that person's address and not everyone behind the
 * proxy. X-Forwarded-For from a peer that is not a trusted proxy — or from any
 * peer when no proxy is configured — changes nothing: the socket's address
 * counts. Through the running server; the test's requests from 127.0.0.1 play
 * the proxy, which appends the client's address to X-Forwarded-For.
 */
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_TYPE } from '../../src/interfaces/admin/auth.js';
import { cliPrincipal } from '../../src/registry/roles.js';
import { bootstrapAdmin } from '../../src/registry/workflow/accounts.js';
import { mountFrontEnds } from '../../src/server/front-ends.js';
import { type AdminClient, adminClient, assertion } from '../support/admin.js';
import { writeTestCard } from '../support/card.js';
import { ConsoleBrowser, invite, type Page } from '../support/console.js';
import { freshSchema, openTestDatabase, POSTGRES_URL } from '../support/registry-db.js';
import { LogCapture, startTestServer, type TestServer, webCertificates } from '../support/server.js';

const ALERT = 'admin login alert: too many failed logins, locked';

/** A server with the registry on PostgreSQL when CI has one (a fresh schema), with `admin` settings. */
async function serverWith(admin: Record<string, unknown>, logs: LogCapture) {
  const schema = freshSchema();
  const ts = await startTestServer({
    mount: mountFrontEnds,
    logs,
    ...(POSTGRES_URL ? { registry: 'config' as const } : {}),
    extra: { ...(POSTGRES_URL ? { registry: { databaseUrl: POSTGRES_URL, schema } } : {}), admin },
  });
  return {
    ts,
    close: async () => {
      await ts.close();
      if (POSTGRES_URL) await (await openTestDatabase('postgres', { schema, migrate: false })).close();
    },
  };
}

/** Every request of `b` carries `X-Forwarded-For: address`, as the proxy in front of the server adds it. */
function behindProxy(b: ConsoleBrowser, address: string): ConsoleBrowser {
  const fetch = b.browser.fetch.bind(b.browser);
  b.browser.fetch = (url, o = {}) =>
    fetch(url, { ...o, headers: { ...(o.headers ?? {}), 'x-forwarded-for': address } });
  return b;
}

/** A passkey sign-in with a passkey no account has: a failed sign-in (unknown-passkey). */
async function failedPasskey(b: ConsoleBrowser, headers: Record<string, string> = {}): Promise<Page> {
  const json = { 'content-type': 'application/json', ...headers };
  const options = await b.post('/admin/passkey/options', {}, { csrf: null, raw: '{}', headers: json });
  expect(options.status, options.body).toBe(200);
  const body = JSON.stringify({ response: { id: 'bm90LWEtcmVnaXN0ZXJlZC1wYXNza2V5', type: 'public-key' } });
  return b.post('/admin/passkey/login', {}, { csrf: null, raw: body, headers: json });
}

/** Whether the card sign-in is refused as locked (423) or started (303), from the given header. */
async function cardStart(ts: TestServer, headers: Record<string, string> = {}): Promise<number> {
  return (await new ConsoleBrowser(ts.server).post('/admin/login', {}, { csrf: null, headers })).status;
}

/** A token request from a given local address (127.0.0.x), with the given headers. */
function tokenFrom(
  ts: TestServer,
  jwt: string,
  o: { localAddress?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
    }).toString();
    const req = request(
      `${ts.web}/admin/api/v1/token`,
      {
        method: 'POST',
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
        ca: webCertificates(ts.server),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(o.headers ?? {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The newest audit entries of `action`, through the admin API. */
async function audit(ts: TestServer, admin: AdminClient, action: string) {
  await ts.server.registryRuntime.trail.flush();
  const r = await admin.call('GET', `/audit?action=${encodeURIComponent(action)}&order=newest&limit=200`);
  expect(r.status).toBe(200);
  return r.json.items as { action: string; outcome: string; details: Record<string, unknown> }[];
}

describe('behind a trusted reverse proxy (admin.trustedProxies: [127.0.0.1])', () => {
  const logs = new LogCapture();
  let s: Awaited<ReturnType<typeof serverWith>>;
  let ts: TestServer;
  let admin: AdminClient;
  const A = '198.51.100.7';
  const B = '203.0.113.20';

  beforeAll(async () => {
    s = await serverWith({ trustedProxies: ['127.0.0.1'] }, logs);
    ts = s.ts;
    admin = await adminClient(ts.server);
  }, 120_000);
  afterAll(async () => s?.close());

  it('failed console sign-ins from A lock A — not B behind the same proxy, nor the proxy itself', async () => {
    const a = new ConsoleBrowser(ts.server);
    for (let i = 1; i <= 4; i++) {
      const r = await failedPasskey(a, { 'x-forwarded-for': A });
      expect(r.status, `attempt ${i}`).toBe(401);
      expect(JSON.parse(r.body).message).toMatch(/^unknown-passkey/);
    }
    expect(logs.find(ALERT)).toHaveLength(1);
    expect(logs.find(ALERT)[0]).toMatchObject({ subject: `address:${A}`, failures: 4 });
    expect(await cardStart(ts, { 'x-forwarded-for': A })).toBe(423);
    // The client's own address is the rightmost entry the proxy wrote: one written by A itself counts for nothing.
    expect(await cardStart(ts, { 'x-forwarded-for': `${B}, ${A}` })).toBe(423);
    expect(await cardStart(ts, { 'x-forwarded-for': B })).toBe(303);
    expect(await cardStart(ts)).toBe(303);
    const denied = (await audit(ts, admin, 'admin.login')).filter((e) => e.outcome === 'denied');
    expect(denied).toHaveLength(4);
    for (const e of denied) expect(e.details).toMatchObject({ method: 'passkey', address: A });
  });

  it('a person at B signs in with the card through the proxy: the session and admin.login record B', async () => {
    const inv = await invite(ts.server, '陳代理', ['auditor']);
    const b = behindProxy(new ConsoleBrowser(ts.server), B);
    const landed = await b.cardLogin(new URL(inv.url).pathname, writeTestCard(ts.pkiDir).file);
    expect(landed.status).toBe(200);
    const ok = (await audit(ts, admin, 'admin.login')).find((e) => e.outcome === 'ok');
    expect(ok?.details).toMatchObject({ method: 'card', purpose: 'invitation', address: B });
    const sessions = await ts.server.registryRuntime.ctx.db.query<{ address: string }>(
      'SELECT address FROM neid.admin_sessions WHERE account_id = $1',
      [inv.accountId],
    );
    expect(sessions.map((r) => r.address)).toEqual([B]);
  }, 120_000);

  it('admin API calls through the proxy are audited with the forwarded address as remote', async () => {
    const issued = await bootstrapAdmin(ts.server.registryRuntime.ctx, cliPrincipal(), { force: true });
    const aud = `${ts.web}/admin/api/v1/token`;
    const jwt = assertion(issued.privateJwk as never, issued.account.id, issued.credential.id, aud);
    const t = await tokenFrom(ts, jwt, { headers: { 'x-forwarded-for': B } });
    expect(t.status).toBe(200);
    const granted = (await audit(ts, admin, 'admin.auth')).find(
      (e) => e.outcome === 'ok' && e.details.account === issued.account.id,
    );
    expect(granted?.details.remote).toBe(B);

    const noToken = await admin.call('GET', '/accounts', undefined, {
      authorization: 'Bearer not-a-token-of-this-server-at-all',
      'x-forwarded-for': B,
    });
    expect(noToken.status).toBe(401);
    const refused = (await audit(ts, admin, 'admin.auth')).find(
      (e) => e.outcome === 'denied' && e.details.reason === 'unknown, expired or revoked token',
    );
    expect(refused?.details.remote).toBe(B);

    const auditor = await adminClient(ts.server, { roles: ['auditor'] });
    const forbidden = await auditor.call(
      'POST',
      '/accounts',
      { name: '不可', roles: ['auditor'] },
      {
        'x-forwarded-for': A,
      },
    );
    expect(forbidden.status).toBe(403);
    const entry = (await audit(ts, admin, 'admin.denied')).find(
      (e) => e.details.operation === 'createAccount',
    );
    expect(entry?.details.remote).toBe(A);
  });

  it('failed client assertions lock the forwarded address; another address behind the proxy gets its token', async () => {
    const C = '192.0.2.33';
    const D = '192.0.2.44';
    const issued = await bootstrapAdmin(ts.server.registryRuntime.ctx, cliPrincipal(), { force: true });
    const aud = `${ts.web}/admin/api/v1/token`;
    // A credential no account has: the failures count by address only.
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    for (let i = 0; i < 4; i++) {
      const r = await tokenFrom(ts, assertion(stranger as never, issued.account.id, 'no-such-kid', aud), {
        headers: { 'x-forwarded-for': C },
      });
      expect(r.status, `attempt ${i + 1}`).toBe(401);
    }
    expect(logs.find(ALERT).map((l) => l.subject)).toContain(`address:${C}`);
    const right = () => assertion(issued.privateJwk as never, issued.account.id, issued.credential.id, aud);
    const locked = await tokenFrom(ts, right(), { headers: { 'x-forwarded-for': C } });
    expect(locked.status).toBe(401);
    expect(locked.json.detail).toMatch(/too many failed logins from this address: locked until/);
    expect((await tokenFrom(ts, right(), { headers: { 'x-forwarded-for': D } })).status).toBe(200);
    expect((await tokenFrom(ts, right())).status).toBe(200);
    const denied = (await audit(ts, admin, 'admin.auth')).filter(
      (e) => e.outcome === 'denied' && e.details.method === 'client-assertion',
    );
    expect(denied.map((e) => e.details.address)).toEqual([C, C, C, C]);
  });

  it('X-Forwarded-For from a peer that is not a trusted proxy (127.0.0.2) changes nothing', async () => {
    const E = '192.0.2.55';
    const issued = await bootstrapAdmin(ts.server.registryRuntime.ctx, cliPrincipal(), { force: true });
    const aud = `${ts.web}/admin/api/v1/token`;
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    for (let i = 0; i < 4; i++) {
      const r = await tokenFrom(ts, assertion(stranger as never, issued.account.id, 'no-such-kid', aud), {
        localAddress: '127.0.0.2',
        headers: { 'x-forwarded-for': `192.0.2.${100 + i}` },
      });
      expect(r.status).toBe(401);
    }
    const subjects = logs.find(ALERT).map((l) => l.subject);
    expect(subjects).toContain('address:127.0.0.2');
    expect(subjects.filter((x) => String(x).startsWith('address:192.0.2.1'))).toEqual([]);
    const right = () => assertion(issued.privateJwk as never, issued.account.id, issued.credential.id, aud);
    const forged = await tokenFrom(ts, right(), {
      localAddress: '127.0.0.2',
      headers: { 'x-forwarded-for': E },
    });
    expect(forged.status).toBe(401);
    expect(forged.json.detail).toMatch(/from this address: locked until/);
    expect((await tokenFrom(ts, right(), { headers: { 'x-forwarded-for': E } })).status).toBe(200);
  });
});

describe('without admin.trustedProxies (the default)', () => {
  const logs = new LogCapture();
  let s: Awaited<ReturnType<typeof serverWith>>;
  let ts: TestServer;
  let admin: AdminClient;

  beforeAll(async () => {
    s = await serverWith({}, logs);
    ts = s.ts;
    // Its token first: the lock below holds 127.0.0.1, the address of every request of this test.
    admin = await adminClient(ts.server);
  }, 120_000);
  afterAll(async () => s?.close());

  it('a forged X-Forwarded-For is ignored: the failures count and lock the socket address', async () => {
    const b = new ConsoleBrowser(ts.server);
    for (let i = 1; i <= 4; i++)
      expect((await failedPasskey(b, { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(401);
    expect(logs.find(ALERT)).toHaveLength(1);
    expect(logs.find(ALERT)[0]).toMatchObject({ subject: 'address:127.0.0.1', failures: 4 });
    expect(await cardStart(ts, { 'x-forwarded-for': '203.0.113.99' })).toBe(423);
    expect(await cardStart(ts)).toBe(423);
    const denied = (await audit(ts, admin, 'admin.login')).filter((e) => e.outcome === 'denied');
    expect(denied.map((e) => e.details.address)).toEqual(Array(4).fill('127.0.0.1'));
  });
});
