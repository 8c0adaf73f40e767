/**
 * XML Security building blocks, checked against independent code: the
 * `xml-encryption` package decrypts what encryptElement produces (both
 * algorithm sets) and produces what decryptEncryptedData accepts; plain
 * xml-crypto verifies the RSA signatures of signEnveloped. The algorithm
 * allow-lists refuse what a set does not contain.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { ENC, INBOUND, OUTBOUND, SIG } from '../../../src/interfaces/saml/algorithms.js';
import { keySigner } from '../../../src/interfaces/saml/crypto/keys.js';
import { verifyRaw } from '../../../src/interfaces/saml/crypto/signature-algorithms.js';
import { signEnveloped } from '../../../src/interfaces/saml/crypto/xmldsig-sign.js';
import { verifyEnvelopedSignature } from '../../../src/interfaces/saml/crypto/xmldsig-verify.js';
import { DecryptionError, decryptEncryptedData } from '../../../src/interfaces/saml/crypto/xmlenc-decrypt.js';
import { encryptElement } from '../../../src/interfaces/saml/crypto/xmlenc-encrypt.js';
import type { SamlRejection } from '../../../src/interfaces/saml/errors.js';
import { elementChildren } from '../../../src/xml/dom.js';
import { parseXml } from '../../../src/xml/parse.js';
import { ecKey, type KeyPair, keyPair, spRsaEncryptionKey, spRsaSigningKey } from './support/idp.js';
import { decryptAssertion, encryptExtension } from './support/tr03130.js';

const DOC =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_0123456789abcdef" Version="2.0"><saml:Issuer>https://idp.example</saml:Issuer><samlp:Status/></samlp:Response>';
let rsa: KeyPair;
let ec: KeyPair;
let enc: KeyPair;
beforeAll(() => {
  rsa = keyPair(spRsaSigningKey(), 'rsa');
  ec = keyPair(ecKey(), 'ec');
  enc = keyPair(spRsaEncryptionKey(), 'enc');
});

describe('signEnveloped / verifyEnvelopedSignature', () => {
  it('rsa-sha256 signatures verify with plain xml-crypto', () => {
    const signed = signEnveloped(DOC, keySigner(rsa.key, rsa.cert, SIG.rsaSha256), {
      digest: OUTBOUND.legacy.digest,
      position: 'issuer',
    });
    const v = new SignedXml({ publicCert: rsa.certPem });
    v.loadSignature(/<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0]);
    expect(v.checkSignature(signed)).toBe(true);
    expect(signed.indexOf('<ds:Signature')).toBeGreaterThan(signed.indexOf('</saml:Issuer>'));
  });
  it('ECDSA-SHA256: r ‖ s, verified by the strict verifier, which returns the signed element only', () => {
    const signed = signEnveloped(DOC, keySigner(ec.key, ec.cert, SIG.ecdsaSha256), {
      digest: OUTBOUND['tr-03116-4'].digest,
      position: 'issuer',
    });
    const value = Buffer.from(/<ds:SignatureValue>([^<]+)</.exec(signed)![1]!, 'base64');
    expect(value).toHaveLength(64);
    const v = verifyEnvelopedSignature(signed, parseXml(signed), {
      keys: [ec.cert.publicKey],
      algorithms: INBOUND['tr-03116-4'],
    });
    expect(v.element.localName).toBe('Response');
    expect(elementChildren(v.element).map((e) => e.localName)).toEqual(['Issuer', 'Status']);
  });
  it('refuses an RSA PKCS#1 v1.5 signature for a TR-03116-4 SP, and the wrong key', () => {
    const signed = signEnveloped(DOC, keySigner(rsa.key, rsa.cert, SIG.rsaSha256), {
      digest: OUTBOUND.legacy.digest,
      position: 'issuer',
    });
    expect(() =>
      verifyEnvelopedSignature(signed, parseXml(signed), {
        keys: [rsa.cert.publicKey],
        algorithms: INBOUND['tr-03116-4'],
      }),
    ).toThrow(/not accepted/);
    const other = keyPair(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'other');
    const e = (() => {
      try {
        verifyEnvelopedSignature(signed, parseXml(signed), {
          keys: [other.cert.publicKey],
          algorithms: INBOUND.legacy,
        });
      } catch (x) {
        return x as SamlRejection;
      }
      return undefined;
    })();
    expect(e?.code).toBe('signature-invalid');
  });
  it('verifyRaw accepts ECDSA as r ‖ s and as DER (Redirect binding of other stacks)', () => {
    const data = Buffer.from('SAMLRequest=x&SigAlg=y');
    expect(
      verifyRaw(
        SIG.ecdsaSha256,
        ec.cert.publicKey,
        data,
        sign('sha256', data, { key: ec.key, dsaEncoding: 'ieee-p1363' }),
      ),
    ).toBe(true);
    expect(verifyRaw(SIG.ecdsaSha256, ec.cert.publicKey, data, sign('sha256', data, ec.key))).toBe(true);
    expect(verifyRaw(SIG.rsaSha256, ec.cert.publicKey, data, sign('sha256', data, ec.key))).toBe(false);
  });
});

describe('encryptElement: xml-encryption decrypts both algorithm sets; a fresh key per message', () => {
  for (const set of ['tr-03116-4', 'legacy'] as const) {
    it(set, async () => {
      const plain =
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a">秘密</saml:Assertion>';
      const a = encryptElement(plain, enc.cert.publicKey, OUTBOUND[set]);
      const b = encryptElement(plain, enc.cert.publicKey, OUTBOUND[set]);
      expect(a).toContain(OUTBOUND[set].content);
      expect(a).toContain(OUTBOUND[set].keyTransport.algorithm);
      const keyOf = (x: string) => /<xenc:EncryptedKey>[\s\S]*?<xenc:CipherValue>([^<]+)/.exec(x)![1];
      expect(keyOf(a)).not.toBe(keyOf(b));
      expect(await decryptAssertion(`<r>${a}</r>`, enc.keyPem)).toBe(plain);
    });
  }
});

describe('decryptEncryptedData', () => {
  const dataOf = (xml: string) => {
    const doc = parseXml(xml);
    const data = doc.getElementsByTagNameNS('http://www.w3.org/2001/04/xmlenc#', 'EncryptedData').item(0)!;
    return data;
  };
  it('decrypts what xml-encryption encrypts (AES-256-GCM, RSA-OAEP SHA-256 / MGF1-SHA-256)', async () => {
    const wrapped = await encryptExtension('<x:Ext xmlns:x="urn:x">42</x:Ext>', enc.certPem);
    expect(decryptEncryptedData(dataOf(wrapped), [], enc.key, INBOUND['tr-03116-4']).toString()).toBe(
      '<x:Ext xmlns:x="urn:x">42</x:Ext>',
    );
  });
  it('refuses AES-CBC and rsa-oaep-mgf1p for a TR-03116-4 SP but accepts them from a legacy SP', () => {
    const legacy = encryptElement('<x/>', enc.cert.publicKey, OUTBOUND.legacy);
    expect(() => decryptEncryptedData(dataOf(legacy), [], enc.key, INBOUND['tr-03116-4'])).toThrow(
      DecryptionError,
    );
    expect(decryptEncryptedData(dataOf(legacy), [], enc.key, INBOUND.legacy).toString()).toBe('<x/>');
  });
  it('refuses rsa-1_5, a tampered GCM tag, and disagreeing OAEP digest and MGF', () => {
    const tr = encryptElement('<x/>', enc.cert.publicKey, OUTBOUND['tr-03116-4']);
    expect(() =>
      decryptEncryptedData(
        dataOf(tr.replace(ENC.rsaOaep, 'http://www.w3.org/2001/04/xmlenc#rsa-1_5')),
        [],
        enc.key,
        INBOUND.legacy,
      ),
    ).toThrow(/not accepted/);
    expect(() =>
      decryptEncryptedData(dataOf(tr.replace('mgf1sha256', 'mgf1sha1')), [], enc.key, INBOUND.legacy),
    ).toThrow(/must agree/);
    const cv = /<\/xenc:EncryptedKey><\/ds:KeyInfo><xenc:CipherData><xenc:CipherValue>([^<]+)/.exec(tr)![1]!;
    const bytes = Buffer.from(cv, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    expect(() =>
      decryptEncryptedData(
        dataOf(tr.replace(cv, bytes.toString('base64'))),
        [],
        enc.key,
        INBOUND['tr-03116-4'],
      ),
    ).toThrow(/cannot be decrypted/);
  });
});
