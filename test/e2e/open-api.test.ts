/**
 * Issue 17: the Open API end to end, with the real command lines as separate
 * processes — `neid-client read-public` on a virtual card, `neid verify-public`
 * (one-shot and `--serve`) against the trust material of a running server —
 * and proof that the server sees nothing of the card: during verification it
 * receives only GETs of /trust/ documents, none carrying card data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountTrust } from '../../src/interfaces/trust/mount.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import type { TrustMaterial } from '../../src/provisioning/trust-material.js';
import { writeTestCard } from '../support/card.js';
import { ROOT, runClient, runNeid } from '../support/cli.js';
import { freePort, startTestServer, type TestServer, webCertificates } from '../support/server.js';

const CAN = '246801';
let ts: TestServer;
let material: TrustMaterial | undefined;
let dir: string;
let cardFile: string;
let card: ReturnType<typeof writeTestCard>['json'];
const seen: { method: string; url: string; headers: string; length: number }[] = [];

beforeAll(async () => {
  ts = await startTestServer({
    mount: (s) => {
      // Records every request the web listener receives, before any route.
      s.webApp.use(async (ctx, next) => {
        seen.push({
          method: ctx.method,
          url: ctx.url,
          headers: JSON.stringify(ctx.headers),
          length: Number(ctx.get('content-length') || 0),
        });
        await next();
      });
      material = mountTrust(s);
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'neid-open-api-e2e-'));
  const w = writeTestCard(ts.pkiDir, { can: CAN });
  cardFile = w.file;
  card = w.json;
  writeFileSync(join(dir, 'tls-ca.pem'), webCertificates(ts.server));
}, 120_000);
afterAll(async () => ts?.close());

const key = () => join(dir, 'challenge.key');
const trustArgs = () => [
  '--trust',
  `${ts.web}/trust/`,
  '--anchor',
  join(ts.pkiDir, PKI_FILES.cscaCert),
  '--tls-ca',
  join(dir, 'tls-ca.pem'),
];

async function newChallenge(): Promise<string> {
  const r = await runNeid(['verify-public', '--new-challenge', '--challenge-key', key()]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

async function readPublic(challenge: string, out: string): Promise<void> {
  const r = await runClient([
    'read-public',
    '--can',
    CAN,
    '--card',
    cardFile,
    '--challenge',
    challenge,
    '--out',
    out,
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/chip authentication: performed/);
  expect(r.stdout).toBe('');
}

/** Values of the card that must never reach the server. */
const cardData = () => {
  const f = card.fields as Record<string, unknown>;
  const bundle = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8'));
  return [
    String(f.nationalIdNumber),
    String(f.cardNumber),
    encodeURIComponent(String(f.chineseName)),
    String(f.romanizedName),
    CAN,
    bundle.cardSecurity.slice(0, 40),
    bundle.chipAuthentication.token,
  ];
};

describe('Open API: read-public → verify-public', () => {
  it('verifies a bundle read with the CAN against the server’s trust material, and the server sees no card data', async () => {
    await readPublic(await newChallenge(), join(dir, 'bundle.json'));
    expect(seen).toEqual([]); // the reader never talks to the server either
    seen.length = 0;
    const r = await runNeid([
      'verify-public',
      join(dir, 'bundle.json'),
      ...trustArgs(),
      '--challenge-key',
      key(),
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.match(/^ {2}PASS /gm)).toHaveLength(11);
    expect(r.stdout).toContain('RESULT: VERIFIED');
    expect(r.stdout).toContain('中文姓名 Name (Chinese): 陳\u{2A6A5}華');
    expect(r.stdout).toContain(
      `統一編號 National ID number: ${(card.fields as { nationalIdNumber: string }).nationalIdNumber}`,
    );

    // What the server received meanwhile: the three trust documents, fetched without a body.
    expect(seen.map((s) => `${s.method} ${s.url}`).sort()).toEqual([
      'GET /trust/card-revocation.cms',
      'GET /trust/csca-master-list.ml',
      'GET /trust/csca.crl',
    ]);
    for (const s of seen) {
      expect(s.length).toBe(0);
      for (const v of cardData()) expect(`${s.url} ${s.headers}`).not.toContain(v);
    }
  });

  it('refuses the same bundle again (the challenge was used) and a tampered one, naming the check', async () => {
    const again = await runNeid([
      'verify-public',
      join(dir, 'bundle.json'),
      ...trustArgs(),
      '--challenge-key',
      key(),
    ]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/RESULT: REFUSED at chip-authentication \(challenge-replayed\)/);
    expect(again.stdout).not.toContain('fields:');

    await readPublic(await newChallenge(), join(dir, 'fresh.json'));
    const b = JSON.parse(readFileSync(join(dir, 'fresh.json'), 'utf8'));
    const dg6 = Buffer.from(b.dataGroups['6'], 'base64');
    dg6[dg6.length - 1] = 0x30 + ((dg6[dg6.length - 1]! - 0x30 + 1) % 10);
    b.dataGroups['6'] = dg6.toString('base64');
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(b));
    const r = await runNeid([
      'verify-public',
      join(dir, 'tampered.json'),
      ...trustArgs(),
      '--challenge-key',
      key(),
      '--json',
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.failure).toMatchObject({ check: 'data-group-hashes', reason: 'hash-mismatch' });
    expect(out.fields).toBeUndefined();
  });

  it('refuses a card once it is revoked (neid revocation add → the published list)', async () => {
    const other = writeTestCard(ts.pkiDir, { can: CAN });
    const revoke = await runNeid(['revocation', 'add', '--card', other.file, '--pki', ts.pkiDir]);
    expect(revoke.code, revoke.stderr).toBe(0);
    material?.reload();
    const challenge = await newChallenge();
    const r0 = await runClient([
      'read-public',
      '--can',
      CAN,
      '--card',
      other.file,
      '--challenge',
      challenge,
      '--out',
      join(dir, 'revoked.json'),
    ]);
    expect(r0.code, r0.stderr).toBe(0);
    const r = await runNeid([
      'verify-public',
      join(dir, 'revoked.json'),
      ...trustArgs(),
      '--challenge-key',
      key(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}revocation/);
    expect(r.stdout).toMatch(/RESULT: REFUSED at revocation \(revoked\)/);
  });

  it('neid verify-public --serve: challenge, verify, health; logs outcomes only', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/neid.ts',
        'verify-public',
        '--serve',
        '--port',
        String(port),
        ...trustArgs(),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    try {
      for (let i = 0; i < 300 && !output.includes('verifier listening'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain('verifier listening');
      const call = (method: string, path: string, body?: string) =>
        new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json' } },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      expect((await call('GET', '/health')).status).toBe(200);
      const c = await call('POST', '/challenge');
      expect(c.status).toBe(200);
      await readPublic(String(c.json.challenge), join(dir, 'served.json'));
      const bundle = readFileSync(join(dir, 'served.json'), 'utf8');
      const v = await call('POST', '/verify', bundle);
      expect(v.status).toBe(200);
      expect(v.json.ok).toBe(true);
      expect((v.json.fields as Record<string, unknown>).chineseName).toBe('陳\u{2A6A5}華');
      const replayed = await call('POST', '/verify', bundle);
      expect(replayed.json.failure).toMatchObject({
        check: 'chip-authentication',
        reason: 'challenge-replayed',
      });
      expect((await call('POST', '/verify', 'x'.repeat(70_000))).status).toBe(413);

      expect(output).toMatch(/"outcome":"verified"/);
      expect(output).toMatch(
        /"outcome":"refused","check":"chip-authentication","reason":"challenge-replayed"/,
      );
      for (const value of cardData()) expect(output).not.toContain(value);
      expect(output).not.toContain('陳');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
