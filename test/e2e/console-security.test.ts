/**
 * Admin authentication under attack and over time (issue 11): more than 3 failed sign-ins from one
 * address, or for one account, within 15 minutes lock it and raise an alert — an audit entry, a
 * warn log line, the console's alert list, and the webhook (HMAC-SHA256 signed JSON, retried with
 * backoff); a security officer acknowledges and lifts the lock. Approvals and account operations
 * need a fresh card (or passkey) sign-in: an old one is sent to the step-up page first. A session
 * idle for longer than allowed ends.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_TYPE } from '../../src/interfaces/admin/auth.js';
import { cliPrincipal } from '../../src/registry/roles.js';
import { bootstrapAdmin } from '../../src/registry/workflow/accounts.js';
import { mountFrontEnds } from '../../src/server/front-ends.js';
import { assertion } from '../support/admin.js';
import { writeTestCard } from '../support/card.js';
import { ConsoleBrowser, invite, textOf } from '../support/console.js';
import { freshSchema, openTestDatabase, POSTGRES_URL } from '../support/registry-db.js';
import { LogCapture, startTestServer, type TestServer, webCertificates } from '../support/server.js';

let ts: TestServer;
let hook: Server;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];
const secretFile = join(mkdtempSync(join(tmpdir(), 'neid-hook-')), 'hook.key');
const logs = new LogCapture();
let clock = Date.now();
const minutes = (n: number) => {
  clock += n * 60_000;
};
let officer: ConsoleBrowser;
let officerCard: string;
// Sessions, logins under way, locks and alerts live in the registry: on PostgreSQL too when CI has one.
const schema = freshSchema();

beforeAll(async () => {
  // The receiver fails the first delivery, takes the second: the retry with backoff.
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(received.length === 1 ? 500 : 204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  ts = await startTestServer({
    mount: mountFrontEnds,
    now: () => new Date(clock),
    logs,
    ...(POSTGRES_URL ? { registry: 'config' as const } : {}),
    extra: {
      ...(POSTGRES_URL ? { registry: { databaseUrl: POSTGRES_URL, schema } } : {}),
      admin: {
        alerts: {
          webhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/neid-alerts`,
          webhookSecretFile: secretFile,
          retryBaseMs: 50,
        },
      },
    },
  });
  const inv = await invite(ts.server, '林資安', ['security-officer']);
  officer = new ConsoleBrowser(ts.server);
  officerCard = writeTestCard(ts.pkiDir).file;
  expect((await officer.cardLogin(new URL(inv.url).pathname, officerCard)).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await ts?.close();
  hook?.close();
  if (POSTGRES_URL) await (await openTestDatabase('postgres', { schema, migrate: false })).close();
});

/** A token request from a given local address (127.0.0.x), for the per-address and per-account locks. */
function tokenFrom(
  localAddress: string,
  jwt: string,
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
        localAddress,
        ca: webCertificates(ts.server),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
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

describe('failed admin sign-ins, locks and alerts', () => {
  it('a fourth failed card sign-in from one address locks it and raises an alert', async () => {
    const stranger = new ConsoleBrowser(ts.server);
    const unknownCard = writeTestCard(ts.pkiDir).file;
    for (let i = 1; i <= 4; i++) {
      const r = await stranger.cardLogin('/admin/login', unknownCard);
      expect(r.status, `attempt ${i}`).toBe(401);
      expect(textOf(r.body)).toContain('此卡片未綁定管理者帳號');
    }
    const locked = await stranger.post('/admin/login', {}, { csrf: null });
    expect(locked.status).toBe(423);
    expect(textOf(locked.body)).toContain('登入失敗次數過多，已暫時鎖定至');
    expect(logs.find('admin login alert: too many failed logins, locked')).toHaveLength(1);
    expect(logs.find('admin login alert: too many failed logins, locked')[0]).toMatchObject({
      level: 40,
      subject: 'address:127.0.0.1',
      failures: 4,
    });
  }, 180_000);

  it('the webhook gets the alert as signed JSON, after a retry', async () => {
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(2);
    const secret = Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'hex');
    for (const [i, r] of received.entries()) {
      const expected = `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
      expect(r.headers['x-neid-signature']).toBe(expected);
      expect(JSON.parse(r.body)).toMatchObject({
        type: 'neid.admin.alert',
        kind: 'login-failures',
        subject: 'address:127.0.0.1',
        attempt: i + 1,
        details: { failures: 4, windowMinutes: 15 },
      });
    }
    expect(logs.find('alert webhook failed; retrying')).toHaveLength(1);
  });

  it('the security officer sees it in the console, acknowledges it and lifts the lock; it is audited', async () => {
    const alerts = await officer.get('/admin/alerts');
    expect(alerts.status).toBe(200);
    const text = textOf(alerts.body);
    expect(text).toContain('address:127.0.0.1');
    await expect
      .poll(async () => textOf((await officer.get('/admin/alerts')).body))
      .toContain('已送達 Delivered ×2');
    const id = /data-alert="(\d+)"/.exec(alerts.body)![1]!;
    expect((await officer.post(`/admin/alerts/${id}/acknowledge`)).status).toBe(303);
    expect((await officer.post('/admin/alerts/unlock', { subject: 'address:127.0.0.1' })).status).toBe(303);
    const again = await new ConsoleBrowser(ts.server).post('/admin/login', {}, { csrf: null });
    expect(again.status).toBe(303);
    await ts.server.registryRuntime.trail.flush();
    const audit = textOf((await officer.get('/admin/audit?action=admin.*')).body);
    for (const a of ['admin.alert', 'admin.alert-acknowledge', 'admin.unlock', 'admin.login'])
      expect(audit).toContain(a);
  }, 60_000);

  it('failed client assertions lock the account, whatever address the next attempt comes from', async () => {
    const issued = await bootstrapAdmin(ts.server.registryRuntime.ctx, cliPrincipal(), { force: true });
    const aud = `${ts.web}/admin/api/v1/token`;
    const wrongKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    for (let i = 0; i < 4; i++) {
      const r = await tokenFrom(
        '127.0.0.2',
        assertion(wrongKey as never, issued.account.id, issued.credential.id, aud),
      );
      expect(r.status).toBe(401);
    }
    const right = assertion(issued.privateJwk as never, issued.account.id, issued.credential.id, aud);
    const refused = await tokenFrom('127.0.0.3', right);
    expect(refused.status).toBe(401);
    expect(refused.json.detail).toMatch(/locked until/);
    const list = textOf((await officer.get('/admin/alerts')).body);
    expect(list).toContain(`account:${issued.account.id}`);
    expect(list).toContain('address:127.0.0.2');
  }, 60_000);
});

describe('fresh authentication and idle sessions', () => {
  it('an account operation after more than freshAuthMinutes asks for a card sign-in first, then works', async () => {
    minutes(6);
    const r = await officer.post('/admin/accounts', { name: '黃稽核', kind: 'person', roles: ['auditor'] });
    expect(r.status).toBe(303);
    expect(r.location).toBe('/admin/reauth?next=%2Fadmin%2Faccounts');
    const page = await officer.get(r.location!);
    expect(textOf(page.body)).toContain('確認是您本人 Confirm it is you');
    const back = await officer.cardLogin(
      '/admin/login?next=%2Fadmin%2Faccounts&purpose=step-up',
      officerCard,
    );
    expect(back.status).toBe(200);
    expect(back.url).toBe(`${ts.web}/admin/accounts`);
    const done = await officer.post('/admin/accounts', {
      name: '黃稽核',
      kind: 'person',
      roles: ['auditor'],
    });
    expect(done.status).toBe(201);
    expect(done.body).toContain('id="invitation-link"');
  }, 120_000);

  it('a session idle for longer than sessionIdleMinutes ends', async () => {
    expect((await officer.get('/admin/')).status).toBe(200);
    minutes(16);
    const r = await officer.get('/admin/');
    expect(r.status).toBe(303);
    expect(r.location).toBe('/admin/login?ended=idle&next=%2Fadmin%2F');
    expect((await officer.get('/admin/')).location).toMatch(/^\/admin\/login\?signin=1/);
  });
});
