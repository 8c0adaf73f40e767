/**
 * The SSO endpoint's request checks (TR-03130-1 §4.8): what is refused with
 * HTTP 400 and no SAML message (unknown SP, stale or future IssueInstant,
 * Destination, ACS not in the metadata, malformed encodings), what is
 * answered with a SAML error status to the verified ACS (IsPassive,
 * NameIDPolicy, RequestedAuthnContext, beyond approval, unknown
 * AttributeConsumingServiceIndex), and the signed metadata document.
 */
import { deflateRawSync } from 'node:zlib';
import * as samlify from 'samlify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOUND } from '../../../src/interfaces/saml/algorithms.js';
import { verifyEnvelopedSignature } from '../../../src/interfaces/saml/crypto/xmldsig-verify.js';
import { STATUS } from '../../../src/interfaces/saml/namespaces.js';
import { NEID_STATUS_PREFIX } from '../../../src/interfaces/saml/status.js';
import { parseXml } from '../../../src/xml/parse.js';
import { Browser } from './support/browser.js';
import {
  keyPair,
  type SamlTestServer,
  spRsaEncryptionKey,
  spRsaSigningKey,
  startSamlServer,
} from './support/idp.js';
import {
  deflated,
  newId,
  postForm,
  refusal,
  requestXml,
  samlifySignedPost,
  samlifySignedRedirect,
  statusOfForm,
} from './support/requests.js';
import { samlifySp, withRequestedAttributes } from './support/samlify.js';
import { idpCertificates } from './support/tr03130.js';

samlify.setSchemaValidator({ validate: async () => 'skipped' });

const E = (name: string) => ({
  entity: `https://${name}.example/metadata`,
  acs: `https://${name}.example/acs`,
});
const REQ = E('req-sp');
const OPEN = E('open-sp');
const GREEDY = E('greedy-sp');
let server: SamlTestServer;
let sp: samlify.ServiceProviderInstance;
let greedy: samlify.ServiceProviderInstance;
let idp: samlify.IdentityProviderInstance;
let sso: string;

beforeAll(async () => {
  const signing = keyPair(spRsaSigningKey(), 'sp signing');
  const encryption = keyPair(spRsaEncryptionKey(), 'sp encryption');
  sp = samlifySp({ entityId: REQ.entity, acs: REQ.acs, signing, encryption });
  greedy = samlifySp({ entityId: GREEDY.entity, acs: GREEDY.acs, signing, encryption });
  const open = samlifySp({ entityId: OPEN.entity, acs: OPEN.acs, signing, encryption });
  const dob = [{ name: 'DateOfBirth', required: true }];
  server = await startSamlServer([
    {
      id: 'req-sp',
      mnemonic: 'REQSP',
      saml: { algorithms: 'legacy' },
      metadataXml: withRequestedAttributes(sp.getMetadata(), dob),
    },
    {
      id: 'open-sp',
      mnemonic: 'OPENSP',
      saml: { algorithms: 'legacy', requireSignedRequests: false },
      metadataXml: withRequestedAttributes(open.getMetadata(), dob),
    },
    {
      id: 'greedy-sp',
      mnemonic: 'GREEDY',
      approvedFields: ['dateOfBirth'],
      saml: { algorithms: 'legacy' },
      metadataXml: withRequestedAttributes(greedy.getMetadata(), [
        ...dob,
        { name: 'urn:tw:neid:attribute:NationalIdNumber', required: false },
      ]),
    },
  ]);
  idp = samlify.IdentityProvider({ metadata: server.idpMetadata, wantAuthnRequestsSigned: true });
  sso = server.idp.ssoUrl;
}, 180_000);
afterAll(async () => server?.ts.close());

const xmlOf = (o: Partial<Parameters<typeof requestXml>[0]> = {}) =>
  requestXml({ issuer: REQ.entity, destination: sso, acs: REQ.acs, ...o });
const post = (xml: string, signer = sp) =>
  new Browser().post(sso, postForm(samlifySignedPost(signer, idp, xml)));

describe('refused with HTTP 400 and no SAML message', () => {
  it('an unknown SP', async () => {
    expect(
      refusal(await new Browser().post(sso, postForm(xmlOf({ issuer: 'https://nobody.example/sp' })))),
    ).toBe('unknown-sp');
  });
  it('a stale or future IssueInstant', async () => {
    expect(
      refusal(await post(xmlOf({ issueInstant: new Date(Date.now() - 10 * 60_000).toISOString() }))),
    ).toBe('stale');
    expect(
      refusal(await post(xmlOf({ issueInstant: new Date(Date.now() + 10 * 60_000).toISOString() }))),
    ).toBe('stale');
  });
  it('a Destination that is not this endpoint', async () => {
    expect(refusal(await post(xmlOf({ destination: `${server.ts.web}/elsewhere` })))).toBe('destination');
  });
  it('an ACS URL or index not in the SP metadata', async () => {
    expect(refusal(await post(xmlOf({ acs: 'https://evil.example/acs' })))).toBe('acs');
    expect(refusal(await post(xmlOf({ acs: '', attrs: 'AssertionConsumerServiceIndex="7"' })))).toBe('acs');
  });
  it('malformed messages: DTD, short ID, SAML 1.1, a decompression bomb, duplicated or unknown query parameters', async () => {
    expect(refusal(await new Browser().post(sso, postForm(`<!DOCTYPE x [<!ENTITY a "b">]>${xmlOf()}`)))).toBe(
      'malformed',
    );
    expect(refusal(await post(xmlOf({ id: '_short' })))).toBe('malformed');
    expect(refusal(await post(xmlOf().replace('Version="2.0"', 'Version="1.1"')))).toBe('malformed');
    const bomb = encodeURIComponent(deflateRawSync(Buffer.alloc(2 * 1024 * 1024, 0x20)).toString('base64'));
    expect(refusal(await new Browser().get(`${sso}?SAMLRequest=${bomb}`))).toBe('malformed');
    const url = samlifySignedRedirect(sp, idp, xmlOf());
    expect(refusal(await new Browser().get(`${url}&SAMLRequest=${deflated(xmlOf())}`))).toBe('malformed');
    expect(refusal(await new Browser().get(`${url}&debug=1`))).toBe('malformed');
  });
});

describe('accepted', () => {
  it('an unsigned request from an SP the registry allows to send unsigned requests', async () => {
    const xml = requestXml({ issuer: OPEN.entity, destination: sso, acs: OPEN.acs });
    expect((await new Browser().get(`${sso}?SAMLRequest=${deflated(xml)}`)).status).toBe(200);
  });
  it('RequestedAuthnContext minimum PasswordProtectedTransport (an eID login is stronger)', async () => {
    const rac =
      '<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>';
    expect((await post(xmlOf({ extra: rac }))).status).toBe(200);
  });
});

describe('answered with a SAML error status to the ACS', () => {
  const idpRsa = () =>
    idpCertificates(server.idpMetadata).signing.find((c) => c.publicKey.asymmetricKeyType === 'rsa')!
      .publicKey;
  async function statusFor(xml: string, signer = sp) {
    const page = await post(xml, signer);
    expect(page.status, page.body.slice(0, 200)).toBe(200);
    const s = statusOfForm(page);
    // The error Response is signed like any other (legacy SP: rsa-sha256).
    verifyEnvelopedSignature(s.xml, parseXml(s.xml), { keys: [idpRsa()], algorithms: INBOUND.legacy });
    return s;
  }
  it('IsPassive: Responder / NoPassive', async () => {
    expect((await statusFor(xmlOf({ attrs: 'IsPassive="true"' }))).codes).toEqual([
      STATUS.responder,
      STATUS.noPassive,
      `${NEID_STATUS_PREFIX}noPassive`,
    ]);
  });
  it('a NameIDPolicy for persistent NameIDs on a transient SP: Requester / InvalidNameIDPolicy', async () => {
    const policy = '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"/>';
    expect((await statusFor(xmlOf({ extra: policy }))).codes.slice(0, 2)).toEqual([
      STATUS.requester,
      STATUS.invalidNameIdPolicy,
    ]);
  });
  it('RequestedAuthnContext exact PasswordProtectedTransport: Responder / NoAuthnContext', async () => {
    const rac =
      '<samlp:RequestedAuthnContext Comparison="exact"><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>';
    expect((await statusFor(xmlOf({ extra: rac }))).codes.slice(0, 2)).toEqual([
      STATUS.responder,
      STATUS.noAuthnContext,
    ]);
  });
  it('metadata requesting a field beyond the approval: Requester / RequestDenied', async () => {
    const s = await statusFor(
      requestXml({ id: newId(), issuer: GREEDY.entity, destination: sso, acs: GREEDY.acs }),
      greedy,
    );
    expect(s.codes).toEqual([STATUS.requester, STATUS.requestDenied, `${NEID_STATUS_PREFIX}notApproved`]);
    expect(s.message).toContain('nationalIdNumber');
  });
  it('an AttributeConsumingServiceIndex the SP metadata does not have: Requester / RequestUnsupported', async () => {
    expect(
      (await statusFor(xmlOf({ attrs: 'AttributeConsumingServiceIndex="9"' }))).codes.slice(0, 2),
    ).toEqual([STATUS.requester, STATUS.requestUnsupported]);
  });
});

describe('GET /saml/metadata', () => {
  it('publishes signed metadata with separate signing (ECDSA, RSA) and encryption keys, both bindings, NameID formats; cached by ETag', async () => {
    const b = new Browser();
    const page = await b.get(`${server.ts.web}/saml/metadata`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('application/samlmetadata+xml');
    const certs = idpCertificates(page.body);
    expect(certs.signing.map((c) => c.publicKey.asymmetricKeyType)).toEqual(['ec', 'rsa']);
    expect(certs.encryption).toHaveLength(1);
    expect(certs.encryption[0]!.raw.equals(certs.signing[1]!.raw)).toBe(false);
    const doc = parseXml(page.body);
    const v = verifyEnvelopedSignature(page.body, doc, {
      keys: [certs.signing[0]!.publicKey],
      algorithms: INBOUND['tr-03116-4'],
    });
    expect(v.signatureAlgorithm).toBe('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256');
    expect(page.body).toContain(
      `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sso}"/>`,
    );
    expect(page.body).toContain(
      `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${sso}"/>`,
    );
    expect(page.body).toContain(
      '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>',
    );
    expect(page.body).toContain(
      `<neid:TcTokenService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${server.idp.tcTokenUrl}"/>`,
    );
    const again = await b.request('GET', `${server.ts.web}/saml/metadata`, undefined, {
      'if-none-match': String(page.headers.etag),
    });
    expect(again.status).toBe(304);
  });
});
