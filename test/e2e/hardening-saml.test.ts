/**
 * Issue 15 (security 1 and 4, protocol 8), through the running SAML IdP:
 * anonymous hits on a login link cannot lock an eService out (only sessions
 * an eID-Client picked up count, and a full cap is logged); the TR-03130
 * eID-Client flow answers by Redirect when the ACS offers it and the log
 * names the binding actually used; refusals are logged with SP, request ID
 * and ACS; an empty query, an inflation bomb and an over-long URL are
 * refused and logged; AttributeNotOnChip attributes carry a FriendlyName.
 */
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsCall } from '../../src/client/network.js';
import { Browser, tcTokenUrlOf } from '../interfaces/saml/support/browser.js';
import { runEid } from '../interfaces/saml/support/flow.js';
import {
  ecKey,
  type KeyPair,
  keyPair,
  type SamlTestServer,
  spRsaEncryptionKey,
  startSamlServer,
} from '../interfaces/saml/support/idp.js';
import { deflated, newId, refusal, requestXml } from '../interfaces/saml/support/requests.js';
import {
  authnRequestExtension,
  decryptAssertion,
  encryptExtension,
  idpCertificates,
  pemOf,
  type Requested,
  readRedirectResponse,
  signedRedirect,
} from '../interfaces/saml/support/tr03130.js';
import { writeTestCard } from '../support/card.js';
import { rawGet } from '../support/raw-http.js';
import { LogCapture } from '../support/server.js';

const BOTH = { entity: 'https://both-sp.example/metadata', acs: 'https://both-sp.example/acs' };
const OPEN = { entity: 'https://open-sp.example/metadata', acs: 'https://open-sp.example/acs' };
const logs = new LogCapture();
let server: SamlTestServer;
let signing: KeyPair;
let encryption: KeyPair;
let card: ReturnType<typeof writeTestCard>;

beforeAll(async () => {
  signing = keyPair(ecKey(), 'both signing');
  encryption = keyPair(spRsaEncryptionKey(), 'both encryption');
  const open = keyPair(ecKey(), 'open');
  server = await startSamlServer(
    [
      {
        id: 'both-sp',
        mnemonic: 'BOTHSP',
        metadata: {
          entityId: BOTH.entity,
          signingCertificate: signing.cert,
          encryptionCertificate: encryption.cert,
          // POST is the default endpoint; Redirect is offered at the same Location.
          acs: [
            { binding: 'post', location: BOTH.acs, index: 0, isDefault: true },
            { binding: 'redirect', location: BOTH.acs, index: 1 },
          ],
        },
        saml: {},
      },
      {
        id: 'open-sp',
        mnemonic: 'OPENSP',
        saml: { requireSignedRequests: false },
        metadata: {
          entityId: OPEN.entity,
          signingCertificate: open.cert,
          encryptionCertificate: encryption.cert,
          acs: [{ binding: 'post', location: OPEN.acs, index: 0, isDefault: true }],
          requestedAttributes: [{ name: 'DateOfBirth', required: true }],
        },
      },
    ],
    { logs },
  );
  card = writeTestCard(server.ts.pkiDir, { omitFields: ['placeOfBirth'] });
}, 180_000);
afterAll(async () => server?.ts.close());

const sso = () => server.idp.ssoUrl;
const lastLog = (msg: string) => logs.find(msg).at(-1);

/** The eID-Client brings a signed request of both-sp to /saml/tctoken (TR-03130-1 §4.2). */
async function eidClientLogin(attrs: readonly Requested[], requestAttrs?: string) {
  const idpCerts = idpCertificates(server.idpMetadata);
  const id = newId();
  const xml = requestXml({
    id,
    issuer: BOTH.entity,
    destination: server.idp.tcTokenUrl,
    ...(requestAttrs ? { attrs: requestAttrs } : {}),
    extensions: await encryptExtension(authnRequestExtension(attrs), pemOf(idpCerts.encryption[0]!)),
  });
  const outcome = await runEid(signedRedirect(server.idp.tcTokenUrl, xml, signing.key), card.file);
  expect(outcome.redirectUrl, outcome.error?.message).toMatch(/\/saml\/refresh\//);
  return { id, back: await new Browser().get(outcome.redirectUrl!), idpCerts };
}

describe('the TR-03130 eID-Client flow (protocol 8)', () => {
  it('answers by Redirect when the ACS offers it, with FriendlyNames on AttributeNotOnChip attributes', async () => {
    const { id, back, idpCerts } = await eidClientLogin([
      { name: 'DateOfBirth', required: true },
      { name: 'GivenNames', required: false },
    ]);
    expect(back.status, back.body.slice(0, 300)).toBe(303);
    const location = String(back.headers.location);
    expect(location.startsWith(`${BOTH.acs}?SAMLResponse=`)).toBe(true);
    const assertion = await decryptAssertion(
      readRedirectResponse(location, idpCerts.signing).xml,
      encryption.keyPem,
    );
    expect(assertion).toMatch(
      /<saml:Attribute Name="GivenNames" NameFormat="[^"]+" FriendlyName="GivenNames" eid:AttributeNotOnChip="true"\/>/,
    );
    expect(lastLog('SAML response sent')).toMatchObject({
      eService: 'both-sp',
      request: id.slice(0, 16),
      binding: 'redirect',
      acs: BOTH.acs,
    });
  });

  it('a Response too long for a URL goes by POST, and the log names POST', async () => {
    // The request itself asks for the Redirect ACS; the photo does not fit a URL.
    const { id, back } = await eidClientLogin(
      [
        { name: 'DateOfBirth', required: true },
        { name: 'urn:tw:neid:attribute:Photo', required: true },
      ],
      'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"',
    );
    expect(back.status).toBe(200);
    expect(back.body).toContain(`action="${BOTH.acs}"`);
    expect(lastLog('SAML response sent')).toMatchObject({
      request: id.slice(0, 16),
      binding: 'post',
      outcome: 'success',
    });
  });
});

describe('anonymous hits on a login link (security 4)', () => {
  const anonymous = () =>
    new Browser().get(
      `${sso()}?SAMLRequest=${deflated(requestXml({ issuer: OPEN.entity, destination: sso() }))}`,
    );

  it('do not lock the eService out: only sessions an eID-Client picked up count; a full cap is logged', async () => {
    // open-sp may have 20 open sessions: 25 unsigned requests nobody follows all get their page.
    const pages = [];
    for (let i = 0; i < 25; i++) pages.push(await anonymous());
    expect(pages.map((p) => p.status)).toEqual(Array(25).fill(200));
    expect(logs.find('session cap reached: login refused')).toHaveLength(0);
    // 20 of them picked up by an eID-Client (their TC Tokens fetched) fill the cap …
    for (const p of pages.slice(0, 20)) expect((await httpsCall(new URL(tcTokenUrlOf(p)))).status).toBe(200);
    // … so the 21st pick-up is refused (503), and a new login gets the SAML status; both are logged.
    expect((await httpsCall(new URL(tcTokenUrlOf(pages[20]!)))).status).toBe(503);
    expect(lastLog('session cap reached: login refused')).toMatchObject({
      eService: 'open-sp',
      limit: 'maxOpenSessions',
      max: 20,
      stage: 'admit',
    });
    const refused = await anonymous();
    expect(refused.body).toContain('SAMLResponse');
    expect(lastLog('session cap reached: login refused')).toMatchObject({
      eService: 'open-sp',
      stage: 'create',
    });
  });
});

describe('refusals are logged precisely (protocol 8, security 1)', () => {
  it('names the SP, the request ID and the ACS asked for', async () => {
    const id = newId();
    const xml = requestXml({
      id,
      issuer: OPEN.entity,
      destination: `${server.ts.web}/elsewhere`,
      acs: OPEN.acs,
    });
    expect(refusal(await new Browser().get(`${sso()}?SAMLRequest=${deflated(xml)}`))).toBe('destination');
    expect(lastLog('SAML request refused')).toMatchObject({
      code: 'destination',
      eService: 'open-sp',
      sp: OPEN.entity,
      requestId: id,
      acs: OPEN.acs,
    });
  });

  it('an empty /saml/sso query', async () => {
    expect(refusal(await new Browser().get(sso()))).toBe('malformed');
    expect(lastLog('SAML request refused')).toMatchObject({
      code: 'malformed',
      reason: 'no SAMLRequest (empty query string)',
    });
  });

  it('a Redirect query that would inflate beyond 20 times its size', async () => {
    const bomb = deflateRawSync(Buffer.from(`<a>${' '.repeat(256 * 1024)}</a>`));
    expect(bomb.length).toBeLessThan(1024);
    const q = encodeURIComponent(bomb.toString('base64'));
    expect(refusal(await new Browser().get(`${sso()}?SAMLRequest=${q}`))).toBe('malformed');
    expect(String(lastLog('SAML request refused')?.reason)).toMatch(/inflates beyond \d+ bytes \(20 times/);
  });

  it('an over-long URL: 431 with a page, and a log line', async () => {
    const r = await rawGet(`${sso()}?SAMLRequest=${'A'.repeat(80 * 1024)}`);
    expect(r.status).toBe(431);
    expect(r.body).toMatch(
      /the SAML request was refused \(malformed: the request URL or its headers are too long\)/,
    );
    expect(lastLog('HTTP request refused before routing')).toMatchObject({
      status: 431,
      method: 'GET',
      path: '/saml/sso',
    });
  });
});
