/**
 * Issue 14: the demo of `npm start` with AusweisApp2 as the citizen's
 * eID-Client instead of the demo's own. Chromium runs the portal and the
 * IdP's activation page; AusweisApp2 (SDK, Simulator card with our data
 * groups) runs the online authentication of the page's TC Token URL; the
 * page notices the end and returns to the portal. The second button (age
 * verification, photo optional) logs in although AusweisApp2 cannot release
 * the photo (DG14 is no TR-03127 right); a cancel in AusweisApp2 comes back
 * to the portal as a sentence.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCardPki } from '../../src/card/personalize.js';
import {
  buildSimulatorCard,
  SIMULATOR_CVCA_CHR,
  type SimulatorCard,
} from '../../src/card/simulator-files.js';
import { hasAusweisApp } from '../support/ausweisapp/app.js';
import { authenticateWithSimulator } from '../support/ausweisapp/sdk.js';
import { type DemoServer, startDemoServer } from '../support/demo.js';
import { absent, have, requires } from '../support/requires.js';

const CHROMIUM = '/usr/bin/chromium';
const available = requires(
  'demo with AusweisApp2',
  absent({ chromium: have(CHROMIUM), ausweisapp2: hasAusweisApp() }),
);

describe.runIf(available)('the demo portal with AusweisApp2 as the eID-Client', () => {
  let ts: DemoServer;
  let browser: Browser;
  let page: Page;
  let card: SimulatorCard;

  beforeAll(async () => {
    ts = await startDemoServer({ cvcaChr: SIMULATOR_CVCA_CHR });
    card = buildSimulatorCard({ pki: loadCardPki(ts.pkiDir) });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
    });
    page = await (await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-TW' })).newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ts?.close();
  });

  /** Clicks a portal button and returns the TC Token URL of the activation page it leads to. */
  async function begin(button: string): Promise<{ tcTokenUrl: string }> {
    await page.goto(`${ts.web}/demo/portal/`);
    await page.click(button);
    const href = await page.locator('#start').getAttribute('href');
    const tcTokenUrl = new URL(href!).searchParams.get('tcTokenURL');
    if (!tcTokenUrl) throw new Error(`no TC Token URL in ${href}`);
    return { tcTokenUrl };
  }

  it('the age-verification button logs in; the photo is optional and AusweisApp2 leaves it out', async () => {
    const out = await authenticateWithSimulator({
      files: card.files,
      start: () => begin('#login-age'),
      attempts: 3,
    });
    expect(out.auth.result?.major, JSON.stringify(out.transcript)).toMatch(/#ok$/);
    // The activation page polls the login and returns to the portal by itself.
    await page.locator('#attributes').waitFor({ timeout: 60_000 });
    const text = await page.locator('#attributes').innerText();
    expect(text).toContain('中文姓名');
    expect(text).toContain('Age verification');
    expect(text).toContain('fulfilled');
    expect(text).not.toContain('Date of birth');
    expect(await page.locator('img.photo').count()).toBe(0);
  }, 180_000);

  it('a cancel in AusweisApp2 comes back to the portal as a sentence', async () => {
    const out = await authenticateWithSimulator({
      files: card.files,
      start: () => begin('#login'),
      attempts: 3,
      cancelAt: 'access-rights',
    });
    expect(out.auth.result?.major).toMatch(/#error$/);
    await page.locator('#failure').waitFor({ timeout: 60_000 });
    expect(await page.locator('#failure').innerText()).toContain('您已取消登入');
    expect(await page.locator('#status').innerText()).toContain('urn:tw:neid:saml:status:cancelled');
  }, 180_000);
});
