/**
 * signEnveloped writes SignedInfo in canonical form and splices the Signature
 * into our own text instead of re-serialising a DOM. Checked here against
 * xml-crypto's own signing of the same input — the same DigestValue and the
 * same canonical SignedInfo — for a namespace-heavy assertion, a response
 * and metadata (signature first); xmlsec1 verifies the real messages in
 * test/interop/saml-xmlsec.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import { C14N, DIGEST, INBOUND, SIG } from '../../../src/interfaces/saml/algorithms.js';
import { keySigner } from '../../../src/interfaces/saml/crypto/keys.js';
import { signEnveloped } from '../../../src/interfaces/saml/crypto/xmldsig-sign.js';
import { verifyEnvelopedSignature } from '../../../src/interfaces/saml/crypto/xmldsig-verify.js';
import { parseXml } from '../../../src/xml/parse.js';
import { ecKey, type KeyPair, keyPair, spRsaSigningKey } from './support/idp.js';

const ASSERTION =
  '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:eid="http://bsi.bund.de/eID/" ID="_a1b2c3" Version="2.0" IssueInstant="2026-11-22T08:00:00Z">' +
  '<saml:Issuer>https://idp.example/saml/metadata</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">_x</saml:NameID></saml:Subject>' +
  '<saml:AttributeStatement><saml:Attribute Name="DateOfBirth" FriendlyName="DateOfBirth"><saml:AttributeValue xsi:type="eid:GeneralDateType"><eid:DateString>19900315</eid:DateString></saml:AttributeValue></saml:Attribute>' +
  '<saml:Attribute Name="urn:tw:neid:attribute:ChineseName" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue xsi:type="xs:string">陳&lt;𪚥&gt;華 &amp; "x"</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>';
const METADATA =
  '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/saml/metadata" ID="_m1"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/saml/sso?a=1&amp;b=&gt;"/></md:IDPSSODescriptor></md:EntityDescriptor>';

let ec: KeyPair;
let rsa: KeyPair;
beforeAll(() => {
  ec = keyPair(ecKey(), 'ec');
  rsa = keyPair(spRsaSigningKey(), 'rsa');
});

/** xml-crypto's own enveloped signature of `xml` (the reference the fast path must match). */
function xmlCryptoSigned(xml: string, position: 'issuer' | 'first'): string {
  const sig = new SignedXml({
    privateKey: rsa.key.export({ format: 'pem', type: 'pkcs8' }) as string,
    signatureAlgorithm: SIG.rsaSha256,
    canonicalizationAlgorithm: C14N.exclusive,
  });
  sig.addReference({
    xpath: '/*',
    transforms: [C14N.enveloped, C14N.exclusive],
    digestAlgorithm: DIGEST.sha256,
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location:
      position === 'first'
        ? { reference: '/*', action: 'prepend' }
        : { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

const signedInfoC14n = (signed: string) => {
  const doc = parseXml(signed);
  const si = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'SignedInfo')[0]!;
  return new ExclusiveCanonicalization().process(si as never, {}) as string;
};
const digestOf = (signed: string) => /<ds:DigestValue>([^<]+)</.exec(signed)![1];

describe('signEnveloped', () => {
  for (const [name, xml, position] of [
    ['assertion (escapes, rare character, several namespaces)', ASSERTION, 'issuer'],
    ['metadata (signature first, ">" in an attribute)', METADATA, 'first'],
  ] as const) {
    it(`${name}: the same digest and canonical SignedInfo as xml-crypto; verifies`, () => {
      const ours = signEnveloped(xml, keySigner(rsa.key, rsa.cert, SIG.rsaSha256), {
        digest: DIGEST.sha256,
        position,
        keyInfo: false,
      });
      const theirs = xmlCryptoSigned(xml, position);
      expect(digestOf(ours)).toBe(digestOf(theirs));
      expect(signedInfoC14n(ours)).toBe(signedInfoC14n(theirs));
      // Deterministic RSA PKCS#1 v1.5: even the SignatureValue is the same.
      expect(/<ds:SignatureValue>([^<]+)</.exec(ours)![1]).toBe(
        /<ds:SignatureValue>([^<]+)</.exec(theirs)![1]!.replace(/\s/g, ''),
      );
      // Nothing but the Signature was added to our text.
      expect(ours.replace(/<ds:Signature [\s\S]*<\/ds:Signature>/, '')).toBe(xml);
      const ok = verifyEnvelopedSignature(ours, parseXml(ours), {
        keys: [rsa.cert.publicKey],
        algorithms: INBOUND.legacy,
      });
      expect(ok.element.getAttribute('ID')).toBe(parseXml(xml).documentElement!.getAttribute('ID'));
    });
  }

  it('ECDSA (r ‖ s) after the Issuer verifies with our verifier', () => {
    const signed = signEnveloped(ASSERTION, keySigner(ec.key, ec.cert, SIG.ecdsaSha256), {
      digest: DIGEST.sha256,
      position: 'issuer',
    });
    expect(signed.indexOf('<ds:Signature')).toBe(signed.indexOf('</saml:Issuer>') + '</saml:Issuer>'.length);
    expect(() =>
      verifyEnvelopedSignature(signed, parseXml(signed), {
        keys: [ec.cert.publicKey],
        algorithms: INBOUND['tr-03116-4'],
      }),
    ).not.toThrow();
  });

  it('refuses what it cannot sign safely', () => {
    const signer = keySigner(ec.key, ec.cert, SIG.ecdsaSha256);
    const o = { digest: DIGEST.sha256, position: 'issuer' as const };
    expect(() => signEnveloped('<a xmlns="urn:x"><b/></a>', signer, o)).toThrow(/no ID/);
    expect(() => signEnveloped('<a xmlns="urn:x" ID="_1"><b/></a>', signer, o)).toThrow(/saml:Issuer/);
    expect(() => signEnveloped('<a xmlns="urn:x" ID="_1"/>', signer, { ...o, position: 'first' })).toThrow(
      /empty/,
    );
    expect(() => signEnveloped(ASSERTION, signer, { ...o, digest: 'urn:md5' })).toThrow(/unsupported digest/);
    expect(() => signEnveloped(ASSERTION.replace('_a1b2c3', '1&amp;2'), signer, o)).toThrow(/NCName/);
  });
});
