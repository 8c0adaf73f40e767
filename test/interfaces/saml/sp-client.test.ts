/**
 * The TypeScript SP side (src/interfaces/saml/sp-client.ts) against the
 * running IdP: a signed Redirect AuthnRequest with the encrypted TR-03130
 * extension, the HTTP-POST Response read with every SP check; refusals of a
 * foreign request ID and a tampered Response; an error status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIG } from '../../../src/interfaces/saml/algorithms.js';
import { keySigner } from '../../../src/interfaces/saml/crypto/keys.js';
import { STATUS } from '../../../src/interfaces/saml/namespaces.js';
import {
  type ExtensionAttribute,
  loginRequestUrl,
  readLoginResponse,
  SamlResponseError,
  type SpClientConfig,
} from '../../../src/interfaces/saml/sp-client.js';
import { writeTestCard } from '../../support/card.js';
import { Browser, formOf } from './support/browser.js';
import { completeLogin } from './support/flow.js';
import { ecKey, keyPair, type SamlTestServer, spRsaEncryptionKey, startSamlServer } from './support/idp.js';
import { idpCertificates } from './support/tr03130.js';

const ENTITY = 'https://ts-sp.example';
const ACS = 'https://ts-sp.example/acs';
let server: SamlTestServer;
let c: SpClientConfig;
let card: ReturnType<typeof writeTestCard>;

beforeAll(async () => {
  const signing = keyPair(ecKey(), 'ts signing');
  const encryption = keyPair(spRsaEncryptionKey(), 'ts encryption');
  server = await startSamlServer([
    {
      id: 'ts-sp',
      mnemonic: 'TSSP',
      approvedFields: ['chineseName', 'dateOfBirth', 'photo', 'householdAddress'],
      metadata: {
        entityId: ENTITY,
        signingCertificate: signing.cert,
        encryptionCertificate: encryption.cert,
        acs: [{ binding: 'post', location: ACS, index: 0 }],
      },
      saml: { nameIdFormat: 'persistent' },
    },
  ]);
  const certs = idpCertificates(server.idpMetadata);
  c = {
    entityId: ENTITY,
    acsUrl: ACS,
    signer: keySigner(signing.key, signing.cert, SIG.ecdsaSha256),
    decryptionKey: encryption.key,
    idp: {
      entityId: server.idp.entityId,
      ssoUrl: server.idp.ssoUrl,
      signingKeys: certs.signing.map((x) => x.publicKey),
      encryptionCertificate: certs.encryption[0]!,
    },
  };
  card = writeTestCard(server.ts.pkiDir);
}, 180_000);
afterAll(async () => server?.ts.close());

async function login(requested: readonly ExtensionAttribute[], cardFile = card.file) {
  const browser = new Browser();
  const req = loginRequestUrl(c, { relayState: 'here', ...(requested ? { requested } : {}) });
  const activation = await browser.get(req.url);
  if (activation.body.includes('eID-Client?tcTokenURL=')) {
    return { req, form: (await completeLogin(browser, activation, cardFile)).form };
  }
  return { req, form: formOf(activation) };
}

describe('sp-client', () => {
  it('logs in and reads the checked attributes', async () => {
    const { req, form } = await login([
      { name: 'urn:tw:neid:attribute:ChineseName' },
      { name: 'DateOfBirth' },
      { name: 'urn:tw:neid:attribute:Photo', required: false },
      { name: 'PlaceOfResidence', required: false },
    ]);
    const r = readLoginResponse(c, form.fields, req.id);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.relayState).toBe('here');
    expect(r.nameIdFormat).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    expect(r.attributes.get('urn:tw:neid:attribute:ChineseName')?.values).toEqual([
      card.json.fields.chineseName,
    ]);
    expect(r.attributes.get('urn:tw:neid:attribute:Photo')?.values[0]).toBe(card.json.fields.photo);
    expect(r.attributes.get('DateOfBirth')?.values[0]).toContain(String(card.json.fields.dateOfBirth));
    expect(
      r.attributes
        .get('PlaceOfResidence')
        ?.elements[0]?.getElementsByTagNameNS('http://bsi.bund.de/eID/', 'City')
        .item(0)?.textContent,
    ).toBeTruthy();
    expect(() => readLoginResponse(c, form.fields, '_another-request-id-0123')).toThrow(SamlResponseError);
    const xml = Buffer.from(form.fields.SAMLResponse!, 'base64').toString('utf8');
    const tampered = Buffer.from(
      xml.replace(`InResponseTo="${req.id}"`, `InResponseTo="${req.id}x"`),
    ).toString('base64');
    expect(() => readLoginResponse(c, { SAMLResponse: tampered }, `${req.id}x`)).toThrow(/signature/);
  });

  it('an invalid card in the TR-03130 style (a Success whose DocumentValidity is expired) is no login', async () => {
    const expired = writeTestCard(server.ts.pkiDir, {
      fields: { renewalDueDate: '20200101', issueDate: '20100101' },
    });
    const { req, form } = await login([{ name: 'DateOfBirth' }], expired.file);
    const r = readLoginResponse(c, form.fields, req.id);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.statusCodes).toEqual([STATUS.success]);
    expect(r.documentValidity).toBe('expired');
  });

  it('returns the error status of a refused request', async () => {
    const { req, form } = await login([{ name: 'urn:tw:neid:attribute:SpouseName' }]);
    const r = readLoginResponse(c, form.fields, req.id);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.statusCodes.slice(0, 2)).toEqual([STATUS.requester, STATUS.requestDenied]);
  });
});
