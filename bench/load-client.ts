/**
 * Citizens for bench/load.ts, in their own process (several run at once): each concurrent slot is
 * one citizen with a browser, an eID-Client and a virtual card of its own, doing complete logins
 * against the real server, one after another.
 *
 * - SAML: the demo portal's SP, here (bench/demo-sp.ts) → signed HTTP-Redirect AuthnRequest →
 *   activation page → EAC over TLS-PSK → /eid/return → the signed, encrypted Response, decrypted and
 *   verified here with every SP check (its SP work counts as load client CPU, as a real SP's would
 *   run on its own machine).
 * - OIDC: the demo portal's client (private_key_jwt, PKCE) → authorization → activation page → EAC
 *   → callback with the code → token request → the ID Token verified by openid-client, here.
 * - SOAP: this process's own eService (bench/soap-eservice.ts) → signed useID over mutual TLS → the
 *   TC Token from the eService's HTTPS server → EAC → the browser at the eService's RefreshAddress
 *   → signed getResult, checked for ResultMajor ok and every requested attribute (the eService's
 *   signing and TLS work counts as load client CPU).
 *
 * Protocol (JSON lines): stdin first `{ web, pkiDir, cards, protocols, soap? }`, then `{ run: n }` for n
 * logins spread over the slots; stdout `{ p, ms, ok, error? }` per login and `{ done: true }`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as client from 'openid-client';
import { VirtualCard } from '../src/card/virtual-card.js';
import { EacClient } from '../src/client/eac-client.js';
import { runOnlineAuthentication } from '../src/client/paos-client.js';
import { oidcClientJwksFile } from '../src/config/eservice/oidc.js';
import { loginRequestUrl, readLoginResponse } from '../src/interfaces/saml/sp-client.js';
import { PKI_FILES } from '../src/pki/layout.js';
import { fetchVia, Browser as OidcBrowser } from '../test/interfaces/oidc/support/http.js';
import { signingKey } from '../test/interfaces/oidc/support/rp.js';
import { Browser, formOf, tcTokenUrlOf } from '../test/interfaces/saml/support/browser.js';
import { demoSpConfig } from './demo-sp.js';
import { type SoapEServiceSetup, startSoapEService } from './soap-eservice.js';

interface Setup {
  readonly web: string;
  readonly pkiDir: string;
  readonly cards: readonly string[];
  readonly protocols: readonly ('saml' | 'oidc' | 'soap')[];
  /** This process's SOAP eService and the server's SOAP listener (https://host:port). */
  readonly soap?: { readonly eService: SoapEServiceSetup; readonly url: string };
}

/** The demo portal's registered redirect URI (config/relying-parties.yaml); the browser stops there. */
const OIDC_REDIRECT = 'https://127.0.0.1:8443/demo/portal/oidc/callback';

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const setup = JSON.parse((await lines.next()).value as string) as Setup;
const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
// The web listener offers an RSA and an ECDSA certificate: trust both.
const read = (f: string) =>
  existsSync(join(setup.pkiDir, f)) ? readFileSync(join(setup.pkiDir, f), 'utf8') : '';
const tls = { ca: read(PKI_FILES.tlsCert) + read(PKI_FILES.tlsEcCert) };

/** The demo portal's SAML SP, here: its work is the SP's, not the server's. */
const sp = demoSpConfig(setup.web, setup.pkiDir, setup.web);

const soap = setup.soap
  ? await startSoapEService({ eService: setup.soap.eService, soapUrl: setup.soap.url, pkiDir: setup.pkiDir })
  : undefined;

let oidcConfig: Promise<client.Configuration> | undefined;
const oidc = () =>
  (oidcConfig ??= (async () =>
    client.discovery(
      new URL(`${setup.web}/oidc`),
      'demo-portal',
      { id_token_signed_response_alg: 'ES256' },
      client.PrivateKeyJwt(
        await signingKey(
          JSON.parse(readFileSync(join(setup.pkiDir, oidcClientJwksFile('demo-portal')), 'utf8')),
        ),
      ),
      { [client.customFetch]: fetchVia(tls) },
    ))());

/** The citizen's eID-Client with its card (kept between logins: PIN counters as on a real card). */
function eacClient(card: string): EacClient {
  const vc = VirtualCard.fromFile(card, { persist: true });
  vc.reset();
  return new EacClient({ card: vc, consent: async () => ({ accept: true, deselect: [], pin: '123456' }) });
}

async function samlLogin(card: string): Promise<void> {
  const browser = new Browser();
  const req = loginRequestUrl(sp, { relayState: 'load' });
  const activation = await browser.get(req.url);
  if (activation.status !== 200) throw new Error(`SSO answered HTTP ${activation.status}`);
  const outcome = await runOnlineAuthentication(tcTokenUrlOf(activation), eacClient(card));
  if (!outcome.ok) throw new Error(`eID: ${outcome.error?.message}`);
  const form = formOf(await browser.get(outcome.redirectUrl!));
  const r = readLoginResponse(sp, form.fields, req.id);
  if (!r.ok) throw new Error(`SAML status ${r.statusCodes.join(' / ')}: ${r.message ?? ''}`);
  if (!r.attributes.get('urn:tw:neid:attribute:ChineseName')?.values[0])
    throw new Error(`no ChineseName among ${[...r.attributes.keys()].join(', ')}`);
}

async function oidcLogin(card: string): Promise<void> {
  const config = await oidc();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: OIDC_REDIRECT,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const browser = new OidcBrowser(tls);
  const page = await browser.navigate(url.href, OIDC_REDIRECT);
  const outcome = await runOnlineAuthentication(tcTokenUrlOf({ ...page, headers: {} }), eacClient(card));
  if (!outcome.ok) throw new Error(`eID: ${outcome.error?.message}`);
  const callback = (await browser.navigate(outcome.redirectUrl!, OIDC_REDIRECT)).location;
  if (!callback?.startsWith(OIDC_REDIRECT)) throw new Error('the browser did not reach the callback');
  const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  if (!tokens.claims()?.sub) throw new Error('no ID Token subject');
}

async function soapLogin(card: string): Promise<void> {
  if (!soap) throw new Error('no SOAP eService in this load client');
  await soap.login(eacClient(card));
}

const LOGIN = { saml: samlLogin, oidc: oidcLogin, soap: soapLogin };

let turn = 0;
for (;;) {
  const { value, done } = await lines.next();
  if (done) break;
  const { run } = JSON.parse(value as string) as { run: number };
  let left = run;
  await Promise.all(
    setup.cards.map(async (card) => {
      while (left > 0) {
        left--;
        const p = setup.protocols[turn++ % setup.protocols.length]!;
        const t0 = performance.now();
        try {
          await LOGIN[p](card);
          out({ p, ms: performance.now() - t0, ok: true });
        } catch (e) {
          const err = e as Error & {
            code?: string;
            error?: string;
            error_description?: string;
            cause?: unknown;
          };
          const detail = [err.code, err.error, err.error_description, (err.cause as Error)?.message].filter(
            Boolean,
          );
          out({
            p,
            ms: performance.now() - t0,
            ok: false,
            error: `${err.message}${detail.length ? ` (${detail.join('; ')})` : ''}`,
          });
        }
      }
    }),
  );
  out({ done: true });
}
