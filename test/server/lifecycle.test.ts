/**
 * Issue 13 with the real process (src/server/main.ts, as `npm start` runs it): a dependency
 * unreachable at start is one clear line and exit 1; NODE_ENV=production creates no test PKI,
 * refuses one unless allowed, refuses the published demo keys and prints what it loaded; SIGTERM
 * during a login lets the login finish — its result handed over, or (Redis) kept in Redis for the
 * next instance — and the process exits 0.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { STATUS } from '../../src/interfaces/saml/namespaces.js';
import { Browser, formOf, tcTokenUrlOf } from '../interfaces/saml/support/browser.js';
import { writeTestCard } from '../support/card.js';
import { ROOT } from '../support/cli.js';
import { haveRedisServer, startRedis } from '../support/redis.js';
import { freePort } from '../support/server.js';
import { type ServerProcess, serverSetup, startServerProcess } from '../support/server-process.js';

const running: ServerProcess[] = [];
const start = (configFile: string, env?: NodeJS.ProcessEnv) => {
  const p = startServerProcess(configFile, env);
  running.push(p);
  return p;
};
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

const PRODUCTION = { NODE_ENV: 'production' };
const DEPLOY_REGISTRY = join(ROOT, 'deploy/config/relying-parties.yaml');

describe('start-up', () => {
  it('Redis unreachable: one line naming it, exit 1, nothing listening', async () => {
    const redisPort = await freePort();
    const s = await serverSetup({
      settings: { sessions: { store: 'redis', redisUrl: `redis://:s3cret@127.0.0.1:${redisPort}` } },
    });
    const p = start(s.configFile);
    expect(await p.exited).toBe(1);
    const err = p.stderr().trim().split('\n');
    expect(err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^N_eID-Server failed to start: the session store \\(Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redisPort}\\) is unreachable: .*ECONNREFUSED.*\\(gave up after 5 s\\)$`,
        ),
      ),
    ]);
    expect(p.stderr()).not.toContain('s3cret');
    expect(p.lines.find((l) => l.msg === 'N_eID-Server started')).toBeUndefined();
  }, 60_000);

  it('NODE_ENV=production with an empty PKI directory: no test PKI is created', async () => {
    const s = await serverSetup({
      pki: false,
      registry: DEPLOY_REGISTRY,
      settings: { pki: { autoCreate: true } },
    });
    const p = start(s.configFile, PRODUCTION);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/NODE_ENV=production never creates a test PKI/);
    expect(existsSync(join(s.pkiDir, 'pki.json'))).toBe(false);
  }, 60_000);

  it('NODE_ENV=production on a test PKI: refused unless pki.allowTestPki', async () => {
    const s = await serverSetup({ registry: DEPLOY_REGISTRY });
    const p = start(s.configFile, PRODUCTION);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/is a TEST PKI \(CVCA TWTESTCVCA00001\).*pki\.allowTestPki/);
  }, 60_000);

  it('NODE_ENV=production refuses the published demo SP keys', async () => {
    const s = await serverSetup({ settings: { pki: { allowTestPki: true }, demo: { enabled: false } } });
    const p = start(s.configFile, PRODUCTION);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/demo-portal are registered with the published DEMO keys/);
  }, 60_000);

  it('NODE_ENV=production with an allowed test PKI: starts, prints what it loaded, stops on SIGTERM with 0', async () => {
    const s = await serverSetup({
      registry: DEPLOY_REGISTRY,
      settings: { pki: { allowTestPki: true }, demo: { enabled: false } },
    });
    const p = start(s.configFile, PRODUCTION);
    const started = await p.line('N_eID-Server started');
    expect(started).toMatchObject({
      mode: 'production',
      web: s.web,
      metricsUrl: s.metrics,
      pki: { dir: s.pkiDir, cvca: 'TWTESTCVCA00001', test: true, terminals: 2 },
      keySource: 'PEM files',
      registry: { eServices: ['demo-bank', 'passport-office'] },
      store: 'memory',
      revocationList: { current: true },
      demo: false,
    });
    expect(p.lines.find((l) => l.msg.includes('TEST PKI'))).toMatchObject({ level: 40 });
    expect((await fetch(`${s.metrics}/ready`)).status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);
});

/** Portal → IdP → activation page; the eID-Client waits at the consent screen until released. */
async function loginInFlight(web: string, cardFile: string) {
  const browser = new Browser();
  const toIdp = await browser.get(`${web}/demo/portal/login`);
  const activation = await browser.get(String(toIdp.headers.location));
  let reached!: () => void;
  let release!: () => void;
  const atConsent = new Promise<void>((r) => {
    reached = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  const card = VirtualCard.fromFile(cardFile, { persist: true });
  card.reset();
  const eac = new EacClient({
    card,
    consent: async () => {
      reached();
      await released;
      return { accept: true, deselect: [], pin: '123456' };
    },
  });
  const outcome = runOnlineAuthentication(tcTokenUrlOf(activation), eac);
  await atConsent;
  return { browser, outcome, release };
}

/** While shutting down: not ready, and a new login gets SAML Responder at once. */
async function refusesNewLogins(web: string, metrics: string): Promise<void> {
  for (let i = 0; i < 100 && (await fetch(`${metrics}/ready`)).status !== 503; i++)
    await new Promise((r) => setTimeout(r, 100));
  const ready = await fetch(`${metrics}/ready`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ status: 'shutting down' });
  const b = new Browser();
  const answer = await b.get(String((await b.get(`${web}/demo/portal/login`)).headers.location));
  const response = Buffer.from(formOf(answer).fields.SAMLResponse!, 'base64').toString();
  expect(response).toContain(`<samlp:StatusCode Value="${STATUS.responder}"`);
}

/**
 * Starts the server process, begins a login, sends SIGTERM while the citizen is at the consent
 * screen, checks that new logins are refused, then lets the login finish.
 */
async function sigtermDuringLogin(settings: Record<string, unknown> = {}) {
  const s = await serverSetup({ settings });
  const p = start(s.configFile);
  await p.line('N_eID-Server started');
  const login = await loginInFlight(s.web, writeTestCard(s.pkiDir).file);
  p.child.kill('SIGTERM');
  await p.line('shutting down: no new logins');
  await refusesNewLogins(s.web, s.metrics);
  expect(p.child.exitCode).toBeNull(); // still serving the login in flight
  login.release();
  const outcome = await login.outcome;
  expect(outcome.ok, outcome.error?.message).toBe(true);
  return { s, p, browser: login.browser, redirectUrl: outcome.redirectUrl! };
}

describe('graceful shutdown (SIGTERM) with a login in flight', () => {
  it('memory store: the login finishes and is handed over, then the process exits 0', async () => {
    const { p, browser, redirectUrl } = await sigtermDuringLogin();
    const final = await browser.get(redirectUrl);
    const response = Buffer.from(formOf(final).fields.SAMLResponse!, 'base64').toString();
    expect(response).toContain(`<samlp:StatusCode Value="${STATUS.success}"`);
    expect(response).toContain('EncryptedAssertion');
    expect(await p.exited).toBe(0);
    expect(p.lines.map((l) => l.msg)).toContain('running authentications finished');
  }, 120_000);

  it.runIf(haveRedisServer())(
    'Redis store: the login finishes, the process exits 0, and the next instance hands the result over',
    async () => {
      const redis = await startRedis();
      try {
        const { s, p, browser, redirectUrl } = await sigtermDuringLogin({
          sessions: { store: 'redis', redisUrl: redis.url },
        });
        // The result waits in Redis; the process needs no browser to come back before it exits.
        expect(await p.exited).toBe(0);
        const second = start(s.configFile);
        await second.line('N_eID-Server started');
        const form = formOf(await browser.get(redirectUrl));
        const portal = await browser.request('POST', form.action, form.fields);
        expect(portal.body).toContain('id="attributes"');
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      } finally {
        await redis.stop();
      }
    },
    120_000,
  );
});
