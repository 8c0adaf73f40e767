/**
 * Issue 12, `server.workers` through the real entry point (src/server/main.ts, as `npm start` runs
 * it): two workers on shared listeners with the Redis store and a PostgreSQL registry. Complete
 * SAML logins whose TC Token fetch and PAOS conversation are served by different workers (the
 * PSK made on one is known to the other), /metrics aggregated over both on the primary's
 * operations listener, /ready per worker, and SIGTERM with a login in flight: it finishes, the
 * workers drain and the process exits 0. A worker count the setup cannot share is one line, exit 1.
 */
import { connect } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { PostgresDatabase } from '../../src/registry/db/postgres.js';
import { Browser, formOf, tcTokenUrlOf } from '../interfaces/saml/support/browser.js';
import { writeTestCard } from '../support/card.js';
import { haveRedisServer, startRedis } from '../support/redis.js';
import { freshSchema, POSTGRES_URL } from '../support/registry-db.js';
import { freePort } from '../support/server.js';
import { type ServerProcess, serverSetup, startServerProcess } from '../support/server-process.js';

const running: ServerProcess[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => {});
});

/** A SAML login at the demo portal; `hold` keeps the eID-Client at the consent screen until released. */
async function login(web: string, cardFile: string, hold = false) {
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
      if (hold) await released;
      return { accept: true, deselect: [], pin: '123456' };
    },
  });
  const outcome = runOnlineAuthentication(tcTokenUrlOf(activation), eac);
  /** The eID-Client's part only (the result stays in Redis for the browser), or the whole login. */
  const finish = async (handOver = true) => {
    const o = await outcome;
    expect(o.ok, o.error?.message).toBe(true);
    if (!handOver) return;
    const form = formOf(await browser.get(o.redirectUrl!));
    const portal = await browser.request('POST', form.action, form.fields);
    expect(portal.body).toContain('id="attributes"');
  };
  return { atConsent, release, finish };
}

/** The server process with two workers, a private Redis and a fresh PostgreSQL schema. */
async function startCluster(settings: Record<string, unknown> = {}) {
  const redis = await startRedis();
  closers.push(() => redis.stop());
  const schema = freshSchema();
  closers.push(async () => {
    const db = await PostgresDatabase.open({ url: POSTGRES_URL!, schema, connectTimeoutMs: 5000 });
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.close();
  });
  const s = await serverSetup({
    settings: {
      server: { workers: 2 },
      sessions: { store: 'redis', redisUrl: redis.url },
      registry: { databaseUrl: POSTGRES_URL, schema },
      ...settings,
    },
  });
  const p = startServerProcess(s.configFile);
  running.push(p);
  return { s, p };
}

/**
 * Complete logins until one's TC Token fetch and its PAOS conversation were served by different
 * workers (new connections go to the workers in turn, so it takes a few at most); returns how many.
 */
async function loginsUntilCrossed(web: string, card: string, p: ServerProcess): Promise<number> {
  let logins = 0;
  let crossed = 0;
  const byMsg = (msg: string) => p.lines.filter((l) => l.msg === msg);
  while (logins < 8 && (logins < 2 || crossed === 0)) {
    const l = await login(web, card);
    await l.finish();
    logins++;
    const completed = byMsg('authentication completed').at(-1)!;
    const issued = byMsg('TC Token issued').find((x) => x.session === completed.session);
    expect(issued).toBeDefined();
    if (issued!.worker !== completed.worker) crossed++;
  }
  expect(crossed).toBeGreaterThan(0);
  return logins;
}

const metricValue = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
};

describe('server.workers through npm start', () => {
  it('workers: 2 with the in-memory store is refused with one line, exit 1', async () => {
    const s = await serverSetup({ settings: { server: { workers: 2 } } });
    const p = startServerProcess(s.configFile);
    running.push(p);
    expect(await p.exited).toBe(1);
    expect(p.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(
        /^N_eID-Server failed to start: .*server\.workers: 2 needs sessions\.store: redis/,
      ),
    ]);
  }, 60_000);

  it.runIf(POSTGRES_URL)(
    'two workers, Redis unreachable: the first worker’s one line, exit 1',
    async () => {
      const redisPort = await freePort();
      const s = await serverSetup({
        settings: {
          server: { workers: 2 },
          sessions: { store: 'redis', redisUrl: `redis://127.0.0.1:${redisPort}`, connectTimeoutSeconds: 1 },
          registry: { databaseUrl: POSTGRES_URL, schema: freshSchema() },
        },
      });
      const p = startServerProcess(s.configFile);
      running.push(p);
      expect(await p.exited).toBe(1);
      expect(p.stderr().trim().split('\n')).toEqual([
        expect.stringMatching(
          /^N_eID-Server failed to start: the session store \(Redis at .*\) is unreachable/,
        ),
      ]);
      expect(p.lines.find((l) => l.msg === 'N_eID-Server workers started')).toBeUndefined();
    },
    60_000,
  );

  it.runIf(haveRedisServer() && POSTGRES_URL)(
    'two workers: logins across workers, aggregated /metrics, /ready per worker, SIGTERM drains, exit 0',
    async () => {
      const { s, p } = await startCluster();
      const started = await p.line('N_eID-Server workers started');
      expect(started).toMatchObject({ worker: 'primary', metricsUrl: s.metrics });
      const pids = started.workers as number[];
      expect(pids).toHaveLength(2);
      expect(new Set(pids).size).toBe(2);

      const ready = await fetch(`${s.metrics}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ready',
        checks: { 'session-store': { ok: true }, registry: { ok: true } },
        workers: [
          { worker: 0, pid: pids[0], status: 'ready' },
          { worker: 1, pid: pids[1], status: 'ready' },
        ],
      });

      // New connections go to the workers in turn: within a few logins the TC Token fetch (web
      // listener) and the PAOS conversation (PSK listener) of one login land on different workers.
      const card = writeTestCard(s.pkiDir).file;
      const logins = await loginsUntilCrossed(s.web, card, p);
      const byMsg = (msg: string) => p.lines.filter((l) => l.msg === msg);
      const workersSeen = new Set(
        p.lines
          .filter((l) => ['TC Token issued', 'authentication completed'].includes(l.msg))
          .map((l) => l.worker),
      );
      expect(workersSeen).toEqual(new Set([0, 1]));

      // /metrics on the primary sums both workers' counters.
      const metrics = await (await fetch(`${s.metrics}/metrics`)).text();
      expect(
        metricValue(metrics, 'neid_logins_total{eservice="demo-portal",protocol="saml",outcome="ok"}'),
      ).toBe(logins);
      expect(metricValue(metrics, 'neid_workers{state="running"}')).toBe(2);
      expect(metricValue(metrics, 'neid_workers{state="configured"}')).toBe(2);

      // A worker that dies is started again in its place; meanwhile the instance is not ready.
      process.kill(pids[1]!, 'SIGKILL');
      const exited = await p.line('worker exited; starting another');
      expect(exited).toMatchObject({ worker: 1, pid: pids[1], signal: 'SIGKILL' });
      expect((await fetch(`${s.metrics}/ready`)).status).toBe(503);
      await p.line('worker started again');
      const again = await fetch(`${s.metrics}/ready`);
      expect(again.status).toBe(200);
      const restarted = ((await again.json()) as { workers: { pid: number }[] }).workers[1]!.pid;
      expect(restarted).not.toBe(pids[1]);
      const after = await (await fetch(`${s.metrics}/metrics`)).text();
      expect(metricValue(after, 'neid_worker_restarts_total')).toBe(1);

      // SIGTERM with a login at the consent screen: not ready; the login finishes (its result
      // waits in Redis for the next instance, lifecycle.test.ts), then every worker and the
      // primary exit 0.
      const inFlight = await login(s.web, card, true);
      await inFlight.atConsent;
      p.child.kill('SIGTERM');
      await p.line('shutting down the workers');
      let r = await fetch(`${s.metrics}/ready`);
      for (let i = 0; i < 50 && r.status !== 503; i++) r = await fetch(`${s.metrics}/ready`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ status: 'shutting down' });
      expect(p.child.exitCode).toBeNull();
      inFlight.release();
      await inFlight.finish(false);
      expect(await p.exited).toBe(0);
      expect(
        byMsg('shutting down: no new logins')
          .map((l) => l.worker)
          .sort(),
      ).toEqual([0, 1]);
    },
    180_000,
  );

  it.runIf(haveRedisServer() && POSTGRES_URL)(
    'attached mode (no PSK listener): a TLS session resumes on every worker; a login completes',
    async () => {
      const { s, p } = await startCluster({ psk: { enabled: false } });
      await p.line('N_eID-Server workers started');
      // The eID-Client's PAOS connection resumes the TC Token fetch's TLS 1.2 session; new
      // connections go to the workers in turn, so resumptions reach both: each must succeed.
      const port = Number(new URL(s.web).port);
      const first = await tlsConnect(port);
      expect(first.reused).toBe(false);
      const reused: boolean[] = [];
      for (let i = 0; i < 6; i++) reused.push((await tlsConnect(port, first.session)).reused);
      expect(reused).toEqual([true, true, true, true, true, true]);
      const l = await login(s.web, writeTestCard(s.pkiDir).file);
      await l.finish();
      expect(p.lines.find((x) => x.msg === 'TC Token issued')).toMatchObject({ channel: 'attached' });
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    },
    180_000,
  );
});

/** A TLS 1.2 connection to the web listener (resuming `session`): whether it resumed, and its session. */
function tlsConnect(port: number, session?: Buffer): Promise<{ reused: boolean; session: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      maxVersion: 'TLSv1.2',
      rejectUnauthorized: false,
      ...(session ? { session } : {}),
    });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const reused = socket.isSessionReused();
      const got = socket.getSession();
      socket.end();
      if (!got) reject(new Error('no TLS session'));
      else resolve({ reused, session: got });
    });
  });
}
