/**
 * Signature wrapping and related attacks on AuthnRequests, refused case by
 * case with HTTP 400 and no SAML message (TR-03130-1 §4.8.1; saml-sec-consider
 * §6.4): the wrapped request of samlify issue #634, a signature moved into
 * Extensions, duplicate IDs, comment injection, the XSW shapes that apply to
 * a request, a signature that does not cover the root, an unsigned request
 * from an SP that must sign, and Redirect query strings re-ordered or
 * re-encoded. Valid requests are accepted (controls), so every refusal is
 * caused by the one mutation.
 */
import { generateKeyPairSync } from 'node:crypto';
import * as samlify from 'samlify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
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
} from './support/requests.js';
import { samlifySp, withRequestedAttributes } from './support/samlify.js';

samlify.setSchemaValidator({ validate: async () => 'skipped' });

const ENTITY = 'https://xsw-sp.example/metadata';
const ACS = 'https://xsw-sp.example/acs';
let server: SamlTestServer;
let sp: samlify.ServiceProviderInstance;
let idp: samlify.IdentityProviderInstance;
let signingKeyPem: string;
let sso: string;

beforeAll(async () => {
  const signing = keyPair(spRsaSigningKey(), 'xsw SP signing');
  signingKeyPem = signing.keyPem;
  sp = samlifySp({
    entityId: ENTITY,
    acs: ACS,
    signing,
    encryption: keyPair(spRsaEncryptionKey(), 'xsw SP encryption'),
  });
  const metadataXml = withRequestedAttributes(sp.getMetadata(), [{ name: 'DateOfBirth', required: true }]);
  server = await startSamlServer([
    { id: 'xsw-sp', mnemonic: 'XSWSP', saml: { algorithms: 'legacy' }, metadataXml },
  ]);
  idp = samlify.IdentityProvider({ metadata: server.idpMetadata, wantAuthnRequestsSigned: true });
  sso = server.idp.ssoUrl;
}, 180_000);
afterAll(async () => server?.ts.close());

const base = (o: Partial<Parameters<typeof requestXml>[0]> = {}) =>
  requestXml({ issuer: ENTITY, destination: sso, acs: ACS, ...o });
const signed = (o: Partial<Parameters<typeof requestXml>[0]> = {}) => samlifySignedPost(sp, idp, base(o));
const post = (xml: string) => new Browser().post(sso, postForm(xml));
const SIG = /<ds:Signature[\s\S]*<\/ds:Signature>/;

/** Signs with xml-crypto directly (to craft signatures samlify would not make). */
function craft(
  xml: string,
  o: { xpath: string; uri?: string; key?: string; keyInfoCert?: string; location?: string },
): string {
  const s = new SignedXml({
    privateKey: o.key ?? signingKeyPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    ...(o.keyInfoCert ? { publicCert: o.keyInfoCert, getKeyInfoContent: SignedXml.getKeyInfoContent } : {}),
  });
  s.addReference({
    xpath: o.xpath,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    ...(o.uri !== undefined ? { uri: o.uri, isEmptyUri: o.uri === '' } : {}),
  });
  s.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: o.location ?? "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return s.getSignedXml();
}

describe('controls: valid requests are accepted', () => {
  it('a samlify-signed HTTP-POST request', async () => {
    const page = await post(signed());
    expect(page.status, page.body.slice(0, 200)).toBe(200);
    expect(page.body).toContain('eID-Client?tcTokenURL=');
  });
  it('a samlify-signed HTTP-Redirect request', async () => {
    expect((await new Browser().get(samlifySignedRedirect(sp, idp, base()))).status).toBe(200);
  });
  it('a request signed with xml-crypto over the root', async () => {
    expect((await post(craft(base(), { xpath: '/*' }))).status).toBe(200);
  });
});

describe('signature wrapping is refused', () => {
  it('samlify #634: a validly signed AuthnRequest wrapped in an attacker-controlled one', async () => {
    const inner = signed();
    const outer = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${sso}" AssertionConsumerServiceURL="https://evil.example/acs"><saml:Issuer>${ENTITY}</saml:Issuer>${inner}</samlp:AuthnRequest>`;
    expect(refusal(await post(outer))).toBe('signature-wrapping');
  });
  it("#634 variant: the signed request hidden in the outer request's Extensions", async () => {
    const inner = signed();
    expect(refusal(await post(base({ extensions: inner })))).toBe('signature-wrapping');
  });
  it('the signature moved into Extensions', async () => {
    const xml = signed();
    const sig = SIG.exec(xml)![0];
    const moved = xml
      .replace(sig, '')
      .replace('</saml:Issuer>', `</saml:Issuer><samlp:Extensions>${sig}</samlp:Extensions>`);
    expect(refusal(await post(moved))).toBe('signature-wrapping');
  });
  it('duplicate IDs: another element carries the root ID', async () => {
    const id = newId();
    const xml = craft(base({ id, extensions: `<x:Evil xmlns:x="urn:evil" ID="${id}"/>` }), { xpath: '/*' });
    expect(refusal(await post(xml))).toBe('signature-wrapping');
  });
  it('duplicate IDs elsewhere (Id / ID twice) are refused even when the root ID is unique', async () => {
    const xml = craft(
      base({
        extensions:
          '<x:A xmlns:x="urn:x" Id="_dup1234567890abcdef"/><x:B xmlns:x="urn:x" ID="_dup1234567890abcdef"/>',
      }),
      { xpath: '/*' },
    );
    expect(refusal(await post(xml))).toBe('signature-wrapping');
  });
  it('XSW: a new root (new ID, attacker ACS) with the signed original in Extensions, signature referencing the original', async () => {
    const original = signed();
    const sig = SIG.exec(original)![0];
    const attacker = base({ acs: 'https://evil.example/acs', extensions: original.replace(sig, '') }).replace(
      '</saml:Issuer>',
      `</saml:Issuer>${sig}`,
    );
    expect(refusal(await post(attacker))).toBe('signature-wrapping');
  });
  it('XSW: the signed original moved into ds:Object of the signature', async () => {
    const original = signed();
    const sig = SIG.exec(original)![0];
    const evil = base({ acs: 'https://evil.example/acs', id: /ID="([^"]+)"/.exec(original)![1] });
    const withObject = sig.replace(
      '</ds:Signature>',
      `<ds:Object>${original.replace(sig, '')}</ds:Object></ds:Signature>`,
    );
    expect(refusal(await post(evil.replace('</saml:Issuer>', `</saml:Issuer>${withObject}`)))).toBe(
      'signature-wrapping',
    );
  });
  it('a signature that covers only a child element, not the root', async () => {
    const xml = craft(base({ extensions: '<x:Part xmlns:x="urn:x" ID="_part1234567890abcdef"/>' }), {
      xpath: "//*[local-name(.)='Part']",
    });
    expect(refusal(await post(xml))).toBe('signature-wrapping');
  });
  it('a signature with Reference URI="" (whole document) instead of the root ID', async () => {
    const xml = craft(base(), { xpath: '/*', uri: '' });
    expect(refusal(await post(xml))).toBe('signature-wrapping');
  });
  it('an attacker key in KeyInfo is ignored: the registered certificate decides', async () => {
    const attacker = keyPair(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'attacker');
    const xml = craft(base(), { xpath: '/*', key: attacker.keyPem, keyInfoCert: attacker.certPem });
    expect(refusal(await post(xml))).toBe('signature-invalid');
  });
  it('content changed after signing (a second, attacker ACS attribute value)', async () => {
    const xml = signed().replace(
      `AssertionConsumerServiceURL="${ACS}"`,
      'AssertionConsumerServiceURL="https://evil.example/acs"',
    );
    expect(refusal(await post(xml))).toBe('signature-invalid');
  });
});

describe('comment injection is refused', () => {
  it('a comment inside the Issuer (the signature stays valid: c14n drops comments)', async () => {
    const xml = signed().replace(
      `<saml:Issuer>${ENTITY}</saml:Issuer>`,
      `<saml:Issuer>https://xsw-sp<!---->.example/metadata</saml:Issuer>`,
    );
    expect(refusal(await post(xml))).toBe('signature-wrapping');
  });
  it('a comment inside a NameID (adm<!---->in), in a validly signed request', async () => {
    const subject = '<saml:Subject><saml:NameID>adm<!---->in</saml:NameID></saml:Subject>';
    const xml = craft(base({ extra: subject }), { xpath: '/*' });
    expect(refusal(await post(xml))).toBe('signature-wrapping');
  });
  it('a comment next to the ID-bearing element (IDs stay as signed; comments are refused anywhere)', async () => {
    const xml = signed().replace('<saml:Issuer>', '<!-- ID="_other" --><saml:Issuer>');
    expect(refusal(await post(xml))).toBe('signature-wrapping');
  });
});

describe('unsigned and badly signed requests are refused', () => {
  it('an unsigned HTTP-POST request from an SP that must sign', async () => {
    expect(refusal(await post(base()))).toBe('signature-missing');
  });
  it('an unsigned HTTP-Redirect request from an SP that must sign', async () => {
    expect(refusal(await new Browser().get(`${sso}?SAMLRequest=${deflated(base())}`))).toBe(
      'signature-missing',
    );
  });
  it('HTTP-Redirect with the query re-ordered (SigAlg first)', async () => {
    const url = new URL(samlifySignedRedirect(sp, idp, base(), 'state-1'));
    const parts = url.search.slice(1).split('&');
    const reordered = [
      parts.find((p) => p.startsWith('SigAlg='))!,
      ...parts.filter((p) => !p.startsWith('SigAlg=')),
    ].join('&');
    expect(refusal(await new Browser().get(`${sso}?${reordered}`))).toBe('malformed');
  });
  it('HTTP-Redirect with the SAMLRequest re-encoded (lower-case percent escapes)', async () => {
    const url = samlifySignedRedirect(sp, idp, base());
    const reencoded = url.replace(
      /SAMLRequest=([^&]+)/,
      (_m, v: string) => `SAMLRequest=${v.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`,
    );
    expect(reencoded).not.toBe(url);
    expect(refusal(await new Browser().get(reencoded))).toBe('signature-invalid');
  });
  it('HTTP-Redirect carrying an enveloped XML signature as well', async () => {
    const url = samlifySignedRedirect(sp, idp, signed());
    expect(refusal(await new Browser().get(url))).toBe('signature-wrapping');
  });
  it('a signature algorithm outside the SP set (rsa-sha1)', async () => {
    const s = new SignedXml({
      privateKey: signingKeyPem,
      signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    s.addReference({
      xpath: '/*',
      transforms: [
        'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
        'http://www.w3.org/2001/10/xml-exc-c14n#',
      ],
      digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1',
    });
    s.computeSignature(base(), {
      prefix: 'ds',
      location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
    });
    expect(refusal(await post(s.getSignedXml()))).toBe('algorithm-refused');
  });
});
