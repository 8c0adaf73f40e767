import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OID } from '../../../src/asn1/oids.js';
import { exportPkcs8Pem } from '../../../src/crypto/keys.js';
import {
  derFromPem,
  issueCertificate,
  issueCrl,
  PassiveAuthError,
  type PassiveAuthErrorCode,
  type PassiveAuthTrust,
  parseCms,
  pemFromDer,
  signCms,
  verifyCardSecurity,
} from '../../../src/pki/x509/index.js';
import { DAY, DS_NAME, ecKey, flip, makePki, NOW, openssl, PROFILES, scratch } from './pki-fixture.js';

const tmp = scratch();
afterAll(() => tmp.cleanup());

function codeOf(der: Buffer, trust: PassiveAuthTrust): PassiveAuthErrorCode | 'accepted' | 'other' {
  try {
    verifyCardSecurity(der, trust);
    return 'accepted';
  } catch (e) {
    return e instanceof PassiveAuthError ? e.code : 'other';
  }
}

describe.each(PROFILES)('verifyCardSecurity on $curve / $hash', (profile) => {
  const pki = makePki(profile);
  const trust: PassiveAuthTrust = { cscaCerts: [pki.csca.cert], crls: [pki.crl] };

  it('accepts the genuine EF.CardSecurity', () => {
    const r = verifyCardSecurity(pki.cardSecurity, trust);
    expect(r.content.equals(pki.content)).toBe(true);
    expect(Buffer.from(r.documentSigner.raw).equals(pki.ds.cert)).toBe(true);
    expect(Buffer.from(r.csca.raw).equals(pki.csca.cert)).toBe(true);
    const pace = r.securityInfos.find((i) => i.kind === 'pace');
    expect(pace).toMatchObject({ protocol: OID.idPaceEcdhGmAesCbcCmac128, version: 2 });
    const eid = r.securityInfos.find((i) => i.kind === 'eidSecurity');
    expect(eid?.kind === 'eidSecurity' && [...eid.dataGroupHashes.keys()]).toEqual([1, 2, 4]);
  });

  it('digest-mismatch when a byte of eContent is flipped', () => {
    const at = pki.cardSecurity.indexOf(pki.content);
    expect(at).toBeGreaterThan(0);
    expect(codeOf(flip(pki.cardSecurity, at + 20), trust)).toBe('digest-mismatch');
  });

  it('bad-signature when a byte of the signature is flipped', () => {
    const sig = parseCms(pki.cardSecurity).signer.signature;
    const at = pki.cardSecurity.lastIndexOf(sig);
    for (const i of [at + 8, at + sig.length - 1])
      expect(codeOf(flip(pki.cardSecurity, i), trust)).toBe('bad-signature');
  });

  it('revoked when the CRL lists the Document Signer', () => {
    const revoked = makePki(profile, { revokeDs: true });
    expect(codeOf(revoked.cardSecurity, { cscaCerts: [revoked.csca.cert], crls: [revoked.crl] })).toBe(
      'revoked',
    );
  });

  it('untrusted-signer when the Document Signer comes from another CSCA (even one of the same name)', () => {
    const other = makePki(profile);
    expect(codeOf(pki.cardSecurity, { cscaCerts: [other.csca.cert], crls: [other.crl] })).toBe(
      'untrusted-signer',
    );
    expect(codeOf(pki.cardSecurity, { cscaCerts: [], crls: [pki.crl] })).toBe('untrusted-signer');
    // The right CSCA among several is found.
    expect(codeOf(pki.cardSecurity, { cscaCerts: [other.csca.cert, pki.csca.cert], crls: [pki.crl] })).toBe(
      'accepted',
    );
  });

  it('untrusted-signer when the Document Signer may not sign (KeyUsage)', () => {
    const dsKeys = ecKey(profile.curve);
    const cert = issueCertificate({
      subject: DS_NAME,
      issuer: pki.csca.cert,
      notBefore: new Date(NOW - DAY),
      notAfter: new Date(NOW + DAY),
      subjectPublicKey: dsKeys.publicKey,
      issuerKey: pki.csca.key,
      keyUsage: ['keyAgreement'],
    });
    const cms = signCms({
      contentType: OID.idSecurityObject,
      content: pki.content,
      signerCert: cert,
      signerKey: dsKeys.privateKey,
      hash: profile.hash,
    });
    expect(codeOf(cms, trust)).toBe('untrusted-signer');
  });

  it('expired when checked after the Document Signer expires', () => {
    expect(codeOf(pki.cardSecurity, { ...trust, at: new Date(NOW + 400 * DAY) })).toBe('expired');
    expect(codeOf(pki.cardSecurity, { ...trust, at: new Date(NOW - 2 * DAY) })).toBe('expired');
  });

  it('crl-missing without a current CRL signed by the issuing CSCA', () => {
    const other = makePki(profile);
    expect(codeOf(pki.cardSecurity, { cscaCerts: [pki.csca.cert], crls: [] })).toBe('crl-missing');
    // A CRL with the right issuer name but another key is ignored.
    expect(codeOf(pki.cardSecurity, { cscaCerts: [pki.csca.cert], crls: [other.crl] })).toBe('crl-missing');
    // Garbage is ignored.
    expect(codeOf(pki.cardSecurity, { cscaCerts: [pki.csca.cert], crls: [Buffer.from('3000', 'hex')] })).toBe(
      'crl-missing',
    );
    // A stale CRL does not count.
    const stale = issueCrl({
      issuerCert: pki.csca.cert,
      issuerKey: pki.csca.key,
      thisUpdate: new Date(NOW - 60 * DAY),
      nextUpdate: new Date(NOW - 30 * DAY),
      crlNumber: 1n,
      revoked: [],
    });
    expect(codeOf(pki.cardSecurity, { cscaCerts: [pki.csca.cert], crls: [stale] })).toBe('crl-missing');
    expect(codeOf(pki.cardSecurity, { cscaCerts: [pki.csca.cert], crls: [stale, other.crl, pki.crl] })).toBe(
      'accepted',
    );
  });

  it('wrong-content-type for another eContentType', () => {
    const wrong = makePki(profile, { contentType: OID.idData });
    expect(codeOf(wrong.cardSecurity, { cscaCerts: [wrong.csca.cert], crls: [wrong.crl] })).toBe(
      'wrong-content-type',
    );
  });

  it('malformed for truncated DER', () => {
    expect(codeOf(pki.cardSecurity.subarray(0, pki.cardSecurity.length - 1), trust)).toBe('malformed');
    expect(codeOf(pki.cardSecurity.subarray(0, 100), trust)).toBe('malformed');
    expect(codeOf(Buffer.alloc(0), trust)).toBe('malformed');
  });
});

describe('verifyCardSecurity never throws anything but PassiveAuthError', () => {
  const pki = makePki(PROFILES[0]!);
  const trust: PassiveAuthTrust = { cscaCerts: [pki.csca.cert], crls: [pki.crl] };
  it('on every truncation and on bit flips throughout', () => {
    const der = pki.cardSecurity;
    for (let n = 0; n < der.length; n += 3)
      expect(codeOf(der.subarray(0, n), trust)).not.toMatch(/accepted|other/);
    for (let i = 0; i < der.length; i++) {
      const code = codeOf(flip(der, i), trust);
      expect(code).not.toBe('other');
    }
  });
});

/** `openssl cms -sign` as an independent producer of EF.CardSecurity. */
function opensslSign(signer: string, key: string, content: string, out: string): void {
  const flags = '-sign -binary -nodetach -outform DER -md sha256 -nosmimecap'.split(' ');
  openssl([
    'cms',
    ...flags,
    '-econtent_type',
    OID.idSecurityObject,
    '-signer',
    signer,
    '-inkey',
    key,
    '-in',
    content,
    '-out',
    out,
  ]);
}

describe('EF.CardSecurity produced by openssl (independent producer)', () => {
  const pki = makePki(PROFILES[0]!);
  const csca = tmp.file('csca.pem', pemFromDer(pki.csca.cert));
  const cscaKey = tmp.file('csca.key', exportPkcs8Pem(pki.csca.key));
  const ds = tmp.file('ds.pem', pemFromDer(pki.ds.cert));
  const dsKey = tmp.file('ds.key', exportPkcs8Pem(pki.ds.key));
  const content = tmp.file('content.der', pki.content);

  it('is accepted', () => {
    const out = tmp.file('ossl-cardsecurity.der');
    opensslSign(ds, dsKey, content, out);
    const r = verifyCardSecurity(readFileSync(out), { cscaCerts: [pki.csca.cert], crls: [pki.crl] });
    expect(r.content.equals(pki.content)).toBe(true);
    expect(r.securityInfos).toHaveLength(6);
  });

  it('is accepted with a Document Signer key carrying explicit brainpool parameters', () => {
    const key = tmp.file('dsx.key');
    const csr = tmp.file('dsx.csr');
    const cert = tmp.file('dsx.pem');
    const out = tmp.file('dsx-cardsecurity.der');
    const explicitKey = '-name brainpoolP256r1 -param_enc explicit -genkey -noout'.split(' ');
    openssl(['ecparam', ...explicitKey, '-out', key]);
    const subject = '/C=TW/O=Ministry of the Interior/CN=DS explicit';
    openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
    const sign = ['-CA', csca, '-CAkey', cscaKey, '-set_serial', '4660', '-days', '30'];
    openssl(['x509', '-req', '-in', csr, ...sign, '-out', cert]);
    expect(openssl(['x509', '-in', cert, '-noout', '-text'])).toContain('Field Type: prime-field');
    opensslSign(cert, key, content, out);
    const r = verifyCardSecurity(readFileSync(out), { cscaCerts: [pki.csca.cert], crls: [pki.crl] });
    expect(Buffer.from(r.documentSigner.raw).equals(derFromPem(readFileSync(cert, 'utf8')))).toBe(true);
    // … and revocation applies to it.
    const crl = issueCrl({
      issuerCert: pki.csca.cert,
      issuerKey: pki.csca.key,
      thisUpdate: new Date(NOW - DAY),
      nextUpdate: new Date(NOW + DAY),
      crlNumber: 9n,
      revoked: [{ serial: 4660n, date: new Date(NOW - DAY) }],
    });
    expect(codeOf(readFileSync(out), { cscaCerts: [pki.csca.cert], crls: [crl] })).toBe('revoked');
  });
});
