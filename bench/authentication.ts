/**
 * Benchmark of the EAC online authentication (issue 4): N authentications,
 * the eID-Client and virtual cards in a separate process, the server in this
 * one. Reports the server's CPU time per authentication (mean and
 * percentiles) with its breakdown, next to the raw crypto floor measured in
 * the same run on the same curve: one EC key generation + one ECDSA signature
 * + one ECDH + one ECDSA verification — the public-key work an
 * authentication cannot avoid. Ratios, not absolute times, are the result:
 * they stay comparable across machines.
 *
 *   npx tsx bench/authentication.ts [--n 40] [--warmup 3] [--curve brainpoolP256r1] [--channel psk|attached] [--same-card]
 *     [--store memory|redis]       (redis: the server's Redis session store, a redis-server on 127.0.0.1:6379)
 *     [--profile out.cpuprofile]   (a CPU profile of the measured authentications only, without set-up and warm-up)
 */
import { spawn } from 'node:child_process';
import { constants, diffieHellman, generateKeyPairSync, privateDecrypt, sign, verify } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createCard } from '../src/card/personalize.js';
import { curveByName } from '../src/crypto/curves.js';
import { CpuMeter } from '../src/workflows/eac-server/meter.js';
import { startTestServer } from '../test/support/server.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '40' },
    curve: { type: 'string', default: 'brainpoolP256r1' },
    channel: { type: 'string', default: 'psk' },
    'same-card': { type: 'boolean', default: false },
    profile: { type: 'string' },
    store: { type: 'string', default: 'memory' },
    warmup: { type: 'string', default: '3' },
  },
});
const N = Number(values.n);
const WARMUP = Number(values.warmup);
const curve = curveByName(values.curve!);

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function cryptoFloor(iterations = 200): number {
  const peer = generateKeyPairSync('ec', { namedCurve: curve.name });
  const data = Buffer.alloc(64, 1);
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const k = generateKeyPairSync('ec', { namedCurve: curve.name });
    const sig = sign(curve.hash, data, { key: k.privateKey, dsaEncoding: 'ieee-p1363' });
    diffieHellman({ privateKey: k.privateKey, publicKey: peer.publicKey });
    verify(curve.hash, data, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
  }
  return cpuMs(process.cpuUsage(t0)) / iterations;
}

/**
 * The public-key work of the TLS handshakes the protocol prescribes, per authentication: the TC
 * Token fetch (ECDHE-ECDSA: an X25519 key pair and agreement, an ECDSA P-256 signature) and, on
 * the PSK channel, RSA-PSK (TR-03124-1; the only PSK suites AusweisApp2 offers): the decryption of
 * the premaster secret with the RSA-3072 key (measured as the raw private-key operation).
 */
function tlsFloor(channel: string, iterations = 100): number {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const block = Buffer.alloc(384, 0);
  block[1] = 2;
  const ecdsa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const peer = generateKeyPairSync('x25519');
  const data = Buffer.alloc(64, 1);
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const k = generateKeyPairSync('x25519');
    diffieHellman({ privateKey: k.privateKey, publicKey: peer.publicKey });
    sign('sha256', data, ecdsa.privateKey);
    if (channel === 'psk') privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_NO_PADDING }, block);
  }
  return cpuMs(process.cpuUsage(t0)) / iterations;
}

/** CPU ms of this process' threads (main thread first), from /proc. */
function threadCpu(): Map<string, number> {
  const m = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      m.set(tid, (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended
    }
  }
  return m;
}

const meter = new CpuMeter();
const ts = await startTestServer({
  curve: curve.name,
  meter,
  store: values.store === 'redis' ? 'redis' : 'memory',
});
const dir = mkdtempSync(join(tmpdir(), 'neid-bench-'));
const cards: string[] = [];
for (let i = 0; i < (values['same-card'] ? 1 : N + WARMUP); i++) {
  const file = join(dir, `card-${i}.json`);
  writeFileSync(file, JSON.stringify(createCard({ pkiDir: ts.pkiDir, pin: '123456' })));
  cards.push(file);
}

const worker = spawn(
  process.execPath,
  ['--import', 'tsx', new URL('./client-worker.ts', import.meta.url).pathname],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: worker.stdout! })[Symbol.asyncIterator]();

async function once(i: number): Promise<number> {
  const created = await ts.server.sessions.create({
    eServiceId: 'demo-portal',
    frontEnd: 'saml',
    required: ['chineseName', 'dateOfBirth', 'householdAddress'],
    optional: ['photo', 'sex'],
    ageVerification: { age: 18, required: false },
    channel: values.channel === 'attached' ? 'attached' : 'psk',
    refreshAddress: `${ts.web}/done`,
  });
  const t0 = process.cpuUsage();
  worker.stdin!.write(`${created.tcTokenUrl}\t${cards[i % cards.length]}\n`);
  const { value } = await lines.next();
  const outcome = await ts.server.sessions.consume(created.sessionId);
  const used = cpuMs(process.cpuUsage(t0));
  if (value !== 'ok' || outcome?.kind !== 'result')
    throw new Error(
      `authentication ${i} failed: ${value} ${outcome?.kind === 'failure' ? outcome.failure.reason : ''}`,
    );
  return used;
}

for (let i = 0; i < WARMUP; i++) await once(i);
meter.reset();
const profiler = values.profile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const th0 = threadCpu();
const samples: number[] = [];
for (let i = 0; i < N; i++) samples.push(await once(WARMUP + i));
const th1 = threadCpu();
const mainThread = ((th1.get(String(process.pid)) ?? 0) - (th0.get(String(process.pid)) ?? 0)) / N;
const allThreads = [...th1].reduce((a, [tid, v]) => a + v - (th0.get(tid) ?? 0), 0) / N;
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(values.profile!, JSON.stringify(profile));
  profiler.disconnect();
}
worker.stdin!.end();
await ts.close();

const floor = cryptoFloor();
const tls = tlsFloor(values.channel!);
const per = (k: string) => (meter.totals.get(k as never) ?? 0) / N;
const crypto = ['ta-signature', 'chip-authentication', 'passive-authentication', 'secure-messaging'];
const xmlAndLogic = per('conversation') - crypto.reduce((a, k) => a + per(k), 0) + per('xml-parse');
const total = mean(samples);
const rows: [string, number][] = [
  ['Terminal Authentication signature', per('ta-signature')],
  ['Chip Authentication (ephemeral key, ECDH, KDF, token)', per('chip-authentication')],
  ['passive authentication (CMS, certificates, CRL)', per('passive-authentication')],
  ['secure messaging (protect / verify batches)', per('secure-messaging')],
  ['PAOS XML and protocol logic', xmlAndLogic],
  ['TLS, HTTP, sessions, the rest', total - per('conversation') - per('xml-parse')],
];
const f = (x: number) => x.toFixed(2).padStart(8);
console.log(
  `\nEAC online authentication benchmark — ${N} authentications (after ${WARMUP} warm-up), curve ${curve.name}, channel ${values.channel}, ${values.store} session store, ${values['same-card'] ? 'one card' : 'a new card each time'}`,
);
console.log(
  `server CPU per authentication: mean ${total.toFixed(2)} ms, p50 ${pct(samples, 50).toFixed(2)} ms, p95 ${pct(samples, 95).toFixed(2)} ms, max ${Math.max(...samples).toFixed(2)} ms`,
);
console.log(`crypto floor (EC keygen + ECDSA sign + ECDH + ECDSA verify, same run): ${floor.toFixed(2)} ms`);
console.log(
  `ratio server CPU / floor: ${(total / floor).toFixed(1)}×; p95 / mean: ${(pct(samples, 95) / total).toFixed(2)}`,
);
console.log(
  `TLS key-exchange floor (${values.channel === 'psk' ? 'RSA-PSK RSA-3072 decryption + ' : ''}the TC Token's ECDHE-ECDSA, same run): ${tls.toFixed(2)} ms; ratio server CPU / (crypto + TLS floor): ${(total / (floor + tls)).toFixed(1)}×`,
);
console.log(
  `threads (from /proc, 10 ms ticks): main thread ${mainThread.toFixed(1)} ms, V8's background threads (JIT compiler, GC) ${(allThreads - mainThread).toFixed(1)} ms per authentication\n`,
);
console.log('breakdown per authentication         ms      share   × floor');
for (const [name, ms] of rows)
  console.log(
    `${name.padEnd(52)}${f(ms)}  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${(ms / floor).toFixed(2).padStart(6)}`,
  );
process.exit(0);
