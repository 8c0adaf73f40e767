/**
 * Issue 4: the eID-Client as a citizen runs it — `neid card create` and
 * `neid-client auth` as separate processes, the browser activation of
 * `neid-client serve` — against a running server.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
