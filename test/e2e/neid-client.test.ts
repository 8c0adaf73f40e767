/**
 * Issue 4: the eID-Client as a citizen runs it — `neid card create` and
 * `neid-client auth` as separate processes, the browser activation of
 * `neid-client serve` — against a running server.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVirtualCard } from '../../src/client/card-source.js';
import { startClientServer } from '../../src/client/serve.js';
import { runClient, runNeid } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

let ts: TestServer;
let card: string;
beforeAll(async () => {
  ts = await startTestServer();
  card = join(mkdtempSync(join(tmpdir(), 'neid-cli-')), 'card.json');
  const r = await runNeid([
    'card',
    'create',
    '--pki',
    ts.pkiDir,
    '--out',
    card,
    '--set',
    'chineseName=張𪚥',
    '--pin',
    '246810',
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).not.toContain('張');
}, 120_000);
afterAll(async () => ts?.close());

const session = (o: { optional?: ('photo' | 'sex')[] } = {}) =>
  ts.server.sessions.create({
    eServiceId: 'demo-portal',
    frontEnd: 'saml',
    required: ['chineseName'],
    optional: o.optional ?? ['photo', 'sex'],
    channel: 'psk',
    refreshAddress: `${ts.web}/done`,
  });

describe('neid-client', () => {
  it('auth: runs the whole TR-03124 flow with a card file and prints the outcome', async () => {
    const created = await session();
    const r = await runClient([
      'auth',
      '--tctoken-url',
      created.tcTokenUrl,
      '--card',
      card,
      '--pin',
      '246810',
      '--deselect',
      'photo',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.redirectUrl).toBe(`${ts.web}/done?ResultMajor=ok`);
    const result = await ts.server.sessions.consume(created.sessionId);
    expect(result?.kind === 'result' && result.result.fields.chineseName).toBe('張𪚥');
    expect(result?.kind === 'result' && result.result.operations.photo).toBe('PROHIBITED');
  });

  it('auth: a wrong PIN exits 1 with the error and counts down the card', async () => {
    const created = await session();
    const r = await runClient([
      'auth',
      '--tctoken-url',
      created.tcTokenUrl,
      '--card',
      card,
      '--pin',
      '111111',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/wrong PIN \(2 attempt/);
    expect(JSON.parse(readFileSync(card, 'utf8')).retryCounters.pin).toBe(2);
    // The right PIN resets the counter.
    const ok = await runClient([
      'auth',
      '--tctoken-url',
      (await session()).tcTokenUrl,
      '--card',
      card,
      '--pin',
      '246810',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(card, 'utf8')).retryCounters.pin).toBe(3);
  });

  it('auth: usage errors exit 2', async () => {
    expect((await runClient(['auth', '--card', card, '--pin', '1'])).code).toBe(2);
    expect(
      (
        await runClient([
          'auth',
          '--tctoken-url',
          'https://x/',
          '--card',
          card,
          '--pin',
          '246810',
          '--deselect',
          'shoeSize',
        ])
      ).code,
    ).toBe(2);
  });

  it('serve: browser activation shows the consent page, takes the PIN and redirects to the refresh URL', async () => {
    const server = await startClientServer({
      host: '127.0.0.1',
      port: 0,
      openCard: () => openVirtualCard(card),
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const get = (path: string) =>
        new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
          request(`${base}${path}`, (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                ...(res.headers.location ? { location: res.headers.location } : {}),
                body,
              }),
            );
          })
            .on('error', reject)
            .end();
        });
      const post = (path: string, form: string) =>
        new Promise<{ status: number; location?: string }>((resolve, reject) => {
          const req = request(
            `${base}${path}`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
            },
            (res) => {
              res.resume();
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  ...(res.headers.location ? { location: res.headers.location } : {}),
                }),
              );
            },
          );
          req.on('error', reject);
          req.end(form);
        });
      const created = await session({ optional: ['sex'] });
      const start = await get(`/eID-Client?tcTokenURL=${encodeURIComponent(created.tcTokenUrl)}`);
      expect(start.status).toBe(303);
      const job = start.location!;
      let page = await get(job);
      for (let i = 0; i < 50 && !page.body.includes('PIN1'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        page = await get(job);
      }
      expect(page.body).toContain('示範政府服務入口網');
      expect(page.body).toContain('中文姓名');
      expect(page.body).toContain('性別');
      // A browser sends the ticked boxes (the optional field is ticked by default).
      const done = await post(job, 'keep=sex&action=accept&pin=246810');
      expect(done.status).toBe(303);
      let final = await get(job);
      for (let i = 0; i < 100 && final.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        final = await get(job);
      }
      expect(final.status).toBe(303);
      expect(final.location).toBe(`${ts.web}/done?ResultMajor=ok`);
      const result = await ts.server.sessions.consume(created.sessionId);
      expect(result?.kind).toBe('result');
      // The citizen unticked nothing: sex released too.
      expect(result?.kind === 'result' && result.result.operations.sex).toBe('ALLOWED');
    } finally {
      await server.close();
    }
  });
});
