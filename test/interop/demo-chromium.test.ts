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
import { mkdirSync } from 'node:fs';
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

  it('a wrong PIN ends in a SAML error shown by the portal, not in attributes', async () => {
    await page.goto(`${ts.web}/demo/portal/`);
    await page.click('#login');
    await page.locator('#start').click();
    const pin = page.locator('input[name=pin]');
    await pin.waitFor({ timeout: 60_000 });
    await pin.fill('000000');
    await page.click('button[value=accept]');
    await page.locator('#failure').waitFor({ timeout: 90_000 });
    expect(await page.locator('#failure').innerText()).toMatch(/urn:oasis:names:tc:SAML:2\.0:status/);
    expect(await page.locator('#attributes').count()).toBe(0);
  });
});
