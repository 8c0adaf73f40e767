/**
 * Load benchmark (issue 12): many citizens at once — eID-Clients with virtual cards in separate
 * processes (bench/load-client.ts) — doing complete SAML, OIDC and SOAP logins against the real
 * server (src/server/main.ts, as `npm start` runs it) with the Redis session store and a PostgreSQL
 * registry, once per worker count. Prints logins/s, latency p50/p95/p99, the server's CPU per
 * login (primary and workers, from /proc), its RSS and Redis' memory, the same split per protocol,
 * and the throughput of each worker count relative to one worker.
 *
 *   npm run bench:load -- [--workers 1,2] [--clients 2] [--concurrency 4] [--logins 80] [--warmup 16]
 *                         [--protocols saml,oidc,soap] [--open-sessions N] [--soak N [--soak-samples]]
 *
 * SOAP: each load client process is an eService of its own (bench/soap-eservice.ts), added to this
 *   benchmark's registry with a TLS certificate its CertificateDescription names; it calls the
 *   signed useID over mutual TLS, serves the TC Token from its HTTPS server, and after the EAC
 *   calls getResult and checks ResultMajor ok and the requested attributes. Its signing and TLS
 *   work is load client CPU, not server CPU.
 *
 * --open-sessions N: measures with 100 open (unclaimed) authentication sessions in Redis, fills
 *   up to N (made by SessionService itself, sealed, PSKs mirrored into every worker), measures
 *   again; prints Redis bytes per open session and the p99 ratio N / 100.
 * --soak N: N logins after the measured ones, sampling RSS, the V8 heap in use and the memory outside
 *   it (the server's /metrics) and Redis memory; prints their slope (--soak-samples: every sample)
 *   after the first fifth (warm-up) in bytes per 1000 logins, and the errors.
 *
 * Needs redis-server (a private one is started) and PostgreSQL (NEID_TEST_DATABASE_URL or
 * --database-url; a fresh schema, dropped at the end). Absolute figures depend on the machine;
 * compare the ratios.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { parse } from 'yaml';
import { loadRegistry } from '../src/config/relying-parties.js';
import { PostgresDatabase } from '../src/registry/db/postgres.js';
import { RedisPskDirectory, RedisSessionStore } from '../src/workflows/session/redis-store.js';
import { SessionService } from '../src/workflows/session/service.js';
import { writeTestCard } from '../test/support/card.js';
import { startRedis } from '../test/support/redis.js';
import { freshSchema } from '../test/support/registry-db.js';
import { freePort } from '../test/support/server.js';
import { type ServerProcess, serverSetup, startServerProcess } from '../test/support/server-process.js';
import { soapEServices } from './soap-eservice.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: `1,${availableParallelism()}` },
    clients: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
    logins: { type: 'string', default: '80' },
    warmup: { type: 'string', default: '16' },
    protocols: { type: 'string', default: 'saml,oidc,soap' },
    'open-sessions': { type: 'string', default: '0' },
    soak: { type: 'string', default: '0' },
    'soak-samples': { type: 'boolean', default: false },
    'database-url': { type: 'string', default: process.env.NEID_TEST_DATABASE_URL ?? '' },
  },
});
const CLIENTS = Number(values.clients);
const CONCURRENCY = Number(values.concurrency);
const LOGINS = Number(values.logins);
const WARMUP = Number(values.warmup);
const OPEN = Number(values['open-sessions']);
const SOAK = Number(values.soak);
const PROTOCOLS = values.protocols!.split(',') as ('saml' | 'oidc' | 'soap')[];
for (const p of PROTOCOLS)
  if (!['saml', 'oidc', 'soap'].includes(p)) throw new Error(`--protocols: ${p} is not saml, oidc or soap`);
const DATABASE = values['database-url']!;
if (!DATABASE) throw new Error('bench:load needs PostgreSQL: set NEID_TEST_DATABASE_URL or --database-url');

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const MB = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

/** CPU seconds (user + system) and RSS bytes of processes, from /proc. */
function usage(pids: readonly number[]): { cpu: number; rss: number } {
  let cpu = 0;
  let rss = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    cpu += (Number(f[11]) + Number(f[12])) / 100;
    rss += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  }
  return { cpu, rss };
}

interface Client {
  readonly child: ChildProcess;
  run(n: number): Promise<{ p: string; ms: number; ok: boolean; error?: string }[]>;
}

function startClient(setup: object): Client {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./load-client.ts', import.meta.url).pathname],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  child.stdin!.write(`${JSON.stringify(setup)}\n`);
  return {
    child,
    async run(n) {
      child.stdin!.write(`${JSON.stringify({ run: n })}\n`);
      const results = [];
      for (;;) {
        const { value, done } = await lines.next();
        if (done) throw new Error('a load client exited');
        const r = JSON.parse(value as string);
        if (r.done) return results;
        results.push(r);
      }
    },
  };
}

interface Run {
  readonly p: ServerProcess;
  readonly pids: number[];
  readonly clients: Client[];
  readonly redisMemory: () => Promise<number>;
  /** n logins over all clients; the figures of that phase. */
  measure(n: number): Promise<Figures>;
  fill(total: number): Promise<void>;
  close(): Promise<void>;
}

interface Figures {
  readonly logins: number;
  readonly errors: string[];
  readonly seconds: number;
  readonly latencies: number[];
  /** Logins, latencies and errors of each protocol. */
  readonly protocols: Map<string, { logins: number; latencies: number[]; errors: number }>;
  readonly cpuPerLogin: number;
  /** The load clients' own CPU per login (they share the machine with the server). */
  readonly clientCpuPerLogin: number;
  /** Of which the primary (several workers), per login. */
  readonly primaryCpuPerLogin?: number;
  readonly rss: number;
  readonly redis: number;
  /** V8 heap in use, summed over the workers (the server's /metrics): a leak shows here first. */
  readonly heap: number;
  /** The V8 heap's size (committed), summed over the workers. */
  readonly heapTotal: number;
  /** Memory outside the V8 heap held by JavaScript objects (Buffers), summed over the workers. */
  readonly external: number;
}

async function start(workers: number): Promise<Run> {
  const redis = await startRedis();
  const schema = freshSchema();
  // SOAP: one eService per load client, in this benchmark's registry only.
  const soap = PROTOCOLS.includes('soap') ? await soapEServices(CLIENTS) : undefined;
  const soapPort = await freePort();
  const s = await serverSetup({
    ...(soap ? { eServices: soap.registry } : {}),
    settings: {
      ...(soap ? { soap: { enabled: true, port: soapPort } } : {}),
      server: { workers },
      sessions: {
        store: 'redis',
        redisUrl: redis.url,
        maxUnclaimed: Math.max(10_000, OPEN + 10_000),
        unclaimedTtlSeconds: 3600,
      },
      registry: { databaseUrl: DATABASE, schema },
    },
  });
  const p = startServerProcess(s.configFile);
  const started = await p.line(workers > 1 ? 'N_eID-Server workers started' : 'N_eID-Server started');
  const pids = [p.child.pid!, ...(workers > 1 ? (started.workers as number[]) : [])];
  const cards = Array.from({ length: CLIENTS * CONCURRENCY }, () => writeTestCard(s.pkiDir).file);
  const clients = Array.from({ length: CLIENTS }, (_, i) =>
    startClient({
      web: s.web,
      pkiDir: s.pkiDir,
      cards: cards.slice(i * CONCURRENCY, (i + 1) * CONCURRENCY),
      protocols: PROTOCOLS,
      ...(soap ? { soap: { eService: soap.eServices[i], url: `https://127.0.0.1:${soapPort}` } } : {}),
    }),
  );
  const info = createClient({ url: redis.url });
  await info.connect();
  const redisMemory = async () => Number(/used_memory:(\d+)/.exec(await info.info('memory'))?.[1]);
  /** V8 heap in use and memory outside it (Buffers' backing stores, from process.memoryUsage().external). */
  const heapUsed = async () => {
    const text = await (await fetch(`${s.metrics}/metrics`)).text();
    const value = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.split(' ')[1]) : Number.NaN;
    };
    return {
      heap: value('nodejs_heap_size_used_bytes'),
      heapTotal: value('nodejs_heap_size_total_bytes'),
      external: value('nodejs_external_memory_bytes'),
    };
  };
  let filler: { sessions: SessionService; close(): Promise<void> } | undefined;
  return {
    p,
    pids,
    clients,
    redisMemory,
    async measure(n) {
      const before = usage(pids);
      const primary0 = usage(pids.slice(0, 1));
      const clientPids = clients.map((c) => c.child.pid!);
      const clients0 = usage(clientPids);
      const t0 = performance.now();
      const share = (i: number) => Math.floor(n / CLIENTS) + (i < n % CLIENTS ? 1 : 0);
      const results = (await Promise.all(clients.map((c, i) => c.run(share(i))))).flat();
      const seconds = (performance.now() - t0) / 1000;
      const after = usage(pids);
      const primary1 = usage(pids.slice(0, 1));
      const clients1 = usage(clientPids);
      const protocols = new Map<string, { logins: number; latencies: number[]; errors: number }>();
      for (const r of results) {
        const x = protocols.get(r.p) ?? { logins: 0, latencies: [], errors: 0 };
        x.logins++;
        if (r.ok) x.latencies.push(r.ms);
        else x.errors++;
        protocols.set(r.p, x);
      }
      return {
        protocols,
        ...(workers > 1
          ? { primaryCpuPerLogin: ((primary1.cpu - primary0.cpu) * 1000) / results.length }
          : {}),
        logins: results.length,
        errors: results.filter((r) => !r.ok).map((r) => `${r.p}: ${r.error}`),
        seconds,
        latencies: results.filter((r) => r.ok).map((r) => r.ms),
        cpuPerLogin: ((after.cpu - before.cpu) * 1000) / results.length,
        clientCpuPerLogin: ((clients1.cpu - clients0.cpu) * 1000) / results.length,
        rss: after.rss,
        redis: await redisMemory(),
        ...(await heapUsed()),
      };
    },
    async fill(total) {
      if (!filler) {
        const key = Buffer.from(readFileSync(join(s.dir, 'var/session.key'), 'utf8').trim(), 'hex');
        const o = { url: redis.url, key };
        const store = await RedisSessionStore.connect(o);
        const psks = await RedisPskDirectory.connect(o);
        const registry = loadRegistry(join(s.dir, 'relying-parties.yaml'), { pkiDir: s.pkiDir });
        const pskPort = (parse(readFileSync(s.configFile, 'utf8')) as { psk: { port: number } }).psk.port;
        const sessions = new SessionService({
          store,
          psks,
          eService: (id) => registry.get(id),
          eidUrl: s.web,
          pskUrl: `https://127.0.0.1:${pskPort}`,
          ttlMs: 600_000,
          unclaimedTtlMs: 3_600_000,
          maxUnclaimed: OPEN + 10_000,
          resultTtlMs: 120_000,
        });
        filler = {
          sessions,
          close: async () => {
            await store.close();
            await psks.close();
          },
        };
      }
      const open = async () =>
        Number(await info.zCard('neid:unclaimed')) + Number(await info.zCard('neid:open:demo-portal'));
      let have = await open();
      while (have < total) {
        const batch = Math.min(500, total - have);
        await Promise.all(
          Array.from({ length: batch }, () =>
            filler!.sessions.create({
              eServiceId: 'demo-portal',
              frontEnd: 'saml',
              required: ['chineseName', 'dateOfBirth'],
              optional: [],
              channel: 'psk',
              refreshAddress: `${s.web}/eid/return/x`,
            }),
          ),
        );
        have += batch;
      }
    },
    async close() {
      for (const c of clients) c.child.stdin!.end();
      await filler?.close();
      await info.quit();
      p.child.kill('SIGTERM');
      await p.exited;
      await redis.stop();
      const db = await PostgresDatabase.open({ url: DATABASE, schema, connectTimeoutMs: 5000 });
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.close();
    },
  };
}

function report(label: string, f: Figures): void {
  const l = f.latencies;
  console.log(
    `${label}: ${f.logins} logins in ${f.seconds.toFixed(1)} s = ${(f.logins / f.seconds).toFixed(2)} logins/s; ` +
      `latency p50 ${pct(l, 50).toFixed(0)} ms, p95 ${pct(l, 95).toFixed(0)} ms, p99 ${pct(l, 99).toFixed(0)} ms; ` +
      `server CPU per login ${f.cpuPerLogin.toFixed(1)} ms${f.primaryCpuPerLogin !== undefined ? ` (primary ${f.primaryCpuPerLogin.toFixed(1)})` : ''}; server RSS ${MB(f.rss)}; Redis ${MB(f.redis)}; errors ${f.errors.length}`,
  );
  const ceiling = (availableParallelism() * 1000) / (f.cpuPerLogin + f.clientCpuPerLogin);
  console.log(
    `  load clients' CPU per login ${f.clientCpuPerLogin.toFixed(1)} ms (same machine): the cores allow at most ${ceiling.toFixed(1)} logins/s with them`,
  );
  if (f.protocols.size > 1)
    for (const [p, x] of f.protocols)
      console.log(
        `  ${p}: ${x.logins} logins = ${(x.logins / f.seconds).toFixed(2)} logins/s; ` +
          `latency p50 ${pct(x.latencies, 50).toFixed(0)} ms, p95 ${pct(x.latencies, 95).toFixed(0)} ms, p99 ${pct(x.latencies, 99).toFixed(0)} ms; errors ${x.errors}`,
      );
  for (const e of [...new Set(f.errors)].slice(0, 5)) console.log(`  error: ${e}`);
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const num = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return den ? num / den : 0;
}

console.log(
  `\nLoad benchmark — ${CLIENTS} client processes × ${CONCURRENCY} citizens, ${PROTOCOLS.join(' + ')} logins, ` +
    `Redis store, PostgreSQL registry, ${availableParallelism()} cores; ${LOGINS} measured logins after ${WARMUP} warm-up`,
);
const throughput = new Map<number, number>();
let failed = 0;
for (const workers of values.workers!.split(',').map(Number)) {
  const run = await start(workers);
  try {
    await run.measure(WARMUP);
    const f = await run.measure(LOGINS);
    failed += f.errors.length;
    report(`workers ${workers}`, f);
    throughput.set(workers, f.logins / f.seconds);
    if (OPEN > 0) {
      await run.fill(100);
      const base = await run.measure(LOGINS);
      const m0 = await run.redisMemory();
      await run.fill(OPEN);
      const m1 = await run.redisMemory();
      const many = await run.measure(LOGINS);
      failed += base.errors.length + many.errors.length;
      report(`  with 100 open sessions`, base);
      report(`  with ${OPEN} open sessions`, many);
      console.log(
        `  Redis bytes per open session: ${((m1 - m0) / (OPEN - 100)).toFixed(0)}; p99 ratio ${OPEN} / 100 open: ${(pct(many.latencies, 99) / pct(base.latencies, 99)).toFixed(2)}`,
      );
    }
    if (SOAK > 0) {
      const step = Math.max(CLIENTS * CONCURRENCY, Math.round(SOAK / 20));
      const at: number[] = [];
      const rss: number[] = [];
      const heap: number[] = [];
      const external: number[] = [];
      const redis: number[] = [];
      let errors = 0;
      for (let done = 0; done < SOAK; ) {
        const f = await run.measure(Math.min(step, SOAK - done));
        done += f.logins;
        errors += f.errors.length;
        at.push(done);
        rss.push(f.rss);
        heap.push(f.heap);
        external.push(f.external);
        redis.push(f.redis);
        if (values['soak-samples'])
          console.log(
            `    after ${done}: RSS ${MB(f.rss)}, V8 heap ${MB(f.heap)} of ${MB(f.heapTotal)}, external ${MB(f.external)}, Redis ${MB(f.redis)}, errors ${f.errors.length}`,
          );
      }
      failed += errors;
      const from = Math.floor(at.length / 5);
      const k = (ys: number[]) => (slope(at.slice(from), ys.slice(from)) * 1000) / 1024;
      console.log(
        `  soak ${SOAK} logins: RSS ${MB(rss[0]!)} → ${MB(rss.at(-1)!)}, slope after warm-up ${k(rss).toFixed(1)} KiB per 1000 logins; ` +
          `V8 heap used ${MB(heap[0]!)} → ${MB(heap.at(-1)!)}, slope ${k(heap).toFixed(1)} KiB per 1000 logins; ` +
          `external ${MB(external[0]!)} → ${MB(external.at(-1)!)}, slope ${k(external).toFixed(1)} KiB per 1000 logins; ` +
          `Redis ${MB(redis[0]!)} → ${MB(redis.at(-1)!)}, slope ${k(redis).toFixed(1)} KiB per 1000 logins; errors ${errors}`,
      );
    }
  } finally {
    await run.close();
  }
}
const [one, ...more] = [...throughput.entries()];
for (const [w, t] of more)
  console.log(`throughput ${w} workers / ${one![0]} worker: ${(t / one![1]).toFixed(2)}×`);
process.exit(failed ? 1 : 0);
