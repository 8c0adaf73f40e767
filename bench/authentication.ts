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
 *   npx tsx bench/authentication.ts [--n 40] [--curve brainpoolP256r1] [--channel psk|attached] [--same-card]
 */
import { spawn } from 'node:child_process';
import { diffieHellman, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  },
});
const N = Number(values.n);
const WARMUP = 3;
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

const meter = new CpuMeter();
const ts = await startTestServer({ curve: curve.name, meter });
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
const samples: number[] = [];
for (let i = 0; i < N; i++) samples.push(await once(WARMUP + i));
worker.stdin!.end();
await ts.close();

const floor = cryptoFloor();
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
  `\nEAC online authentication benchmark — ${N} authentications (after ${WARMUP} warm-up), curve ${curve.name}, channel ${values.channel}, ${values['same-card'] ? 'one card' : 'a new card each time'}`,
);
console.log(
  `server CPU per authentication: mean ${total.toFixed(2)} ms, p50 ${pct(samples, 50).toFixed(2)} ms, p95 ${pct(samples, 95).toFixed(2)} ms, max ${Math.max(...samples).toFixed(2)} ms`,
);
console.log(`crypto floor (EC keygen + ECDSA sign + ECDH + ECDSA verify, same run): ${floor.toFixed(2)} ms`);
console.log(`ratio server CPU / floor: ${(total / floor).toFixed(1)}×\n`);
console.log('breakdown per authentication         ms      share   × floor');
for (const [name, ms] of rows)
  console.log(
    `${name.padEnd(52)}${f(ms)}  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${(ms / floor).toFixed(2).padStart(6)}`,
  );
process.exit(0);
