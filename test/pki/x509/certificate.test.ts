import { createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { curveByName } from '../../../src/crypto/curves.js';
import { generateEcKeyPair } from '../../../src/crypto/keys.js';
import { encodeEcPublicKeyInfo } from '../../../src/pki/security-infos.js';
import {
  encodeName,
  ipOctets,
  issueCertificate,
  parseCertificate,
  pemFromDer,
  subjectKeyIdentifierOf,
  usablePublicKey,
  X509Error,
} from '../../../src/pki/x509/index.js';
import { CSCA_NAME, DAY, DS_NAME, ecKey, flip, NOW, openssl, scratch } from './pki-fixture.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe('names', () => {
  it('uses PrintableString for C and serialNumber, UTF8String otherwise', () => {
    const der = encodeName({ C: 'TW', O: '內政部', OU: 'eID', CN: 'CSCA', serialNumber: '7' });
    expect(der.toString('hex')).toContain('0603550406130254 57'.replace(/ /g, ''));
    expect(der.toString('hex')).toContain(`06035504030c0443534341`);
    expect(der.toString('hex')).toContain('060355040513 0137'.replace(/ /g, ''));
    expect(der.includes(Buffer.from('內政部'))).toBe(true);
  });

  it('rejects invalid values', () => {
    expect(() => encodeName({ C: 'tw', CN: 'x' })).toThrow(X509Error);
    expect(() => encodeName({ CN: '' })).toThrow(X509Error);
    expect(() => encodeName({ CN: 'x', serialNumber: 'ü' })).toThrow(X509Error);
  });
});

describe('issueCertificate', () => {
  const csca = ecKey('brainpoolP512r1');
  const cscaCert = issueCertificate({
    subject: CSCA_NAME,
    issuer: CSCA_NAME,
    notBefore: new Date(NOW - DAY),
    notAfter: new Date(Date.UTC(2060, 5, 30, 12)),
    subjectPublicKey: csca.publicKey,
    issuerKey: csca.privateKey,
    ca: {},
    keyUsage: ['keyCertSign', 'cRLSign'],
  });

  it('keeps node’s SPKI, picks the curve’s hash and encodes late dates as GeneralizedTime', () => {
    const c = parseCertificate(cscaCert);
    expect(c.spki.equals(csca.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(c.version).toBe(3);
    expect(c.serial > 0n).toBe(true);
    expect(c.notAfter.toISOString()).toBe('2060-06-30T12:00:00.000Z');
    const x = new X509Certificate(cscaCert);
    expect(x.verify(csca.publicKey)).toBe(true);
    expect(x.ca).toBe(true);
    const text = openssl(['x509', '-in', tmp.file('bp512.pem', pemFromDer(cscaCert)), '-noout', '-text']);
    expect(text).toContain('ecdsa-with-SHA512');
    expect(text).toContain('Not After : Jun 30 12:00:00 2060 GMT');
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
  });

  it('issues an RSA-3072 signed subordinate with SANs and EKU that openssl verifies', () => {
    const root = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const rootCert = issueCertificate({
      subject: { C: 'TW', O: 'Test', CN: 'RSA Root' },
      issuer: { C: 'TW', O: 'Test', CN: 'RSA Root' },
      notBefore: new Date(NOW - DAY),
      notAfter: new Date(NOW + DAY),
      subjectPublicKey: root.publicKey,
      issuerKey: root.privateKey,
      ca: { pathLen: 1 },
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const leaf = ecKey('prime256v1');
    const leafCert = issueCertificate({
      subject: { C: 'TW', O: 'Test', CN: 'server' },
      issuer: rootCert,
      serial: 0x80n,
      notBefore: new Date(NOW - DAY),
      notAfter: new Date(NOW + DAY),
      subjectPublicKey: leaf.privateKey,
      issuerKey: root.privateKey,
      hash: 'sha384',
      keyUsage: ['digitalSignature', 'keyAgreement'],
      extKeyUsage: ['serverAuth', 'clientAuth'],
      subjectAltNames: {
        dns: ['localhost', 'eid.example.tw'],
        ip: ['127.0.0.1', '::1', '2001:db8::8:800:200c:417a'],
      },
    });
    const rootPem = tmp.file('rsa-root.pem', pemFromDer(rootCert));
    const leafPem = tmp.file('rsa-leaf.pem', pemFromDer(leafCert));
    expect(openssl(['verify', '-CAfile', rootPem, '-purpose', 'sslserver', leafPem]).trim()).toBe(
      `${leafPem}: OK`,
    );
    const text = openssl(['x509', '-in', leafPem, '-noout', '-text']);
    expect(text).toContain('Signature Algorithm: sha384WithRSAEncryption');
    expect(text).toContain('Serial Number: 128 (0x80)');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Agreement/);
    expect(text).toMatch(
      /Extended Key Usage: \s+TLS Web Server Authentication, TLS Web Client Authentication/,
    );
    expect(text).toContain(
      'DNS:localhost, DNS:eid.example.tw, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:8:800:200C:417A',
    );
    const x = new X509Certificate(leafCert);
    expect(x.checkIssued(new X509Certificate(rootCert))).toBe(true);
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(subjectKeyIdentifierOf(parseCertificate(rootCert)).length).toBe(20);
  });

  it('rejects inconsistent input with X509Error', () => {
    const base = {
      subject: DS_NAME,
      issuer: cscaCert,
      notBefore: new Date(NOW),
      notAfter: new Date(NOW + DAY),
      subjectPublicKey: ecKey('brainpoolP256r1').publicKey,
      issuerKey: csca.privateKey,
      keyUsage: ['digitalSignature'] as const,
    };
    expect(() => issueCertificate({ ...base, issuerKey: ecKey('brainpoolP512r1').privateKey })).toThrow(
      X509Error,
    );
    expect(() => issueCertificate({ ...base, notAfter: new Date(NOW - DAY) })).toThrow(X509Error);
    expect(() => issueCertificate({ ...base, serial: 0n })).toThrow(X509Error);
    expect(() => issueCertificate({ ...base, keyUsage: [] })).toThrow(X509Error);
    expect(() => issueCertificate({ ...base, issuerKey: csca.publicKey })).toThrow(X509Error);
    expect(() => issueCertificate({ ...base, subjectAltNames: { ip: ['999.1.1.1'] } })).toThrow(X509Error);
    expect(() => issueCertificate({ ...base, issuer: Buffer.from('3000', 'hex') })).toThrow(X509Error);
  });

  it('parseCertificate reports bad input as X509Error only', () => {
    for (let n = 0; n < cscaCert.length; n += 2) {
      expect(() => parseCertificate(cscaCert.subarray(0, n))).toThrow(X509Error);
    }
    for (let i = 0; i < cscaCert.length; i++) {
      try {
        parseCertificate(flip(cscaCert, i));
      } catch (e) {
        expect(e).toBeInstanceOf(X509Error);
      }
    }
  });
});

describe('ipOctets', () => {
  it('handles IPv4, IPv6 and embedded IPv4', () => {
    expect(ipOctets('10.1.2.3').toString('hex')).toBe('0a010203');
    expect(ipOctets('::1').toString('hex')).toBe(`${'0'.repeat(30)}01`);
    expect(ipOctets('fe80::').toString('hex')).toBe(`fe80${'0'.repeat(28)}`);
    expect(ipOctets('::ffff:192.0.2.1').toString('hex')).toBe(`${'0'.repeat(20)}ffffc0000201`);
    expect(() => ipOctets('localhost')).toThrow(X509Error);
  });
});

describe('usablePublicKey', () => {
  it('rebuilds a named-curve key from explicit parameters', () => {
    const curve = curveByName('brainpoolP384r1');
    const pair = generateEcKeyPair(curve);
    const explicitSpki = encodeEcPublicKeyInfo(curve, pair.publicPoint, 'explicit');
    // Some OpenSSL builds leave namedCurve unset for explicit keys; emulate that.
    const fake = {
      type: 'public',
      asymmetricKeyType: 'ec',
      asymmetricKeyDetails: {},
      export: () => explicitSpki,
    } as unknown as KeyObject;
    const k = usablePublicKey(fake);
    expect(k.asymmetricKeyDetails?.namedCurve).toBe('brainpoolP384r1');
    expect(
      k
        .export({ type: 'spki', format: 'der' })
        .equals(pair.publicKey.export({ type: 'spki', format: 'der' })),
    ).toBe(true);
    // node itself loads the explicit SPKI.
    expect(createPublicKey({ key: explicitSpki, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
  });
});
