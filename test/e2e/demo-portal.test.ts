/**
 * The demo eService of `npm start` over HTTP (the Chromium run is in
 * test/interop/demo-chromium.test.ts): the portal's signed AuthnRequest, the
 * IdP's activation page, the eID-Client with the demo card the server
 * created, the POST to the portal's ACS, and the portal's own SP checks —
 * the request cookie, OneTimeUse, a tampered Response.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, formOf, type Page } from '../interfaces/saml/support/browser.js';
import { completeLogin } from '../interfaces/saml/support/flow.js';
import { type DemoServer, startDemoServer } from '../support/demo.js';

let ts: DemoServer;
beforeAll(async () => {
  ts = await startDemoServer();
}, 120_000);
afterAll(async () => ts?.close());

/** Portal → IdP activation page → eID-Client → the auto-submitting form for the ACS. */
async function login(browser: Browser, path = '/demo/portal/login', pin = '123456') {
  const toIdp = await browser.get(`${ts.web}${path}`);
  expect(toIdp.status).toBe(302);
  const activation = await browser.get(String(toIdp.headers.location));
  expect(activation.status).toBe(200);
  return completeLogin(browser, activation, ts.card, { pin });
}

const post = (browser: Browser, form: { action: string; fields: Record<string, string> }): Promise<Page> =>
  browser.request('POST', form.action, form.fields);

describe('the demo portal', () => {
  it('the root and the portal page answer; the demo eID-Client listens on its port', async () => {
    const b = new Browser();
    const root = await b.get(`${ts.web}/`);
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/demo/portal/');
    const page = await b.get(`${ts.web}/demo/portal/`);
    expect(page.body).toContain('id="login"');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const client = await fetch(`http://127.0.0.1:${ts.clientPort}/eID-Client`);
    expect(client.status).toBe(400); // no tcTokenURL: but it is the eID-Client answering
  });

  it('shows the decrypted attributes and the photo, once', async () => {
    const b = new Browser();
    const { form } = await login(b);
    expect(form.action).toBe(`${ts.web}/demo/portal/saml/acs`);
    const result = await post(b, form);
    expect(result.status).toBe(200);
    expect(result.body).toContain('id="attributes"');
    expect(result.body).toContain('Date of birth');
    expect(result.body).toMatch(/<img class="photo" alt="photo" src="data:image\/jpeg;base64,\/9j\//);
    expect(result.body).not.toContain('National ID');
    // The same Response again: the request cookie is gone, and the assertion ID was used.
    const again = await post(b, form);
    expect(again.status).toBe(400);
    expect(again.body).toContain('No login in progress');
  });

  it('refuses a replayed assertion even with a fresh request cookie for it', async () => {
    const b = new Browser();
    const { form } = await login(b);
    const first = await post(b, form);
    expect(first.status).toBe(200);
    // An attacker replaying a captured Response must also hold the browser's request cookie; simulate both.
    const id = /InResponseTo="([^"]+)"/.exec(
      Buffer.from(form.fields.SAMLResponse!, 'base64').toString(),
    )![1]!;
    const replay = await b.request('POST', form.action, form.fields, { cookie: `demo_portal_request=${id}` });
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('Replayed response');
  });

  it('refuses a tampered Response and a Response for another request', async () => {
    const b = new Browser();
    const { form } = await login(b);
    const xml = Buffer.from(form.fields.SAMLResponse!, 'base64').toString();
    const tampered = xml.replace(
      /IssueInstant="(\d{4})/,
      (_m, y: string) => `IssueInstant="${Number(y) + 1}`,
    );
    const bad = await post(b, {
      ...form,
      fields: { ...form.fields, SAMLResponse: Buffer.from(tampered).toString('base64') },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Invalid response');
    const other = new Browser();
    await other.get(`${ts.web}/demo/portal/login`); // its own request cookie
    const foreign = await post(other, form);
    expect(foreign.status).toBe(400);
    expect(foreign.body).toContain('InResponseTo');
  });

  it('a cancelled login comes back as a SAML error page', async () => {
    const b = new Browser();
    const toIdp = await b.get(`${ts.web}/demo/portal/login`);
    const activation = await b.get(String(toIdp.headers.location));
    const done = await completeLogin(b, activation, ts.card, { accept: false });
    const page = await post(b, formOf(done.final));
    expect(page.status).toBe(200);
    expect(page.body).toContain('id="failure"');
    expect(page.body).toContain('urn:oasis:names:tc:SAML:2.0:status:Responder');
  });
});
