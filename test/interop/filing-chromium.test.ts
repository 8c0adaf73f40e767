/**
 * Issue 18 in Debian's Chromium: filing a Secure API application in the web
 * console. The applicant downloads the canonical application, signs it with
 * OpenSSL (`openssl cms -sign`, the sample organisation certificate of the test
 * PKI) and uploads the signature — filed, bound to 統一編号 12345675; the same
 * certificate for a form of another organisation, and the revoked sample, are
 * refused with the reason in both languages. A paper filing prints as 表8
 * (print media: the console's frame gone, the requested fields ticked, seal and
 * signature boxes) — rendered to PDF and a screenshot; the reviewer records the
 * paper copy and fills in the Ministry's half (提供, dates, networks), the
 * approver approves, and the eService's page shows its registered networks.
 *
 * People sign in with their virtual cards through the real provider over HTTP
 * (test/support/console.ts); their session cookie is handed to Chromium, which
 * drives every console page. Set CONSOLE_SCREENSHOTS=docs/images to keep the pictures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PKI_FILES } from '../../src/pki/layout.js';
import { mountFrontEnds } from '../../src/server/front-ends.js';
import { writeTestCard } from '../support/card.js';
import { applicationFields, ConsoleBrowser, invite } from '../support/console.js';
import { absent, have, requires } from '../support/requires.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CHROMIUM = '/usr/bin/chromium';
const available = requires(
  'filing in Chromium',
  absent({ chromium: have(CHROMIUM), openssl: have('openssl') }),
);

describe.runIf(available)('filing an application in the console (Chromium)', () => {
  let ts: TestServer;
  let browser: Browser;
  let dir: string;
  const pages: Record<string, Page> = {};
  const urls: Record<string, string> = {};
  const shots = process.env.CONSOLE_SCREENSHOTS ?? '';
  const out = (name: string) => join(shots || dir, name);

  /** A person signed in with their card (over HTTP), then in a Chromium context of their own. */
  async function person(who: string, name: string, roles: Parameters<typeof invite>[2]) {
    const inv = await invite(ts.server, name, roles);
    const b = new ConsoleBrowser(ts.server);
    const landed = await b.cardLogin(new URL(inv.url).pathname, writeTestCard(ts.pkiDir).file);
    expect(landed.status).toBe(200);
    const cookie = b.setCookies
      .filter((c) => c.startsWith('__Host-neid-admin=') && !c.startsWith('__Host-neid-admin=;'))
      .at(-1)!;
    const value = cookie.split(';')[0]!.slice('__Host-neid-admin='.length);
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'zh-TW',
      acceptDownloads: true,
    });
    await context.addCookies([
      { name: '__Host-neid-admin', value, url: ts.web, secure: true, httpOnly: true, sameSite: 'Strict' },
    ]);
    pages[who] = await context.newPage();
    return pages[who]!;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neid-filing-chromium-'));
    if (shots) mkdirSync(shots, { recursive: true });
    ts = await startTestServer({ mount: mountFrontEnds, extra: { registry: { testPhase: true } } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
    });
    await person('applicant', '李申請', ['applicant']);
    await person('reviewer', '陳審查', ['reviewer']);
    await person('approver', '張核准', ['approver']);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await ts?.close();
  });

  /** The applicant fills 表8 for a new eService and saves the draft; its URL. */
  async function draft(id: string, taxId = '12345675'): Promise<string> {
    const page = pages.applicant!;
    await page.goto(`${ts.web}/admin/applications/new`);
    const fields: Record<string, string | string[]> = {
      ...applicationFields(id, { fields: ['chineseName', 'dateOfBirth'] }),
      'form.taxId': taxId,
    };
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'requestedFields') continue;
      const el = page.locator(`[name="${k}"]`);
      if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(String(v));
      else await el.fill(String(v));
    }
    for (const f of fields.requestedFields as string[])
      await page.check(`input[name=requestedFields][value=${f}]`);
    await page.click('#save');
    await page.waitForURL(/\/admin\/applications\/[0-9a-f-]{36}\?done=created/);
    urls[id] = page.url().replace(/\?.*$/, '');
    return urls[id]!;
  }

  /** Downloads the canonical application in the browser, signs it with OpenSSL, uploads the signature. */
  async function signAndSubmit(cert: string, key: string): Promise<void> {
    const page = pages.applicant!;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#canonical')]);
    const canonical = join(dir, `${download.suggestedFilename()}`);
    await download.saveAs(canonical);
    const sig = `${canonical}.p7s`;
    execFileSync('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-in',
      canonical,
      '-signer',
      join(ts.pkiDir, cert),
      '-inkey',
      join(ts.pkiDir, key),
      '-outform',
      'DER',
      '-out',
      sig,
    ]);
    await page.setInputFiles('#f-signature-file', sig);
    await page.click('#submit-signed');
    await page.waitForLoadState();
  }

  it('files an application signed with the organisation certificate', async () => {
    await draft('signed-clinic');
    await signAndSubmit(PKI_FILES.orgSampleCert, PKI_FILES.orgSampleKey);
    const page = pages.applicant!;
    await page.waitForURL(/done=submitted/);
    expect(await page.locator('#filing-method').innerText()).toContain('組織憑證簽章');
    expect(await page.locator('#filing-organisation').innerText()).toBe('12345675');
    await page.screenshot({ path: out('console-filing-signed.png'), fullPage: true });
  }, 120_000);

  it('refuses the certificate for a form of another organisation, and the revoked one, in both languages', async () => {
    const page = pages.applicant!;
    await draft('other-clinic', '04595257');
    await signAndSubmit(PKI_FILES.orgSampleCert, PKI_FILES.orgSampleKey);
    const wrong = await page.locator('main').innerText();
    expect(wrong).toContain('憑證之統一編號與申請書不符');
    expect(wrong).toContain('is not the form’s 統一編號');
    expect(wrong).toContain('04595257');
    // The way back leads to the application.
    expect(await page.locator('#reload').getAttribute('href')).toBe(new URL(urls['other-clinic']!).pathname);
    await page.screenshot({ path: out('console-filing-wrong-organisation.png'), fullPage: true });

    await draft('revoked-clinic');
    await signAndSubmit(PKI_FILES.orgRevokedCert, PKI_FILES.orgRevokedKey);
    const revoked = await page.locator('main').innerText();
    expect(revoked).toContain('憑證已被廢止');
    expect(revoked).toContain('the certificate is revoked');
  }, 120_000);

  it('prints a paper filing as 表8 (PDF), the reviewer records the paper copy and assesses, the approver approves', async () => {
    const url = await draft('paper-clinic');
    const a = pages.applicant!;
    await a.click('#submit');
    await a.waitForURL(/done=submitted/);
    await a.click('#print');
    await a.waitForURL(/\/print$/);
    expect(await a.locator('#tick-chineseName').getAttribute('data-ticked')).toBe('yes');
    expect(await a.locator('#tick-photo').getAttribute('data-ticked')).toBe('no');
    await a.emulateMedia({ media: 'print' });
    expect(await a.locator('nav.main').isVisible()).toBe(false);
    expect(await a.locator('.form8-sign .seal').isVisible()).toBe(true);
    await a.screenshot({ path: out('console-form8-print.png'), fullPage: true });
    const pdf = await a.pdf({ path: out('form8.pdf'), format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The PDF holds the form's text (pdftotext when present: both languages, the ticked boxes).
    if (have('pdftotext')) {
      const text = execFileSync('pdftotext', ['-layout', out('form8.pdf'), '-']).toString('utf8');
      expect(text).toContain('加密區 API 介接申請書');
      expect(text).toContain('encrypted-area API application');
    }
    await a.emulateMedia({ media: 'screen' });

    const r = pages.reviewer!;
    await r.goto(url);
    await r.fill('#f-paperNote', '收文 第1130001號');
    await r.click('#paper-received-button');
    await r.waitForURL(/done=paper-received/);
    expect(await r.locator('#paper-received').innerText()).toContain('已收到');
    await r.selectOption('#f-assessment-result', 'provide');
    await r.fill('#f-assessment-plannedConnectionDate', '2031-02-01');
    expect(await r.locator('#f-assessment-applicantNetworks').inputValue()).toBe(
      '203.0.113.10/24\n203.0.113.11/24',
    );
    await r.fill('#f-assessment-applicantNetworks', '203.0.113.0/24');
    await r.fill('#f-assessment-ministryNetworks', '198.51.100.10/32');
    await r.click('#review');
    await r.waitForURL(/done=reviewed/);
    expect(await r.locator('#assessment-result').innerText()).toContain('提供');
    await r.screenshot({ path: out('console-assessment.png'), fullPage: true });

    const p = pages.approver!;
    await p.goto(url);
    await p.click('#approve');
    await p.waitForURL(/done=approved|reauth/);
    if (p.url().includes('reauth')) throw new Error('the approver’s login is not fresh');
    await p.goto(`${ts.web}/admin/eservices/paper-clinic`);
    expect(await p.locator('main').innerText()).toContain('203.0.113.0/24');
    // registry.testPhase: the approval put it in its test phase (test cards only), no test login yet.
    expect(await p.locator('#phase').innerText()).toContain('測試');
    expect(await p.locator('#test-logins-ok').innerText()).toBe('0');
    // The reviewer promotes — refused until a test login succeeded (the whole test phase with test
    // cards and the promotion: test/e2e/registry-test-phase.test.ts).
    await r.goto(`${ts.web}/admin/eservices/paper-clinic`);
    await r.click('#promote');
    const refused = await r.locator('main').innerText();
    expect(refused).toContain('no successful test login yet');
    // The printed form now carries the Ministry's half, ticked.
    await p.goto(`${url}/print`);
    expect(await p.locator('#tick-provide').getAttribute('data-ticked')).toBe('yes');
    expect(readFileSync(out('form8.pdf')).length).toBeGreaterThan(10_000);
  }, 180_000);
});
