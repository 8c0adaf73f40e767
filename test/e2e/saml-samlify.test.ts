/**
 * Issue 6 acceptance: samlify as an independent test SP logs in through the
 * IdP — AuthnRequests built and signed by samlify over HTTP-Redirect and
 * HTTP-POST, the eID part done by the in-process eID-Client with a virtual
 * card, and samlify verifies and decrypts the Response. samlify decrypts only
 * rsa-oaep-mgf1p and verifies only RSA, so this SP is registered with the
 * explicit 'legacy' algorithm set; the TR-03116-4 default set is checked
 * with xmlsec1 and Python `cryptography` (test/interop/saml-xmlsec.test.ts).
 */
import * as samlify from 'samlify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../interfaces/saml/support/browser.js';
import { completeLogin } from '../interfaces/saml/support/flow.js';
import {
  keyPair,
  type SamlTestServer,
  spRsaEncryptionKey,
  spRsaSigningKey,
  startSamlServer,
} from '../interfaces/saml/support/idp.js';
import {
  decodeSamlResponse,
  samlifySp,
  withRequestedAttributes,
} from '../interfaces/saml/support/samlify.js';
import { writeTestCard } from '../support/card.js';

samlify.setSchemaValidator({ validate: async () => 'skipped' });

const ACS = 'https://samlify-sp.example/acs';
let server: SamlTestServer;
let sp: samlify.ServiceProviderInstance;
let idp: samlify.IdentityProviderInstance;
let card: ReturnType<typeof writeTestCard>;

beforeAll(async () => {
  const signing = keyPair(spRsaSigningKey(), 'samlify SP signing');
  const encryption = keyPair(spRsaEncryptionKey(), 'samlify SP encryption');
  sp = samlifySp({ entityId: 'https://samlify-sp.example/metadata', acs: ACS, signing, encryption });
  const metadataXml = withRequestedAttributes(sp.getMetadata(), [
    { name: 'urn:tw:neid:attribute:ChineseName', required: true },
    { name: 'DateOfBirth', required: true },
    { name: 'PlaceOfResidence', required: false },
    { name: 'Sex', required: false },
    { name: 'urn:tw:neid:attribute:Photo', required: false },
  ]);
  server = await startSamlServer([
    { id: 'samlify-sp', mnemonic: 'SAMLIFY', saml: { algorithms: 'legacy' }, metadataXml },
  ]);
  idp = samlify.IdentityProvider({
    metadata: server.idpMetadata,
    wantAuthnRequestsSigned: true,
    isAssertionEncrypted: true,
  });
  card = writeTestCard(server.ts.pkiDir);
}, 180_000);
afterAll(async () => server?.ts.close());

async function login(binding: 'redirect' | 'post') {
  const browser = new Browser();
  const req = sp.createLoginRequest(idp, binding, { relayState: `rs-${binding}` }) as {
    id: string;
    context: string;
    entityEndpoint?: string;
    relayState?: string;
  };
  const activation =
    binding === 'redirect'
      ? await browser.get(req.context)
      : await browser.post(req.entityEndpoint!, {
          SAMLRequest: req.context,
          RelayState: req.relayState ?? `rs-${binding}`,
        });
  expect(activation.status, activation.body.slice(0, 300)).toBe(200);
  const done = await completeLogin(browser, activation, card.file);
  return { req, ...done };
}

describe('SAML Web SSO with samlify as the SP', () => {
  for (const binding of ['redirect', 'post'] as const) {
    it(`completes an SP-initiated login with an ${binding === 'redirect' ? 'HTTP-Redirect' : 'HTTP-POST'} AuthnRequest; samlify verifies and decrypts`, async () => {
      const { req, outcome, form } = await login(binding);
      expect(outcome.ok, outcome.error?.message).toBe(true);
      expect(form.action).toBe(ACS);
      expect(form.fields.RelayState).toBe(`rs-${binding}`);
      const response = decodeSamlResponse(form.fields.SAMLResponse!);
      expect(response).toContain(`InResponseTo="${req.id}"`);
      expect(response).toContain('<saml:EncryptedAssertion>');
      expect(response).not.toContain('ChineseName'); // nothing personal in clear

      const parsed = await sp.parseLoginResponse(idp, 'post', { body: form.fields });
      const x = parsed.extract as {
        attributes: Record<string, unknown>;
        nameID: string;
        audience: string;
        response: { inResponseTo: string };
      };
      expect(x.response.inResponseTo).toBe(req.id);
      expect(x.audience).toBe('https://samlify-sp.example/metadata');
      expect(x.nameID).toMatch(/^_[0-9a-f]{32}$/);
      const f = card.json.fields as Record<string, unknown>;
      expect(x.attributes['urn:tw:neid:attribute:ChineseName']).toBe(f.chineseName);
      expect(x.attributes['urn:tw:neid:attribute:Photo']).toBe(
        Buffer.from(String(f.photo), 'base64').toString('base64'),
      );
      expect(x.attributes.Sex).toBe(f.sex);
      // Complex TR-03130 types (samlify's extractor reads only text values): check the decrypted assertion.
      expect(parsed.samlContent).toContain(`<eid:DateString>${f.dateOfBirth}</eid:DateString>`);
      expect(parsed.samlContent).toMatch(
        /<saml:Attribute Name="DocumentValidity"[^>]*><saml:AttributeValue xsi:type="eid:DocumentValidityResultType" Version="1"><eid:ReferenceDate>\d{4}-\d{2}-\d{2}<\/eid:ReferenceDate><eid:Status>valid<\/eid:Status>/,
      );
      expect(parsed.samlContent).toContain('<eid:StructuredPlace><eid:Street>');
      expect(parsed.samlContent).toContain('SmartcardPKI');
      expect(parsed.samlContent).toContain('<saml:OneTimeUse/>');
    });
  }

  it('a replayed AuthnRequest is refused with HTTP 400 and no SAML message', async () => {
    const req = sp.createLoginRequest(idp, 'redirect') as { context: string };
    expect((await new Browser().get(req.context)).status).toBe(200);
    const again = await new Browser().get(req.context);
    expect(again.status).toBe(400);
    expect(again.body).not.toContain('SAMLResponse');
  });
});
