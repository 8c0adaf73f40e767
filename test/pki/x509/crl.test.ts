import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../src/pki/x509/certificate-parser.js';
import { issueCrl, parseCrl, verifyCrl, X509Error } from '../../../src/pki/x509/index.js';
import { DAY, flip, makePki, NOW, openssl, PROFILES, scratch } from './pki-fixture.js';

describe('CRL', () => {
  const pki = makePki(PROFILES[0]!, { revokeDs: true });
  const other = makePki(PROFILES[0]!);

  it('parses the fields it wrote', () => {
    const crl = parseCrl(pki.crl);
    expect(crl.issuerDer.equals(parseCertificate(pki.csca.cert).subject)).toBe(true);
    expect([...crl.revokedSerials].sort()).toEqual(['102030405', '77']);
    expect(crl.crlNumber).toBe(7n);
    expect(crl.nextUpdate!.getTime() - crl.thisUpdate.getTime()).toBe(30 * DAY + 3600_000);
    expect(crl.tbs[0]).toBe(0x30);
    expect(crl.signatureAlgorithm.equals(crl.tbsSignatureAlgorithm)).toBe(true);
  });

  it('verifies against its issuer only', () => {
    expect(verifyCrl(pki.crl, pki.csca.cert)).toBe(true);
    expect(verifyCrl(parseCrl(pki.crl), new X509Certificate(pki.csca.cert))).toBe(true);
    expect(verifyCrl(pki.crl, other.csca.cert)).toBe(false); // same name, other key
    expect(verifyCrl(pki.crl, pki.ds.cert)).toBe(false); // other name
    const sigAt = pki.crl.length - 10;
    expect(verifyCrl(flip(pki.crl, sigAt), pki.csca.cert)).toBe(false);
    const tbsAt = pki.crl.indexOf(parseCrl(pki.crl).tbs) + 60;
    expect(verifyCrl(flip(pki.crl, tbsAt), pki.csca.cert)).toBe(false);
    expect(verifyCrl(Buffer.from('garbage'), pki.csca.cert)).toBe(false);
    expect(verifyCrl(pki.crl, Buffer.from('garbage'))).toBe(false);
  });

  it('is not accepted from an issuer whose KeyUsage lacks cRLSign', () => {
    const byDs = issueCrl({
      issuerCert: pki.ds.cert,
      issuerKey: pki.ds.key,
      thisUpdate: new Date(NOW),
      nextUpdate: new Date(NOW + DAY),
      crlNumber: 1n,
      revoked: [],
    });
    expect(verifyCrl(byDs, pki.ds.cert)).toBe(false);
  });

  it('an empty CRL omits revokedCertificates and openssl reads it', () => {
    const tmp = scratch();
    try {
      const empty = issueCrl({
        issuerCert: pki.csca.cert,
        issuerKey: pki.csca.key,
        thisUpdate: new Date(NOW),
        nextUpdate: new Date(Date.UTC(2051, 0, 1)),
        crlNumber: 1n,
        revoked: [],
      });
      const text = openssl(['crl', '-inform', 'DER', '-in', tmp.file('empty.der', empty), '-noout', '-text']);
      expect(text).toContain('No Revoked Certificates');
      expect(text).toContain('Next Update: Jan  1 00:00:00 2051 GMT');
      expect(parseCrl(empty).revokedSerials.size).toBe(0);
      expect(parseCrl(empty).nextUpdate?.toISOString()).toBe('2051-01-01T00:00:00.000Z');
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses to sign with a key that is not the issuer certificate key', () => {
    expect(() =>
      issueCrl({
        issuerCert: pki.csca.cert,
        issuerKey: other.csca.key,
        thisUpdate: new Date(NOW),
        nextUpdate: new Date(NOW + DAY),
        crlNumber: 1n,
        revoked: [],
      }),
    ).toThrow(X509Error);
  });

  it('reports bad input as X509Error only', () => {
    for (let n = 0; n < pki.crl.length; n++) {
      try {
        parseCrl(pki.crl.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(X509Error);
      }
    }
    for (let i = 0; i < pki.crl.length; i++) {
      try {
        parseCrl(flip(pki.crl, i));
      } catch (e) {
        expect(e).toBeInstanceOf(X509Error);
      }
    }
  });
});
