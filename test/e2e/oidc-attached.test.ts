/**
 * Without a TLS-PSK listener (psk.enabled: false) browser logins run in
 * attached mode (TR-03124-1 §2.4: the PAOS channel continues the TLS session
 * of the TC Token fetch) instead of failing for want of a PSK channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEid } from '../interfaces/oidc/support/eid.js';
import { Browser } from '../interfaces/oidc/support/http.js';
import { type OidcTestServer, PLAIN, startOidcServer } from '../interfaces/oidc/support/oidc-server.js';
import { plainAuthorization, plainConfig } from '../interfaces/oidc/support/rp.js';
import { writeTestCard } from '../support/card.js';

let s: OidcTestServer;
beforeAll(async () => {
  s = await startOidcServer({ extra: { psk: { enabled: false } } });
}, 120_000);
afterAll(async () => s?.close());

describe('OIDC login without the PSK listener', () => {
  it('runs the eID part in attached mode and returns a code', async () => {
    const card = writeTestCard(s.ts.pkiDir);
    const config = await plainConfig(s);
    const { url } = await plainAuthorization(config);
    const browser = new Browser(s.tls);
    const page = await browser.navigate(url.href, PLAIN.redirect);
    expect(page.status, page.body).toBe(200);
    const run = await runEid(browser, page.body, card.file, PLAIN.redirect);
    const cb = new URL(run.callback!);
    expect(cb.searchParams.get('error')).toBeNull();
    expect(cb.searchParams.get('code')).toBeTruthy();
  });
});
