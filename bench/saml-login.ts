/**
 * Benchmark of full SAML logins (issue 6): signed AuthnRequest → EAC online
 * authentication → signed Response with an encrypted, signed Assertion. The
 * server (the SAML IdP mounted, default registry, SP `demo-portal` with the
 * TR-03116-4 algorithms) runs alone in this process; the SP, the browser and
 * the eID-Client with its virtual cards run in bench/saml-sp-worker.ts, which
 * verifies and decrypts every Response and fails the run otherwise.
 *
 * Reports the server's CPU time per login and per response generation (the
 * GET /eid/return/<ref> request, from the start of its Koa handling until the
 * response is flushed), each next to a crypto floor measured in the same run:
 * for the response, one RSA-OAEP-3072 key transport + two ECDSA P-256
 * signatures (Assertion and Response) + AES-256-GCM over the assertion; for
 * the EAC part, the floor of bench/authentication.ts (EC keygen + ECDSA sign
 * + ECDH + ECDSA verify on the PKI curve). Ratios, not absolute times, are
 * the result: they stay comparable across machines. The response is broken
 * down into its signing and encryption steps (timed apart on the last
 * login's assertion), the rest of the handler and the sending.
 *
 *   npx tsx bench/saml-login.ts [--n 30] [--warmup 3] [--same-card] [--extension]
 *
 * The JIT keeps speeding up the XML code for tens of logins: compare runs
 * with the same --warmup (about 30 reaches the steady state).
 *
 * --extension requests the attributes (and an age verification) in the
 * TR-03130 EncryptedAuthnRequestExtension instead of the SP metadata's
 * AttributeConsumingService.
 */
import { spawn } from 'node:child_process';
import {
  constants,
  createCipheriv,
  createPrivateKey,
  diffieHellman,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type Koa from 'koa';
import { createCard } from '../src/card/personalize.js';
import { curveByName } from '../src/crypto/curves.js';
import { OUTBOUND, SIG } from '../src/interfaces/saml/algorithms.js';
import { keySigner } from '../src/interfaces/saml/crypto/keys.js';
import { mountSamlIdp } from '../src/interfaces/saml/idp.js';
import { buildResponse, signAssertion, signResponse } from '../src/interfaces/saml/messages/response.js';
import { SUCCESS } from '../src/interfaces/saml/status.js';
import { PKI_FILES } from '../src/pki/layout.js';
import { ROOT } from '../test/support/cli.js';
import { startTestServer } from '../test/support/server.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    'same-card': { type: 'boolean', default: false },
    extension: { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const WARMUP = Number(values.warmup);

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stats = (xs: number[]) =>
  `mean ${mean(xs).toFixed(2)} ms, p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;

/**
 * Server CPU of the requests whose path starts with one of these prefixes
 * (logins run one at a time): the handler (until the route returns) and the
 * whole request (until the response is flushed: Koa respond, TLS write).
 */
const METERED = { sso: '/saml/sso', response: '/eid/return/' } as const;
type Metered = keyof typeof METERED;
const requestCpu: Record<Metered, number[]> = { sso: [], response: [] };
const handlerCpu: number[] = [];
async function requestMeter(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  const kind = (Object.keys(METERED) as Metered[]).find((k) => ctx.path.startsWith(METERED[k]));
  if (!kind) return next();
  const t0 = process.cpuUsage();
  ctx.res.once('finish', () => requestCpu[kind].push(cpuMs(process.cpuUsage(t0))));
  await next();
  if (kind === 'response') handlerCpu.push(cpuMs(process.cpuUsage(t0)));
}

const ts = await startTestServer({
  mount: (s) => {
    s.webApp.use(requestMeter); // registered before the router: it wraps every route
    mountSamlIdp(s);
  },
});
const curve = curveByName(ts.config.pki.curve);
const dir = mkdtempSync(join(tmpdir(), 'neid-bench-saml-'));
const cards: string[] = [];
for (let i = 0; i < (values['same-card'] ? 1 : N + WARMUP); i++) {
  const file = join(dir, `card-${i}.json`);
  writeFileSync(file, JSON.stringify(createCard({ pkiDir: ts.pkiDir, pin: '123456' })));
  cards.push(file);
}

const worker = spawn(
  process.execPath,
  ['--import', 'tsx', new URL('./saml-sp-worker.ts', import.meta.url).pathname],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: worker.stdout! })[Symbol.asyncIterator]();
worker.stdin!.write(`${JSON.stringify({ web: ts.web, pkiDir: ts.pkiDir, extension: values.extension })}\n`);

interface LoginReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly attributes?: number;
  /** The decrypted, signed Assertion of the login. */
  readonly assertion?: string;
}
let last: LoginReply = { ok: false };

async function once(i: number): Promise<number> {
  const before = requestCpu.response.length;
  const t0 = process.cpuUsage();
  worker.stdin!.write(`${JSON.stringify({ card: cards[i % cards.length] })}\n`);
  const { value, done } = await lines.next();
  const used = cpuMs(process.cpuUsage(t0));
  if (done) throw new Error(`the SP worker ended before login ${i}`);
  last = JSON.parse(value) as LoginReply;
  if (!last.ok) throw new Error(`login ${i} failed: ${last.error}`);
  if (requestCpu.response.length !== before + 1) throw new Error(`login ${i}: the response was not metered`);
  return used;
}

/** The keys of response generation: the IdP's ECDSA signing key, the SP's RSA-3072 encryption certificate. */
const idpSigner = keySigner(
  createPrivateKey(readFileSync(join(ts.pkiDir, PKI_FILES.samlSigningEcKey))),
  new X509Certificate(readFileSync(join(ts.pkiDir, PKI_FILES.samlSigningEcCert))),
  SIG.ecdsaSha256,
);
const spEncryptionKey = new X509Certificate(readFileSync(join(ROOT, 'metadata/demo-portal/encryption.pem')))
  .publicKey;

const timed = (iterations: number, fn: () => unknown): number => {
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn();
  return cpuMs(process.cpuUsage(t0)) / iterations;
};

function responseFloor(assertionBytes: number): number {
  const signedInfo = Buffer.alloc(700, 0x3c);
  const assertion = randomBytes(assertionBytes);
  return timed(200, () => {
    const cek = randomBytes(32);
    publicEncrypt(
      { key: spEncryptionKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      cek,
    );
    const gcm = createCipheriv('aes-256-gcm', cek, randomBytes(12));
    gcm.update(assertion);
    gcm.final();
    gcm.getAuthTag();
    idpSigner.sign(signedInfo);
    idpSigner.sign(signedInfo);
  });
}

/**
 * The building blocks of response generation (answer.ts `finishLogin` →
 * `deliver`), timed here on the Assertion of the last login with the same
 * keys and algorithms: what remains of the measured response is session,
 * assertion and attribute XML, the form, Koa and TLS.
 */
function responseParts(signed: string, iterations = 100): [string, number][] {
  const unsigned = signed.replace(/<ds:Signature\b[\s\S]*?<\/ds:Signature>/, '');
  if (unsigned === signed) throw new Error('no ds:Signature in the assertion');
  const outbound = OUTBOUND['tr-03116-4'];
  const sp = { outbound, encryptionKey: spEncryptionKey };
  const params = {
    idpEntityId: `${ts.web}/saml/metadata`,
    destination: 'https://127.0.0.1:8443/demo/portal/saml/acs',
    inResponseTo: '_0123456789abcdef0123456789abcdef01234567',
    status: SUCCESS,
    now: Date.now(),
    signedAssertion: signed,
  };
  const response = buildResponse(params, sp);
  return [
    [
      'signAssertion (exclusive c14n, digest, ECDSA, splice)',
      timed(iterations, () => signAssertion(unsigned, idpSigner, outbound)),
    ],
    [
      'buildResponse (encryptElement: AES-256-GCM, RSA-OAEP)',
      timed(iterations, () => buildResponse(params, sp)),
    ],
    [
      'signResponse (exclusive c14n, digest, ECDSA, splice)',
      timed(iterations, () => signResponse(response, idpSigner, outbound)),
    ],
  ];
}

function eacFloor(): number {
  const peer = generateKeyPairSync('ec', { namedCurve: curve.name });
  const data = Buffer.alloc(64, 1);
  return timed(200, () => {
    const k = generateKeyPairSync('ec', { namedCurve: curve.name });
    const sig = sign(curve.hash, data, { key: k.privateKey, dsaEncoding: 'ieee-p1363' });
    diffieHellman({ privateKey: k.privateKey, publicKey: peer.publicKey });
    verify(curve.hash, data, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, sig);
  });
}

for (let i = 0; i < WARMUP; i++) await once(i);
requestCpu.sso.length = 0;
requestCpu.response.length = 0;
handlerCpu.length = 0;
const samples: number[] = [];
for (let i = 0; i < N; i++) samples.push(await once(WARMUP + i));
worker.stdin!.end();
await ts.close();

const sso = requestCpu.sso;
const response = requestCpu.response;
const assertionBytes = Buffer.byteLength(last.assertion ?? '');
const parts = responseParts(last.assertion ?? '');
const rFloor = responseFloor(assertionBytes);
const eFloor = eacFloor();
const total = mean(samples);
const eac = total - mean(sso) - mean(response);

const f = (x: number) => x.toFixed(2).padStart(8);
console.log(
  `\nSAML login benchmark — ${N} logins (after ${WARMUP} warm-up), SP demo-portal (ECDSA P-256, AES-256-GCM, RSA-OAEP-3072), attributes from ${values.extension ? 'the EncryptedAuthnRequestExtension' : 'the SP metadata'}, ${values['same-card'] ? 'one card' : 'a new card each time'}, EAC curve ${curve.name}`,
);
console.log(
  `assertion: ${assertionBytes} bytes before encryption, ${last.attributes} attributes (photo included)`,
);
console.log(`server CPU per login:               ${stats(samples)}`);
console.log(`server CPU per response generation: ${stats(response)}`);
console.log(
  `response crypto floor (RSA-OAEP-3072 of a 32-byte key + 2 × ECDSA P-256 sign + AES-256-GCM over the assertion, same run): ${rFloor.toFixed(2)} ms`,
);
console.log(`ratio response CPU / response floor: ${(mean(response) / rFloor).toFixed(1)}×`);
console.log(
  `EAC crypto floor (EC keygen + ECDSA sign + ECDH + ECDSA verify on ${curve.name}, as bench/authentication.ts): ${eFloor.toFixed(2)} ms`,
);
console.log(`ratio EAC part / EAC floor: ${(eac / eFloor).toFixed(1)}×\n`);
const rows: [string, number, number | undefined][] = [
  ['SSO request (AuthnRequest checks, session, activation page)', mean(sso), undefined],
  ['EAC and the rest (login − SSO − response: TC token, TLS, PAOS)', eac, eFloor],
  ['response generation (GET /eid/return/<ref>)', mean(response), rFloor],
];
console.log(`${'breakdown per login'.padEnd(80)}      ms   share   × its floor`);
for (const [name, ms, floor] of rows)
  console.log(
    `${name.padEnd(80)}${f(ms)}  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${(floor ? (ms / floor).toFixed(2) : '–').padStart(6)}`,
  );
const handler = mean(handlerCpu);
const partsTotal = parts.reduce((a, [, ms]) => a + ms, 0);
const responseRows: [string, number][] = [
  ...parts,
  [
    'rest of the handler (session, assertion XML, form; steps above run colder in situ)',
    handler - partsTotal,
  ],
  ['sending (Koa respond, HTTP, TLS write)', mean(response) - handler],
];
console.log(
  `\n${'response generation (the crypto steps timed apart on the last assertion)'.padEnd(80)}      ms   share   × floor`,
);
for (const [name, ms] of responseRows)
  console.log(
    `${name.padEnd(80)}${f(ms)}  ${((100 * ms) / mean(response)).toFixed(1).padStart(5)} %  ${(ms / rFloor).toFixed(2).padStart(6)}`,
  );
process.exit(0);
