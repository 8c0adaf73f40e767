/**
 * Issue 14: `neid-client serve` as a citizen meets it — its own process, driven
 * over HTTP like a browser (test/support/serve-page.ts) against a running
 * server: a consent that takes 30 s (PSK and attached mode), the PIN dialogue
 * on the client's own page (wrong PIN with the attempts left, the CAN for a
 * suspended PIN, the user code and a new PIN for a blocked one), a missing
 * card, and the outcome the server records for each end.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardFileJson } from '../../src/card/card-file.js';
import type { AuthRequest } from '../../src/workflows/session/types.js';
import { writeTestCard } from '../support/card.js';
import { type ServeProcess, startServe } from '../support/cli.js';
import { type Page, ServePage, titleOf } from '../support/serve-page.js';
import { startTestServer, type TestServer } from '../support/server.js';

let ts: TestServer;
/** A server that closes idle connections after 5 s: every pause of the citizen means a new connection. */
let impatient: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
  impatient = await startTestServer({ extra: { sessions: { clientIdleSeconds: 5 } } });
}, 120_000);
afterAll(async () => Promise.all([ts?.close(), impatient?.close()]));

const session = (o: Partial<AuthRequest> = {}, server = ts) =>
  server.server.sessions.create({
    eServiceId: 'demo-portal',
    frontEnd: 'saml',
    required: ['chineseName'],
    optional: ['sex'],
    channel: 'psk',
    refreshAddress: `${server.web}/done`,
    ...o,
  });

/** A card file with the retry counters given, and a serve process with it. */
async function client(counters?: Partial<CardFileJson['retryCounters']>, server = ts) {
  const card = writeTestCard(server.pkiDir);
  if (counters) {
    const j = JSON.parse(readFileSync(card.file, 'utf8')) as CardFileJson;
    writeFileSync(card.file, JSON.stringify({ ...j, retryCounters: { ...j.retryCounters, ...counters } }));
  }
  const serve = await startServe(['--card', card.file]);
  return { card: card.file, serve, page: new ServePage(serve.base) };
}

async function start(page: ServePage, tcTokenUrl: string): Promise<Page> {
  const r = await page.get(`/eID-Client?tcTokenURL=${encodeURIComponent(tcTokenUrl)}`);
  expect(r.status).toBe(303);
  return page.settle(r.location!);
}

const cardJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as CardFileJson;

async function failureOf(sessionId: string) {
  const o = await ts.server.sessions.consume(sessionId);
  return o?.kind === 'failure' ? o.failure : undefined;
}

describe('neid-client serve', () => {
  let procs: ServeProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    procs = [];
  });

  it('a consent that takes 30 s completes in PSK and in attached mode', async () => {
    // The default server keeps the connection open; the impatient one closes it, so the client
    // comes back on a new connection: a new PSK handshake, or a resumption of the TC Token
    // fetch's TLS session (attached mode), whose certificate the client remembered.
    const run = async (channel: 'psk' | 'attached', server: TestServer) => {
      const c = await client(undefined, server);
      procs.push(c.serve);
      const created = await session({ channel }, server);
      const consent = await start(c.page, created.tcTokenUrl);
      expect(titleOf(consent)).toContain('確認提供資料');
      // The citizen reads the page for 30 s: longer than Node's default keep-alive of either side.
      await new Promise((r) => setTimeout(r, 30_000));
      const back = await c.page.submit(consent, { action: 'accept', keep: 'sex', pin: '123456' });
      expect(ServePage.returnUrl(back), back.body).toBe(`${server.web}/done?ResultMajor=ok`);
      const outcome = await server.server.sessions.consume(created.sessionId);
      expect(outcome?.kind, JSON.stringify(outcome)).toBe('result');
    };
    await Promise.all([
      run('psk', ts),
      run('attached', ts),
      run('psk', impatient),
      run('attached', impatient),
    ]);
  }, 180_000);

  it('the consent page as a citizen reads it: bilingual, dates, the age and the place in words', async () => {
    const c = await client();
    procs.push(c.serve);
    const created = await session({
      required: ['chineseName'],
      optional: ['sex', 'householdAddress'],
      ageVerification: { age: 18, required: true },
      placeVerification: { areaCode: '63000', required: false },
    });
    const consent = await start(c.page, created.tcTokenUrl);
    const text = consent.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('示範政府服務入口網');
    // Every right in both languages, required ones explained.
    for (const label of [
      '中文姓名',
      'Name (Chinese)',
      '性別',
      '年齡驗證',
      'Age verification',
      '戶籍地區驗證',
    ])
      expect(text).toContain(label);
    expect(text).toContain('必要 required');
    expect(text).toContain('cannot be unticked');
    // The certificate's validity in both calendars, not as YYYYMMDD.
    expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日（民國\d{3}年\d{1,2}月\d{1,2}日）/);
    expect(text).toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4} – \d{1,2} [A-Z][a-z]{2} \d{4}/);
    expect(text).not.toMatch(/20\d{6}[–-]20\d{6}/);
    // The age threshold and the place in words.
    expect(text).toContain('年滿 18 歲');
    expect(text).toContain('at least 18 years old');
    expect(text).toContain('臺北市（地區代碼 63000）');
    expect(text).toContain('Taipei City (area code 63000)');
    // The pseudonym, the card's validity, and what the service is approved for.
    expect(text).toContain('服務專屬識別碼');
    expect(text).toContain('Card validity');
    expect(consent.body).toMatch(/<details>[\s\S]*相片 Photo[\s\S]*<\/details>/);
    const back = await c.page.submit(consent, { action: 'accept', keep: 'householdAddress', pin: '123456' });
    expect(ServePage.returnUrl(back)).toBe(`${ts.web}/done?ResultMajor=ok`);
    const outcome = await ts.server.sessions.consume(created.sessionId);
    expect(outcome?.kind).toBe('result');
    if (outcome?.kind !== 'result') return;
    // The citizen unticked sex: withheld; kept the address: released.
    expect(outcome.result.operations).toMatchObject({ sex: 'PROHIBITED', householdAddress: 'ALLOWED' });
    expect(outcome.result.ageVerification).toBe(true);
  }, 60_000);

  it('a wrong PIN is shown with the attempts left and retried in the same login', async () => {
    const c = await client();
    procs.push(c.serve);
    const created = await session();
    const first = await start(c.page, created.tcTokenUrl);
    // Not six digits: asked again, and the card is not touched (TR-03124-1 §3.8).
    const consent = await c.page.submit(first, { action: 'accept', keep: 'sex', pin: '12345' });
    expect(titleOf(consent)).toContain('確認提供資料');
    expect(consent.body).toContain('PIN1 須為 6 位數字');
    expect(cardJson(c.card).retryCounters.pin).toBe(3);
    const wrong = await c.page.submit(consent, { action: 'accept', keep: 'sex', pin: '000000' });
    expect(titleOf(wrong)).toContain('PIN1 錯誤');
    expect(wrong.body).toContain('尚餘 2 次機會');
    expect(wrong.body).toContain('2 attempts left');
    const back = await c.page.submit(wrong, { action: 'accept', pin: '123456' });
    expect(ServePage.returnUrl(back)).toBe(`${ts.web}/done?ResultMajor=ok`);
    expect((await ts.server.sessions.consume(created.sessionId))?.kind).toBe('result');
    expect(cardJson(c.card).retryCounters.pin).toBe(3);
  }, 60_000);

  it('a suspended PIN asks for the CAN, then continues', async () => {
    const c = await client({ pin: 1 });
    procs.push(c.serve);
    const created = await session();
    const consent = await start(c.page, created.tcTokenUrl);
    const can = await c.page.submit(consent, { action: 'accept', keep: 'sex', pin: '123456' });
    expect(titleOf(can)).toContain('PIN1 已暫停');
    const wrongCan = await c.page.submit(can, { action: 'accept', can: '000000', pin: '123456' });
    expect(wrongCan.body).toContain('CAN 不正確');
    const back = await c.page.submit(wrongCan, { action: 'accept', can: '654321', pin: '123456' });
    expect(ServePage.returnUrl(back)).toBe(`${ts.web}/done?ResultMajor=ok`);
    expect((await ts.server.sessions.consume(created.sessionId))?.kind).toBe('result');
  }, 60_000);

  it('a blocked PIN is unblocked with the user code and a new PIN, and the login goes on', async () => {
    const c = await client({ pin: 0 });
    procs.push(c.serve);
    const created = await session();
    const consent = await start(c.page, created.tcTokenUrl);
    const unblock = await c.page.submit(consent, { action: 'accept', keep: 'sex', pin: '123456' });
    expect(titleOf(unblock)).toContain('PIN1 已鎖住');
    const unblockWith = (p: Page, userCode: string, newPin2 = '112233') =>
      c.page.submit(p, { action: 'accept', userCode, newPin: '112233', newPin2 });
    const differ = await unblockWith(unblock, 'A1B2C3D4', '112234');
    expect(differ.body).toContain('兩次輸入的新 PIN1 不相同');
    const wrongCode = await unblockWith(differ, 'WRONG000');
    expect(wrongCode.body).toContain('用戶代碼不正確，尚餘 9 次機會');
    const back = await unblockWith(wrongCode, 'A1B2C3D4');
    expect(ServePage.returnUrl(back)).toBe(`${ts.web}/done?ResultMajor=ok`);
    expect((await ts.server.sessions.consume(created.sessionId))?.kind).toBe('result');
    expect(cardJson(c.card).passwords.pin).toBe('112233');
    expect(cardJson(c.card).retryCounters).toEqual({ pin: 3, userCode: 10 });
  }, 60_000);

  it('the eService hears why the citizen gave up: wrong PIN, blocked, no card, cancelled', async () => {
    const c = await client();
    procs.push(c.serve);
    // A wrong PIN, then Cancel.
    let created = await session();
    let p = await c.page.submit(await start(c.page, created.tcTokenUrl), { action: 'accept', pin: '000000' });
    p = await c.page.submit(p, { action: 'cancel' });
    expect(ServePage.returnUrl(p)).toMatch(/ResultMajor=error&ResultMinor=cancellationByUser/);
    expect(await failureOf(created.sessionId)).toMatchObject({ code: 'wrong-pin' });
    // Cancel on the consent page.
    created = await session();
    p = await c.page.submit(await start(c.page, created.tcTokenUrl), { action: 'cancel' });
    expect(ServePage.returnUrl(p)).toMatch(/ResultMinor=cancellationByUser/);
    expect(await failureOf(created.sessionId)).toMatchObject({ code: 'cancelled' });
    // The card is gone when it is needed: the page asks for it; a retry finds it again.
    created = await session();
    const consent = await start(c.page, created.tcTokenUrl);
    renameSync(c.card, `${c.card}.away`);
    const noCard = await c.page.submit(consent, { action: 'accept', pin: '123456' });
    expect(titleOf(noCard)).toContain('找不到卡片');
    expect(noCard.body).toContain('does not exist');
    renameSync(`${c.card}.away`, c.card);
    p = await c.page.submit(noCard, { action: 'accept' });
    expect(ServePage.returnUrl(p)).toBe(`${ts.web}/done?ResultMajor=ok`);
    expect((await ts.server.sessions.consume(created.sessionId))?.kind).toBe('result');
    // … and when the citizen gives up instead:
    created = await session();
    const again = await start(c.page, created.tcTokenUrl);
    renameSync(c.card, `${c.card}.away`);
    p = await c.page.submit(await c.page.submit(again, { action: 'accept', pin: '123456' }), {
      action: 'cancel',
    });
    renameSync(`${c.card}.away`, c.card);
    expect(ServePage.returnUrl(p)).toMatch(/ResultMinor=cancellationByUser/);
    expect(await failureOf(created.sessionId)).toMatchObject({
      code: 'card-removed',
    });
  }, 90_000);

  it('PIN and user code blocked: the login ends at once, and the eService hears "PIN blocked"', async () => {
    const c = await client({ pin: 0, userCode: 0 });
    procs.push(c.serve);
    const created = await session();
    const p = await c.page.submit(await start(c.page, created.tcTokenUrl), {
      action: 'accept',
      pin: '123456',
    });
    expect(ServePage.returnUrl(p)).toMatch(/ResultMinor=cancellationByUser/);
    const f = await failureOf(created.sessionId);
    expect(f).toMatchObject({ code: 'pin-blocked' });
    expect(f?.reason).toMatch(/household registration office/);
  }, 60_000);

  it('a second activation supersedes a login left waiting; its server hears "cancelled"', async () => {
    const c = await client();
    procs.push(c.serve);
    const first = await session();
    await start(c.page, first.tcTokenUrl);
    const second = await session();
    const consent = await start(c.page, second.tcTokenUrl);
    const back = await c.page.submit(consent, { action: 'accept', pin: '123456' });
    expect(ServePage.returnUrl(back)).toBe(`${ts.web}/done?ResultMajor=ok`);
    expect((await ts.server.sessions.consume(second.sessionId))?.kind).toBe('result');
    expect(await failureOf(first.sessionId)).toMatchObject({ code: 'cancelled' });
    // An unknown login is a page that says so, in both languages.
    const unknown = await c.page.get(`/job/${'0'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('此登入已結束或不存在');
    expect(unknown.body).toContain('Go back to the service');
  }, 60_000);
});
