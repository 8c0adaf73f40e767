/**
 * The demo of `npm start` (issue 6), driven by Playwright with Debian's
 * Chromium: the demo portal → "Log in with New eID" → the IdP's activation
 * page → the demo eID-Client's consent page → PIN1 → back through the IdP to
 * the portal's ACS, which shows the decrypted attributes and the photo.
 *
 * The server is the real one with the real front-ends and the demo enabled
 * (test/support/demo.ts), on free ports.
 * Set DEMO_SCREENSHOTS=dir to keep screenshots of each step (README).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../support/demo.js';
import { absent, have, requires } from '../support/requires.js';

const CHROMIUM = '/usr/bin/chromium';
const available = requires('demo in Chromium', absent({ chromium: have(CHROMIUM) }));

describe.runIf(available)('the npm start demo in Chromium', () => {
  let ts: DemoServer;
  let browser: Browser;
  let page: Page;
  const shots = process.env.DEMO_SCREENSHOTS;
  const shot = async (name: string) => {
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    ts = await startDemoServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
    });
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-TW' });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await ts?.close();
  });

  it('logs in: review the fields, enter the demo PIN, see the decrypted attributes and the photo', async () => {
    await page.goto(`${ts.web}/`);
    await expect.poll(() => page.url()).toContain('/demo/portal/');
    await shot('1-portal');
    await page.click('#login');
    // The IdP's activation page starts the local eID-Client the TR-03124 way.
    const start = page.locator('#start');
    await expect
      .poll(() => start.getAttribute('href'))
      .toMatch(/^http:\/\/127\.0\.0\.1:\d+\/eID-Client\?tcTokenURL=https/);
    await shot('2-activation');
    await start.click();
    // The eID-Client shows who asks for what and takes PIN1.
    const pin = page.locator('input[name=pin]');
    await pin.waitFor({ timeout: 60_000 });
    const listed = await page.locator('li').allTextContents();
    expect(listed.join('\n')).toContain('中文姓名');
    expect(listed.join('\n')).toContain('相片');
    await pin.fill('123456');
    await shot('3-consent');
    await page.click('button[value=accept]');
    // Back through the IdP (POST binding) to the portal's ACS.
    await page.locator('#attributes').waitFor({ timeout: 90_000 });
    await shot('4-attributes');
    const rows = await page
      .locator('#attributes tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          tr.querySelector('th')?.textContent ?? '',
          tr.querySelector('td')?.textContent ?? '',
        ]),
      );
    const byLabel = new Map(rows.map(([k, v]) => [k, v] as const));
    const value = (label: string) => [...byLabel].find(([k]) => k.includes(label))?.[1];
    expect(value('NameID')).toMatch(/\S{16,}/);
    expect(value('中文姓名')).toBeTruthy();
    expect(value('Date of birth')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(value('Document validity')).toContain('valid');
    // The photo arrived as a JPEG and the browser decoded it.
    const photo = page.locator('img.photo');
    expect(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    // Not requested by the SP, not approved: never released.
    expect(value('National ID')).toBeUndefined();
  });

  it('the TR-03130 extension login: an age verification instead of the date of birth', async () => {
    await page.goto(`${ts.web}/demo/portal/`);
    await page.click('#login-age');
    await page.locator('#start').click();
    const pin = page.locator('input[name=pin]');
    await pin.waitFor({ timeout: 60_000 });
    await pin.fill('123456');
    await page.click('button[value=accept]');
    await page.locator('#attributes').waitFor({ timeout: 90_000 });
    const text = await page.locator('#attributes').innerText();
    expect(text).toContain('Age verification');
    expect(text).toContain('fulfilled');
    expect(text).not.toContain('Date of birth');
  });

  /** A login on the first button, with a wrong PIN1 entered: the eID-Client's page says so. */
  async function wrongPin(): Promise<void> {
    await page.goto(`${ts.web}/demo/portal/`);
    await page.click('#login');
    await page.locator('#start').click();
    const pin = page.locator('input[name=pin]');
    await pin.waitFor({ timeout: 60_000 });
    await pin.fill('000000');
    await page.click('button[value=accept]');
    await page.locator('h2', { hasText: 'PIN1 錯誤' }).waitFor({ timeout: 60_000 });
  }

  it('a wrong PIN is shown on the eID-Client page and can be entered again in the same login', async () => {
    await wrongPin();
    expect(await page.locator('body').innerText()).toContain('尚餘 2 次機會');
    await shot('5-wrong-pin');
    await page.locator('input[name=pin]').fill('123456');
    await page.click('button[value=accept]');
    await page.locator('#attributes').waitFor({ timeout: 90_000 });
  });

  it('a wrong PIN and Cancel: the portal says so in a sentence, the codes in small print', async () => {
    await wrongPin();
    await page.click('button[value=cancel]');
    await page.locator('#failure').waitFor({ timeout: 90_000 });
    expect(await page.locator('#failure').innerText()).toContain('PIN1 輸入錯誤');
    expect(await page.locator('#failure').innerText()).toContain('the PIN1 entered was wrong');
    expect(await page.locator('#status').innerText()).toContain('urn:tw:neid:saml:status:wrongPin');
    expect(await page.locator('#attributes').count()).toBe(0);
    await shot('6-portal-failure');
    // The counter went back to 3 with the right PIN in the test before; one wrong entry now.
    expect(JSON.parse(readFileSync(ts.card, 'utf8')).retryCounters.pin).toBe(2);
  });

  it("the IdP's error pages: a sentence in both languages and a way back to the eService", async () => {
    await page.goto(`${ts.web}/demo/portal/`);
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/.test(m.text())) blocked.push(m.text());
    });
    const r = await page.goto(`${ts.web}/eid/return/no-such-login`);
    expect(r?.status()).toBe(400);
    const text = await page.locator('body').innerText();
    expect(text).toContain('此登入已逾時、已完成');
    expect(text).toContain('Go back to the service and log in again');
    await page.click('#back');
    await expect.poll(() => page.url()).toContain('/demo/portal/');
    expect(blocked).toEqual([]);
  });

  it('always returns to the eService: Cancel 20 times, a failure at once 20 times — 40 of 40', async () => {
    const login = async () => {
      await page.goto(`${ts.web}/demo/portal/`);
      await page.click('#login');
      await page.locator('#start').click();
      await page.locator('input[name=pin]').waitFor({ timeout: 60_000 });
    };
    let returned = 0;
    for (let i = 0; i < 20; i++) {
      await login();
      await page.click('button[value=cancel]');
      await page.locator('#failure').waitFor({ timeout: 60_000 });
      expect(await page.locator('#status').innerText()).toContain('urn:tw:neid:saml:status:cancelled');
      returned++;
    }
    // PIN1 and the user code blocked: the eID-Client ends the login the moment the form arrives.
    const card = JSON.parse(readFileSync(ts.card, 'utf8'));
    writeFileSync(ts.card, JSON.stringify({ ...card, retryCounters: { pin: 0, userCode: 0 } }));
    for (let i = 0; i < 20; i++) {
      await login();
      await page.locator('input[name=pin]').fill('123456');
      await page.click('button[value=accept]');
      await page.locator('#failure').waitFor({ timeout: 60_000 });
      expect(await page.locator('#status').innerText()).toContain('urn:tw:neid:saml:status:pinBlocked');
      returned++;
    }
    expect(returned).toBe(40);
    // The demo card is read for every login: a deleted one is made again, no restart.
    rmSync(ts.card);
    await login();
    await page.locator('input[name=pin]').fill('123456');
    await page.click('button[value=accept]');
    await page.locator('#attributes').waitFor({ timeout: 90_000 });
  }, 600_000);
});
