/**
 * The admin console in Debian's Chromium (issue 11), the whole story on one running server with
 * the demo eID-Client (`neid-client serve`, virtual cards — each person's own): the bootstrap admin
 * accepts their invitation with their card and adds a passkey (Chromium's virtual authenticator,
 * CDP WebAuthn); they invite a reviewer, an approver and an applicant, who bind their cards; the
 * applicant files the 表8 form for a new eService asking for an encrypted-area field (the photo),
 * sees the form's errors, submits, and registers its OpenID client; the reviewer reviews, the
 * approver approves, the terminal certificate appears; a citizen logs in to the new eService
 * (openid-client as the relying party) and it gets exactly the approved fields; nothing the citizen
 * entered or the card returned appears in the console; the admin signs in again with the passkey.
 *
 * The server's public URL is https://localhost:<port>: browsers refuse IP addresses as WebAuthn
 * relying party ids. Set CONSOLE_SCREENSHOTS=docs/images to refresh the documentation's pictures.
 */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oc from 'openid-client';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_CLAIMS } from '../../src/interfaces/oidc/claims.js';
import { mountFrontEnds } from '../../src/server/front-ends.js';
import { fetchVia } from '../interfaces/oidc/support/http.js';
import { writeTestCard } from '../support/card.js';
import { applicationFields, invite } from '../support/console.js';
import { absent, have, requires } from '../support/requires.js';
import { freePort, startTestServer, type TestServer, webCertificates } from '../support/server.js';

const CHROMIUM = '/usr/bin/chromium';
const available = requires('console in Chromium', absent({ chromium: have(CHROMIUM) }));
const SECRET = 'city-hospital-client-secret-0123456789abcdef';

describe.runIf(available)('the admin console in Chromium', () => {
  let ts: TestServer;
  let browser: Browser;
  let web = '';
  let demoCard = '';
  const cards: Record<string, string> = {};
  const pages: Record<string, Page> = {};
  const contexts: BrowserContext[] = [];
  let applicationUrl = '';
  const shots = process.env.CONSOLE_SCREENSHOTS;
  const shot = async (page: Page, name: string, fullPage = true) => {
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
  };

  /** A browser of its own (cookies) for one person. */
  const person = async (who: string) => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'zh-TW',
      viewport: { width: 1200, height: 900 },
    });
    contexts.push(context);
    pages[who] = await context.newPage();
    cards[who] = writeTestCard(ts.pkiDir).file;
    return pages[who]!;
  };

  /** Clicks `start` (a card sign-in button), then activation → the eID-Client with this person's card → PIN → back. */
  const cardSignIn = async (page: Page, who: string, start: string) => {
    copyFileSync(cards[who]!, demoCard);
    await page.click(start);
    await page.locator('#start').click({ timeout: 60_000 });
    const pin = page.locator('input[name=pin]');
    await pin.waitFor({ timeout: 60_000 });
    await pin.fill('123456');
    await page.click('button[value=accept]');
    await page.waitForURL((u) => u.pathname.startsWith('/admin/') && u.pathname !== '/admin/callback', {
      timeout: 90_000,
    });
  };

  beforeAll(async () => {
    const webPort = await freePort();
    const pskPort = await freePort();
    const clientPort = await freePort();
    ts = await startTestServer({
      webPort,
      pskPort,
      mount: mountFrontEnds,
      extra: {
        web: { port: webPort, publicUrl: `https://localhost:${webPort}` },
        psk: { port: pskPort, publicUrl: `https://localhost:${pskPort}` },
        demo: {
          enabled: true,
          card: join(mkdtempSync(join(tmpdir(), 'neid-console-')), 'demo.json'),
          clientPort,
        },
      },
    });
    web = ts.web;
    demoCard = ts.config.demo.card;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
    });
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await ts?.close();
  });

  it('the bootstrap admin accepts the invitation with their card and adds a passkey', async () => {
    const inv = await invite(ts.server, '林資安', ['security-officer']);
    const page = await person('officer');
    await page.goto(inv.url);
    await shot(page, 'console-invitation');
    await cardSignIn(page, 'officer', '#accept');
    await expect.poll(() => page.locator('#who-name').textContent()).toBe('林資安');
    // A passkey, with Chromium's virtual authenticator (user verification included).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await page.goto(`${web}/admin/me`);
    await page.fill('#f-passkey-name', '筆電 Laptop');
    await page.click('#add-passkey');
    await page.waitForURL(/done=passkey/);
    expect(await page.locator('#passkeys').innerText()).toContain('筆電 Laptop');
    await shot(page, 'console-my-account');
  }, 180_000);

  it('invites a reviewer, an approver and an applicant, who bind their own cards', async () => {
    const page = pages.officer!;
    for (const [who, name, role] of [
      ['reviewer', '陳審查', 'reviewer'],
      ['approver', '張核准', 'approver'],
      ['applicant', '李申請', 'applicant'],
    ] as const) {
      await page.goto(`${web}/admin/accounts`);
      await page.fill('#f-name', name);
      await page.check(`#invite-form input[name=roles][value=${role}]`);
      await page.click('#invite');
      const link = (await page.locator('#invitation-link').innerText()).trim();
      if (who === 'applicant') await shot(page, 'console-accounts');
      const p = await person(who);
      await p.goto(link);
      await cardSignIn(p, who, '#accept');
      expect(await p.locator('#who-name').textContent()).toBe(name);
    }
  }, 400_000);

  it('the applicant files the 表8 form (errors in both languages), submits it, and registers its OpenID client', async () => {
    const page = pages.applicant!;
    await page.goto(`${web}/admin/applications/new`);
    const fields = applicationFields('city-hospital');
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'requestedFields') continue;
      const el = page.locator(`[name="${k}"]`);
      if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(String(v));
      else await el.fill(String(v));
    }
    for (const f of fields.requestedFields as string[])
      await page.check(`input[name=requestedFields][value=${f}]`);
    await page.fill('[name="form.taxId"]', '1234');
    // Errors the browser's own checks let through (type=email accepts this; the server wants a domain).
    await page.fill('[name="form.contact.email"]', 'it@hospital');
    await page.click('#save');
    const summary = page.locator('#errors');
    await expect.poll(() => summary.innerText()).toContain('統一編號');
    expect(await summary.innerText()).toContain('Tax ID number');
    expect(await summary.innerText()).toContain('電子信箱');
    await shot(page, 'console-application-form-errors');
    await page.fill('[name="form.taxId"]', '12345675');
    await page.fill('[name="form.contact.email"]', 'it@hospital.example');
    await page.click('#save');
    await page.waitForURL(/\/admin\/applications\/[0-9a-f-]{36}\?done=created/);
    applicationUrl = page.url().replace(/\?.*$/, '');
    await page.click('#submit');
    await page.waitForURL(/done=submitted/);
    expect(await page.locator('#requested').innerText()).toContain('相片');
  }, 120_000);

  it('the reviewer reviews, the approver approves, the terminal certificate appears', async () => {
    const r = pages.reviewer!;
    await r.goto(applicationUrl);
    await r.fill('#f-note', '表8 完整；主機位址與子網路遮罩已核對。');
    await shot(r, 'console-review');
    await r.click('#review');
    await r.waitForURL(/done=reviewed/);
    const p = pages.approver!;
    await p.goto(applicationUrl);
    expect(await p.locator('#history').innerText()).toContain('表8 完整');
    await p.click('#approve');
    await p.waitForURL(/done=approved/);
    await shot(p, 'console-application-approved');
    await p.goto(`${web}/admin/eservices/city-hospital`);
    expect(await p.locator('#terminals').innerText()).toMatch(/TWCITYHOSPI00001\s+生效中/);
  }, 120_000);

  it('a citizen logs in to the new eService and it gets exactly the approved fields; the console shows none of them', async () => {
    // The applicant registers the eService's OpenID client on its page.
    const a = pages.applicant!;
    await a.goto(`${web}/admin/eservices/city-hospital`);
    await a.fill(
      '#f-client',
      JSON.stringify({
        clientId: 'city-hospital',
        redirectUris: [`${web}/rp/callback`],
        profile: 'oidc',
        tokenEndpointAuthMethod: 'client_secret_basic',
        clientSecret: SECRET,
        idTokenSignedResponseAlg: 'ES256',
      }),
    );
    await a.click('#register-oidc');
    await a.waitForURL(/done=saved/);
    await shot(a, 'console-eservice');
    await expect
      .poll(() => ts.server.registry.get('city-hospital')?.oidc?.client?.clientId)
      .toBe('city-hospital');

    const config = await oc.discovery(
      new URL(`${web}/oidc`),
      'city-hospital',
      { id_token_signed_response_alg: 'ES256' },
      oc.ClientSecretBasic(SECRET),
      { [oc.customFetch]: fetchVia({ ca: webCertificates(ts.server) }) as never },
    );
    const verifier = oc.randomPKCECodeVerifier();
    const state = oc.randomState();
    const nonce = oc.randomNonce();
    const url = oc.buildAuthorizationUrl(config, {
      redirect_uri: `${web}/rp/callback`,
      scope: 'openid profile neid:photo',
      code_challenge: await oc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const citizen = await person('citizen');
    cards.citizen = writeTestCard(ts.pkiDir, {
      fields: { chineseName: '鄭公民', nationalIdNumber: 'A123456789' },
    }).file;
    copyFileSync(cards.citizen, demoCard);
    await citizen.goto(url.href);
    await citizen.locator('#start').click({ timeout: 60_000 });
    await citizen.locator('input[name=pin]').fill('123456');
    await citizen.click('button[value=accept]');
    await citizen.waitForURL(/\/rp\/callback\?/, { timeout: 90_000 });
    const tokens = await oc.authorizationCodeGrant(config, new URL(citizen.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims()!;
    const cardClaims = new Set(FIELD_CLAIMS.map((c) => c.claim));
    expect(
      Object.keys(claims)
        .filter((k) => cardClaims.has(k))
        .sort(),
    ).toEqual(['birthdate', 'name', 'neid_photo']);
    expect(claims.name).toBe('鄭公民');

    // The console counts the login; it never shows what the citizen's card said.
    await ts.server.registryRuntime.trail.flush();
    const o = pages.officer!;
    for (const path of [
      '/admin/',
      '/admin/audit?action=eid.*',
      '/admin/audit',
      '/admin/eservices/city-hospital',
    ]) {
      await o.goto(`${web}${path}`);
      const html = await o.content();
      expect(html, path).not.toContain('鄭公民');
      expect(html, path).not.toContain('A123456789');
      expect(html, path).not.toContain(String(claims.birthdate));
    }
    await o.goto(`${web}/admin/`);
    expect(await o.locator('#logins').innerText()).toMatch(/city-hospital\s+1\s+0/);
    await shot(o, 'console-dashboard-logins');
    await o.goto(`${web}/admin/audit`);
    await shot(o, 'console-audit', false);
  }, 240_000);

  it('the admin signs in again with the passkey', async () => {
    const page = pages.officer!;
    await page.click('#logout');
    await page.waitForURL(/\/admin\/login\?ended=out/);
    await shot(page, 'console-login');
    await page.click('#passkey-login');
    await page.waitForURL((u) => u.pathname === '/admin/');
    expect(await page.locator('#who-name').textContent()).toBe('林資安');
    await page.goto(`${web}/admin/me`);
    expect(await page.locator('#me').innerText()).toMatch(/通行金鑰 passkey/);
  }, 120_000);
});
