/**
 * Issue 4: the eID-Client as a citizen runs it — `neid card create` and
 * `neid-client auth` as separate processes, the browser activation of
 * `neid-client serve` — against a running server.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestCard } from '../support/card.js';
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

const session = (o: { optional?: ('photo' | 'sex')[]; refreshAddress?: string } = {}) =>
  ts.server.sessions.create({
    eServiceId: 'demo-portal',
    frontEnd: 'saml',
    required: ['chineseName'],
    optional: o.optional ?? ['photo', 'sex'],
    channel: 'psk',
    refreshAddress: o.refreshAddress ?? `${ts.web}/done`,
  });

const auth = (tcTokenUrl: string, cardFile: string, ...more: string[]) =>
  runClient(['auth', '--tctoken-url', tcTokenUrl, '--card', cardFile, ...more]);

async function failureOf(sessionId: string) {
  const o = await ts.server.sessions.consume(sessionId);
  return o?.kind === 'failure' ? o.failure : undefined;
}

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

  it('auth: a revoked card — the card exchange ends OK (TR-03130-4 C1_2_09), the verdict goes to the eService', async () => {
    const revoked = writeTestCard(ts.pkiDir);
    const add = await runNeid(['revocation', 'add', '--card', revoked.file, '--pki', ts.pkiDir]);
    expect(add.code, add.stderr).toBe(0);
    ts.server.revocation.reload(); // the server reloads the list every 30 s
    const created = await session();
    const r = await auth(created.tcTokenUrl, revoked.file, '--pin', '123456');
    const out = JSON.parse(r.stdout);
    // StartPAOSResponse ok: the eID-Server's test specification checks exactly this; the eService
    // (here: getResult) learns that the card is revoked, and tells the citizen on its page.
    expect(out.serverResult.major).toMatch(/#ok$/);
    expect(out.redirectUrl).toMatch(/ResultMajor=ok/);
    expect(await failureOf(created.sessionId)).toMatchObject({ code: 'document-revoked' });
  });

  it('auth: --deselect of a required field is refused with a clear message', async () => {
    const created = await session();
    const r = await auth(created.tcTokenUrl, card, '--pin', '246810', '--deselect', 'chineseName,sex');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--deselect chineseName');
    expect(r.stderr).toContain('required fields cannot be withheld');
    expect(JSON.parse(r.stdout).ok).toBe(false);
    // The server heard that the citizen would not go on.
    expect(await failureOf(created.sessionId)).toMatchObject({ code: 'cancelled' });
  });

  it('auth: the eID-Client link of an activation page works as --tctoken-url; --follow goes where the browser would', async () => {
    const created = await session({ refreshAddress: `${ts.web}/health` });
    const link = `http://127.0.0.1:24727/eID-Client?tcTokenURL=${encodeURIComponent(created.tcTokenUrl)}`;
    const r = await auth(link, card, '--pin', '246810', '--follow');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.followed).toMatchObject({
      status: 200,
      hops: [{ url: `${ts.web}/health?ResultMajor=ok`, status: 200 }],
    });
    expect(JSON.parse(out.followed.body).status).toBe('ok');
  });

  it('auth: no card file — a clear message, and the eService hears "no card"', async () => {
    const created = await session();
    const r = await auth(created.tcTokenUrl, '/nonexistent/card.json', '--pin', '123456');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.error.message).toContain('the card file /nonexistent/card.json does not exist');
    expect(out.redirectUrl).toMatch(/ResultMinor=cancellationByUser/);
    expect(await failureOf(created.sessionId)).toMatchObject({
      code: 'card-removed',
    });
  });

  it('unblock: the user code unblocks a blocked PIN1 and sets a new one; change-pin changes it', async () => {
    const c = writeTestCard(ts.pkiDir);
    const j = JSON.parse(readFileSync(c.file, 'utf8'));
    writeFileSync(c.file, JSON.stringify({ ...j, retryCounters: { pin: 0, userCode: 10 } }));
    // A blocked PIN ends a command-line login with the hint, and the eService hears "PIN blocked".
    const blocked = await session();
    const r0 = await auth(blocked.tcTokenUrl, c.file, '--pin', '123456');
    expect(JSON.parse(r0.stdout).error.message).toContain('unblock it with the user code');
    expect(await failureOf(blocked.sessionId)).toMatchObject({ code: 'pin-blocked' });

    const wrong = await runClient([
      'unblock',
      '--card',
      c.file,
      '--user-code',
      'WRONG000',
      '--new-pin',
      '112233',
    ]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).error.message).toBe('wrong user code (9 attempt(s) left)');
    const ok = await runClient([
      'unblock',
      '--card',
      c.file,
      '--user-code',
      'A1B2C3D4',
      '--new-pin',
      '112233',
    ]);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(JSON.parse(readFileSync(c.file, 'utf8')).retryCounters).toEqual({ pin: 3, userCode: 10 });
    const changed = await runClient([
      'change-pin',
      '--card',
      c.file,
      '--pin',
      '112233',
      '--new-pin',
      '445566',
    ]);
    expect(changed.code, changed.stdout).toBe(0);
    const login = await auth((await session()).tcTokenUrl, c.file, '--pin', '445566');
    expect(login.code, login.stdout).toBe(0);
  });
});

describe('--help and unknown commands', () => {
  const cases: [string, (a: string[]) => ReturnType<typeof runClient>, string[]][] = [
    ['neid-client', runClient, ['auth', 'serve', 'unblock', 'change-pin']],
    [
      'neid',
      runNeid,
      [
        'pki',
        'pki init',
        'cvc',
        'cvc print',
        'cvc verify',
        'card',
        'card create',
        'card vpcd',
        'revocation',
        'revocation add',
        'revocation list',
      ],
    ],
  ];
  it.each(cases)(
    '%s: --help on the tool, every command and subcommand exits 0 with its usage',
    async (tool, run, commands) => {
      const top = await run(['--help']);
      expect(top.code).toBe(0);
      expect(top.stdout).toContain(`usage: ${tool} <command>`);
      const results = await Promise.all(commands.map((c) => run([...c.split(' '), '--help'])));
      results.forEach((r, i) => {
        expect(r.code, `${tool} ${commands[i]} --help: ${r.stderr}`).toBe(0);
        expect(r.stdout).toContain(`usage: ${tool} ${commands[i]}`);
      });
      expect((await run(['help', ...commands.at(-1)!.split(' ')])).code).toBe(0);
    },
  );

  it('an unknown command is named', async () => {
    const a = await runClient(['authenticate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('neid-client: unknown command "authenticate"');
    const b = await runNeid(['card', 'eject']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('neid: unknown command "card eject"');
    const c = await runNeid(['card']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('neid card: a subcommand is needed');
    expect(c.stderr).toContain('card create');
  });
});
