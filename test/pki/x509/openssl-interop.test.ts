/**
 * Certificates, CRLs and EF.CardSecurity made by this module, checked by an
 * independent implementation (the openssl command line).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OID } from '../../../src/asn1/oids.js';
import { pemFromDer, verifyCardSecurity } from '../../../src/pki/x509/index.js';
import { makePki, openssl, PROFILES, scratch } from './pki-fixture.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe.each(PROFILES)('openssl accepts our PKI on $curve with $hash', (profile) => {
  const pki = makePki(profile);
  const name = `${profile.curve}-${profile.hash}`;
  const csca = tmp.file(`${name}-csca.pem`, pemFromDer(pki.csca.cert));
  const ds = tmp.file(`${name}-ds.pem`, pemFromDer(pki.ds.cert));
  const crlPem = tmp.file(`${name}-crl.pem`, pemFromDer(pki.crl, 'X509 CRL'));
  const crlDer = tmp.file(`${name}-crl.der`, pki.crl);
  const cs = tmp.file(`${name}-cardsecurity.der`, pki.cardSecurity);

  it('openssl verify -crl_check accepts the Document Signer', () => {
    const out = openssl(['verify', '-CAfile', csca, '-crl_check', '-CRLfile', crlPem, ds]);
    expect(out.trim()).toBe(`${ds}: OK`);
  });

  it('openssl cms -verify accepts EF.CardSecurity and returns the SecurityInfos', () => {
    const out = tmp.file(`${name}-content.der`);
    openssl([
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      cs,
      '-CAfile',
      csca,
      '-purpose',
      'any',
      '-binary',
      '-out',
      out,
    ]);
    expect(readFileSync(out).equals(pki.content)).toBe(true);
  });

  it('openssl cms -cmsout -print shows the structure we intended', () => {
    const text = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cs]);
    expect(text).toMatch(new RegExp(`eContentType: .*\\(${OID.idSecurityObject.replace(/\./g, '\\.')}\\)`));
    expect(text).toMatch(/d\.signedData: \n\s+version: 3/);
    expect(text).toContain('d.issuerAndSerialNumber');
    expect(text).toContain('contentType (1.2.840.113549.1.9.3)');
    expect(text).toContain('messageDigest (1.2.840.113549.1.9.4)');
    expect(text).toContain('signingTime (1.2.840.113549.1.9.5)');
    expect(text).toContain(`algorithm: ecdsa-with-${profile.hash.toUpperCase()}`);
  });

  it('openssl crl parses the CRL and lists the revoked serial', () => {
    const text = openssl(['crl', '-inform', 'DER', '-in', crlDer, '-noout', '-text']);
    expect(text).toContain('Version 2');
    expect(text).toMatch(/Serial Number: 77/);
    expect(text).toContain('X509v3 CRL Number');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain(`ecdsa-with-${profile.hash.toUpperCase()}`);
  });

  it('openssl x509 shows the extensions we set', () => {
    const cscaText = openssl(['x509', '-in', csca, '-noout', '-text']);
    expect(cscaText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(cscaText).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(cscaText).toContain('X509v3 Subject Key Identifier');
    expect(cscaText).not.toContain('X509v3 Authority Key Identifier');
    expect(cscaText).toContain(
      'Subject: C = TW, O = Ministry of the Interior, CN = CSCA Taiwan, serialNumber = 001',
    );
    const curveLabel = profile.curve === 'prime256v1' ? 'NIST CURVE: P-256' : `ASN1 OID: ${profile.curve}`;
    expect(cscaText).toContain(curveLabel);
    const dsText = openssl(['x509', '-in', ds, '-noout', '-text']);
    expect(dsText).toMatch(/X509v3 Basic Constraints: \n\s+CA:FALSE/);
    expect(dsText).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(dsText).toContain('X509v3 Authority Key Identifier');
    expect(dsText).toContain('Serial Number: 4328719365 (0x102030405)');
  });

  it('our verifier accepts it too', () => {
    const r = verifyCardSecurity(pki.cardSecurity, { cscaCerts: [pki.csca.cert], crls: [pki.crl] });
    expect(r.content.equals(pki.content)).toBe(true);
    expect(r.securityInfos.map((i) => i.kind).sort()).toEqual(
      ['ca', 'caDomainParameters', 'caPublicKey', 'eidSecurity', 'pace', 'ta'].sort(),
    );
  });
});
