/**
 * Issue 6: the TR-03130-1 §4 SAML profile end to end — requested attributes
 * in an EncryptedAuthnRequestExtension (encrypted with the independent
 * `xml-encryption` package), age and place verification, RestrictedID,
 * AttributeNotOnChip; the eID-Client flow (the client brings the
 * AuthnRequest to /saml/tctoken and the Response comes back over the
 * HTTP-Redirect binding, TR-03130-1 §4.2); failures as SAML status codes.
 */
import * as samlify from 'samlify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS } from '../../src/interfaces/saml/namespaces.js';
import { NEID_STATUS_PREFIX } from '../../src/interfaces/saml/status.js';
import { Browser } from '../interfaces/saml/support/browser.js';
import { completeLogin, type EidOptions, runEid } from '../interfaces/saml/support/flow.js';
import {
  ecKey,
  type KeyPair,
  keyPair,
  type SamlTestServer,
  spRsaEncryptionKey,
  spRsaSigningKey,
  startSamlServer,
} from '../interfaces/saml/support/idp.js';
import { newId, refusal, requestXml, samlifySignedRedirect } from '../interfaces/saml/support/requests.js';
import { samlifySp } from '../interfaces/saml/support/samlify.js';
import {
  ageValue,
  authnRequestExtension,
  decryptAssertion,
  encryptExtension,
  idpCertificates,
  pemOf,
  placeValue,
  type Requested,
  readRedirectResponse,
  signedRedirect,
} from '../interfaces/saml/support/tr03130.js';
import { writeTestCard } from '../support/card.js';

samlify.setSchemaValidator({ validate: async () => 'skipped' });

const TR = { entity: 'https://tr-sp.example/metadata', acs: 'https://tr-sp.example/acs' };
const LEGACY = { entity: 'https://samlify-tr.example/metadata', acs: 'https://samlify-tr.example/acs' };
let server: SamlTestServer;
let trSigning: KeyPair;
let trEncryption: KeyPair;
let sp: samlify.ServiceProviderInstance;
let idp: samlify.IdentityProviderInstance;
let idpCerts: ReturnType<typeof idpCertificates>;
let card: ReturnType<typeof writeTestCard>;

beforeAll(async () => {
  trSigning = keyPair(ecKey(), 'TR SP signing');
  trEncryption = keyPair(spRsaEncryptionKey(), 'TR SP encryption');
  sp = samlifySp({
    entityId: LEGACY.entity,
    acs: LEGACY.acs,
    signing: keyPair(spRsaSigningKey(), 'legacy signing'),
    encryption: trEncryption,
  });
  server = await startSamlServer([
    {
      id: 'tr-sp',
      mnemonic: 'TRSP',
      approvedFields: ['chineseName', 'dateOfBirth', 'householdAddress', 'placeOfBirth', 'sex'],
      saml: { nameIdFormat: 'persistent' },
      metadata: {
        entityId: TR.entity,
        signingCertificate: trSigning.cert,
        encryptionCertificate: trEncryption.cert,
        nameIdFormat: 'persistent',
        acs: [
          { binding: 'redirect', location: TR.acs, index: 0, isDefault: true },
          { binding: 'post', location: `${TR.acs}/post`, index: 1 },
        ],
      },
    },
    { id: 'samlify-tr', mnemonic: 'SAMLTR', saml: { algorithms: 'legacy' }, metadataXml: sp.getMetadata() },
  ]);
  idp = samlify.IdentityProvider({
    metadata: server.idpMetadata,
    wantAuthnRequestsSigned: true,
    isAssertionEncrypted: true,
  });
  idpCerts = idpCertificates(server.idpMetadata);
  card = writeTestCard(server.ts.pkiDir, { omitFields: ['placeOfBirth'] });
}, 180_000);
afterAll(async () => server?.ts.close());

const extension = (attrs: readonly Requested[]) =>
  encryptExtension(authnRequestExtension(attrs), pemOf(idpCerts.encryption[0]!));

/** The TR SP's request, brought by the eID-Client to /saml/tctoken; returns the Response delivered over Redirect. */
async function eidClientLogin(attrs: readonly Requested[], eid: EidOptions = {}, cardFile = card.file) {
  const id = newId();
  const xml = requestXml({
    id,
    issuer: TR.entity,
    destination: server.idp.tcTokenUrl,
    extensions: await extension(attrs),
  });
  const outcome = await runEid(
    signedRedirect(server.idp.tcTokenUrl, xml, trSigning.key, 'tr-state'),
    cardFile,
    eid,
  );
  expect(outcome.redirectUrl, outcome.error?.message).toMatch(/\/saml\/refresh\//);
  const back = await new Browser().get(outcome.redirectUrl!);
  expect(back.status, back.body.slice(0, 200)).toBe(303);
  const location = String(back.headers.location);
  expect(location.startsWith(`${TR.acs}?SAMLResponse=`)).toBe(true);
  const r = readRedirectResponse(location, idpCerts.signing);
  return {
    id,
    outcome,
    ...r,
    codes: [...r.xml.matchAll(/<samlp:StatusCode Value="([^"]+)"/g)].map((m) => m[1]!),
  };
}

describe('TR-03130 EncryptedAuthnRequestExtension', () => {
  it('samlify SP: requested attributes, age/place verification, RestrictedID and AttributeNotOnChip from the encrypted extension', async () => {
    const ext = await extension([
      { name: 'urn:tw:neid:attribute:ChineseName' },
      { name: 'DateOfBirth', required: true },
      { name: 'PlaceOfResidence', required: false },
      { name: 'PlaceOfBirth', required: false },
      { name: 'AgeVerification', required: true, value: ageValue(18) },
      { name: 'PlaceVerification', value: placeValue('63000') },
      { name: 'RestrictedID' },
      { name: 'GivenNames', required: false },
      { name: 'TransactionInfo', value: '<saml2:AttributeValue>Order 42</saml2:AttributeValue>' },
    ]);
    const xml = requestXml({
      id: newId(),
      issuer: LEGACY.entity,
      destination: server.idp.ssoUrl,
      acs: LEGACY.acs,
      extensions: ext,
    });
    const browser = new Browser();
    const activation = await browser.get(samlifySignedRedirect(sp, idp, xml, 'ext'));
    expect(activation.status, activation.body.slice(0, 300)).toBe(200);
    const { form } = await completeLogin(browser, activation, card.file);
    const parsed = await sp.parseLoginResponse(idp, 'post', { body: form.fields });
    const attrs = (parsed.extract as { attributes: Record<string, unknown> }).attributes;
    const a = parsed.samlContent;
    expect(attrs['urn:tw:neid:attribute:ChineseName']).toBe(card.json.fields.chineseName);
    expect(a).toContain(
      '<eid:Request><eid:Age>18</eid:Age></eid:Request><eid:Result><eid:FulfilsRequest>true</eid:FulfilsRequest></eid:Result>',
    );
    expect(a).toContain(
      '<eid:Request><eid:CommunityID>63000</eid:CommunityID></eid:Request><eid:Result><eid:FulfilsRequest>true</eid:FulfilsRequest></eid:Result>',
    );
    expect(a).toMatch(
      /<saml:Attribute Name="RestrictedID"[^>]*><saml:AttributeValue xsi:type="eid:RestrictedIDType"><eid:ID>[0-9A-F]{64}<\/eid:ID>/,
    );
    expect(a).toMatch(/<saml:Attribute Name="GivenNames"[^>]*eid:AttributeNotOnChip="true"\/>/);
    expect(a).toMatch(/<saml:Attribute Name="PlaceOfBirth"[^>]*eid:AttributeNotOnChip="true"\/>/); // omitted from this card
    expect(a).toContain('<eid:StructuredPlace>');
  });

  it('the eID-Client flow (/saml/tctoken): Response over HTTP-Redirect, ECDSA-signed query, AES-256-GCM + RSA-OAEP-SHA-256, persistent pairwise NameID', async () => {
    const attrs = [
      { name: 'DateOfBirth' },
      { name: 'Sex', required: false },
      { name: 'AgeVerification', value: ageValue(65) },
    ];
    const first = await eidClientLogin(attrs);
    expect(first.sigAlg).toBe('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256');
    expect(first.relayState).toBe('tr-state');
    expect(first.codes).toEqual([STATUS.success]);
    expect(first.xml).toContain(`InResponseTo="${first.id}"`);
    expect(first.xml).not.toContain('<ds:Signature'); // Redirect binding: the query string is signed instead
    expect(first.xml).toContain('Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"');
    expect(first.xml).toContain(
      '<ds:DigestMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><xenc11:MGF xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" Algorithm="http://www.w3.org/2009/xmlenc11#mgf1sha256"/>',
    );
    const assertion = await decryptAssertion(first.xml, trEncryption.keyPem);
    expect(assertion).toContain(`<eid:DateString>${card.json.fields.dateOfBirth}</eid:DateString>`);
    expect(assertion).toContain(
      '<eid:Age>65</eid:Age></eid:Request><eid:Result><eid:FulfilsRequest>false</eid:FulfilsRequest>',
    );
    expect(assertion).toContain(
      'ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"',
    );
    const nameId =
      /<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"[^>]*>([^<]+)</.exec(
        assertion,
      )?.[1];
    expect(nameId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await decryptAssertion((await eidClientLogin(attrs)).xml, trEncryption.keyPem);
    expect(again).toContain(`>${nameId}</saml:NameID>`);
    expect(assertion).not.toContain(String(card.json.fields.nationalIdNumber));
  });

  it('a request beyond the approval gets Requester/RequestDenied — before any card contact', async () => {
    const id = newId();
    const xml = requestXml({
      id,
      issuer: TR.entity,
      destination: server.idp.ssoUrl,
      extensions: await extension([{ name: 'urn:tw:neid:attribute:NationalIdNumber' }]),
    });
    const page = await new Browser().get(signedRedirect(server.idp.ssoUrl, xml, trSigning.key));
    expect(page.status).toBe(303);
    const r = readRedirectResponse(String(page.headers.location), idpCerts.signing);
    expect([...r.xml.matchAll(/StatusCode Value="([^"]+)"/g)].map((m) => m[1])).toEqual([
      STATUS.requester,
      STATUS.requestDenied,
      `${NEID_STATUS_PREFIX}notApproved`,
    ]);
    expect(r.xml).toContain(`InResponseTo="${id}"`);
    expect(r.xml).not.toContain('EncryptedAssertion');
  });

  it('an unknown required attribute gets Requester/RequestUnsupported; an unknown optional one is ignored', async () => {
    const bad = requestXml({
      issuer: TR.entity,
      destination: server.idp.ssoUrl,
      extensions: await extension([{ name: 'DateOfBirth' }, { name: 'urn:x:Shoe', required: true }]),
    });
    const page = await new Browser().get(signedRedirect(server.idp.ssoUrl, bad, trSigning.key));
    expect(readRedirectResponse(String(page.headers.location), idpCerts.signing).xml).toContain(
      STATUS.requestUnsupported,
    );
    const ok = requestXml({
      issuer: TR.entity,
      destination: server.idp.ssoUrl,
      extensions: await extension([{ name: 'DateOfBirth' }, { name: 'urn:x:Shoe', required: false }]),
    });
    expect((await new Browser().get(signedRedirect(server.idp.ssoUrl, ok, trSigning.key))).status).toBe(200);
  });

  it('an extension the IdP cannot decrypt, or an unencrypted one, is refused with HTTP 400', async () => {
    const foreign = await encryptExtension(
      authnRequestExtension([{ name: 'DateOfBirth' }]),
      trEncryption.certPem,
    );
    const xml = requestXml({ issuer: TR.entity, destination: server.idp.ssoUrl, extensions: foreign });
    expect(refusal(await new Browser().get(signedRedirect(server.idp.ssoUrl, xml, trSigning.key)))).toBe(
      'extension',
    );
    const plain = requestXml({
      issuer: TR.entity,
      destination: server.idp.ssoUrl,
      extensions: authnRequestExtension([{ name: 'DateOfBirth' }]),
    });
    expect(refusal(await new Browser().get(signedRedirect(server.idp.ssoUrl, plain, trSigning.key)))).toBe(
      'extension',
    );
  });
});

describe('failures as SAML status codes', () => {
  it('the citizen cancels: Responder / AuthnFailed / cancelled', async () => {
    const r = await eidClientLogin([{ name: 'DateOfBirth' }], { accept: false });
    expect(r.codes).toEqual([STATUS.responder, STATUS.authnFailed, `${NEID_STATUS_PREFIX}cancelled`]);
    expect(r.xml).not.toContain('EncryptedAssertion');
  });

  it('an expired card (TR-03130 profile): an assertion carrying only DocumentValidity expired, a transient NameID', async () => {
    const expired = writeTestCard(server.ts.pkiDir, { fields: { renewalDueDate: '20200101' } as never });
    const r = await eidClientLogin([{ name: 'DateOfBirth' }], {}, expired.file);
    expect(r.codes).toEqual([STATUS.success]);
    const assertion = await decryptAssertion(r.xml, trEncryption.keyPem);
    expect(assertion).toMatch(/<eid:Status>expired<\/eid:Status>/);
    expect([...assertion.matchAll(/<saml:Attribute /g)]).toHaveLength(1);
    expect(assertion).not.toContain(String(expired.json.fields.dateOfBirth));
    // No stable identifier for an invalid card, although this SP has persistent NameIDs.
    expect(assertion).toContain('nameid-format:transient');
  });
});
