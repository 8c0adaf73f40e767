import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OID } from '../../../src/asn1/oids.js';
import { issueCertificate, parseCms, pemFromDer, signCms, X509Error } from '../../../src/pki/x509/index.js';
import { DAY, DS_NAME, ecKey, makePki, NOW, openssl, PROFILES, scratch } from './pki-fixture.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe('signCms / parseCms', () => {
  const pki = makePki(PROFILES[2]!);

  it('parses what it signs', () => {
    const cms = parseCms(pki.cardSecurity);
    expect(cms.contentType).toBe(OID.idSecurityObject);
    expect(cms.content.equals(pki.content)).toBe(true);
    expect(cms.certificates).toHaveLength(1);
    expect(cms.certificates[0]!.equals(pki.ds.cert)).toBe(true);
    const { signer } = cms;
    expect(signer.digestAlgorithm).toBe('sha384');
    expect(signer.contentTypeAttr).toBe(OID.idSecurityObject);
    expect(signer.messageDigest.equals(createHash('sha384').update(pki.content).digest())).toBe(true);
    expect(signer.signedAttrsDer[0]).toBe(0x31);
    expect(pki.cardSecurity.includes(signer.signedAttrsDer.subarray(1))).toBe(true);
    expect('issuer' in signer.sid && signer.sid.serial).toBe(0x0102030405n);
    expect(signer.signingTime).toBeInstanceOf(Date);
  });

  it('embeds extra certificates, omits signingTime on request and uses version 1 for id-data', () => {
    const der = signCms({
      contentType: OID.idData,
      content: Buffer.from('hello'),
      signerCert: pki.ds.cert,
      signerKey: pki.ds.key,
      hash: 'sha512',
      extraCerts: [pki.csca.cert],
      signingTime: null,
    });
    const cms = parseCms(der);
    expect(cms.certificates).toHaveLength(2);
    expect(cms.signer.signingTime).toBeUndefined();
    expect(cms.signer.digestAlgorithm).toBe('sha512');
    expect(openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', tmp.file('v1.der', der)])).toMatch(
      /d\.signedData: \n\s+version: 1/,
    );
    const out = tmp.file('v1-content.bin');
    const cscaPem = tmp.file('v1-csca.pem', pemFromDer(pki.csca.cert));
    openssl([
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      tmp.file('v1.der'),
      '-CAfile',
      cscaPem,
      '-binary',
      '-out',
      out,
    ]);
    expect(readFileSync(out, 'utf8')).toBe('hello');
  });

  it('signs with an RSA Document Signer too (openssl verifies)', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const cert = issueCertificate({
      subject: DS_NAME,
      issuer: DS_NAME,
      notBefore: new Date(NOW - DAY),
      notAfter: new Date(NOW + DAY),
      subjectPublicKey: rsa.publicKey,
      issuerKey: rsa.privateKey,
      keyUsage: ['digitalSignature'],
    });
    const der = signCms({
      contentType: OID.idSecurityObject,
      content: pki.content,
      signerCert: cert,
      signerKey: rsa.privateKey,
      hash: 'sha256',
    });
    const ca = tmp.file('rsa.pem', pemFromDer(cert));
    const out = tmp.file('rsa-content.der');
    openssl([
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      tmp.file('rsa.der', der),
      '-CAfile',
      ca,
      '-purpose',
      'any',
      '-binary',
      '-out',
      out,
    ]);
    expect(readFileSync(out).equals(pki.content)).toBe(true);
  });

  it('refuses a key that does not belong to the signer certificate', () => {
    expect(() =>
      signCms({
        contentType: OID.idSecurityObject,
        content: pki.content,
        signerCert: pki.ds.cert,
        signerKey: ecKey('brainpoolP384r1').privateKey,
        hash: 'sha384',
      }),
    ).toThrow(X509Error);
  });

  it('reports bad input as X509Error only', () => {
    const der = pki.cardSecurity;
    for (let n = 0; n < der.length; n += 5) {
      try {
        parseCms(der.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(X509Error);
      }
    }
    for (let i = 0; i < der.length; i += 2) {
      const b = Buffer.from(der);
      b[i] ^= 0xff;
      try {
        parseCms(b);
      } catch (e) {
        expect(e).toBeInstanceOf(X509Error);
      }
    }
  });
});
