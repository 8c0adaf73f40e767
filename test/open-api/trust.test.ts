/**
 * The verifier's trust material: the Master List is trusted only through a
 * pinned CSCA (certificate or SHA-256), only with a Master List Signer (EKU)
 * that is not revoked, and only as signed; a trust directory is read and
 * refreshed by the TrustStore.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { curveByName } from '../../src/crypto/curves.js';
import { generateEcKeyPair, loadPrivateKey } from '../../src/crypto/keys.js';
import { buildTrust, trustProblems } from '../../src/open-api/trust.js';
import { TrustStore } from '../../src/open-api/trust-store.js';
import { PKI_FILES, TRUST_DOCUMENTS } from '../../src/pki/layout.js';
import { signPublicCardRevocationList } from '../../src/pki/revocation/public-card-revocation-list.js';
import { issueCertificate } from '../../src/pki/x509/certificate.js';
import { parseCertificate } from '../../src/pki/x509/certificate-parser.js';
import { issueCrl } from '../../src/pki/x509/crl.js';
import { signMasterList } from '../../src/pki/x509/master-list.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { cscaOf, makeTestPki, readPki, trustDocs } from './support.js';

const DAY = 86_400_000;
let pki: string;
let cscaKey: ReturnType<typeof loadPrivateKey>;
beforeAll(() => {
  pki = makeTestPki();
  cscaKey = loadPrivateKey(readPki(pki, PKI_FILES.cscaKey).toString());
}, 120_000);

const build = (docs = trustDocs(pki), anchors: (Buffer | string)[] = [cscaOf(pki)]) =>
  buildTrust(docs, { anchors, source: pki, confirmedAt: new Date(), maxAgeSeconds: 3600 });

function signer(extKeyUsage: boolean) {
  const k = generateEcKeyPair(curveByName('brainpoolP256r1'));
  const cert = issueCertificate({
    subject: { C: 'TW', CN: 'Some Signer' },
    issuer: cscaOf(pki),
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    subjectPublicKey: k.publicKey,
    issuerKey: cscaKey,
    keyUsage: ['digitalSignature'],
    ...(extKeyUsage ? { extKeyUsage: ['cscaMasterListSigning' as const] } : {}),
  });
  return { cert, key: k.privateKey };
}

describe('Open API trust material', () => {
  it('trusts the CSCAs of the Master List through the pinned CSCA or its SHA-256', () => {
    const t = build();
    expect(t.cscaCerts).toEqual([cscaOf(pki)]);
    expect(t.masterList.signer).toContain('Master List Signer');
    expect(trustProblems(t, new Date())).toEqual([]);
    const pin = `sha256:${createHash('sha256').update(cscaOf(pki)).digest('hex')}`;
    expect(build(trustDocs(pki), [pin]).cscaCerts).toHaveLength(1);
  });

  it('refuses without an anchor, with another anchor or pin, and a tampered list', () => {
    expect(() => build(trustDocs(pki), [])).toThrow(/no trust anchor/);
    const other = makeTestPki();
    expect(() => build(trustDocs(pki), [cscaOf(other)])).toThrow(/not trusted/);
    expect(() => build(trustDocs(pki), [`sha256:${'00'.repeat(32)}`])).toThrow(/pinned SHA-256/);
    const ml = Buffer.from(readPki(pki, PKI_FILES.masterList));
    ml[ml.length - 2]! ^= 1;
    expect(() => build({ ...trustDocs(pki), masterList: ml })).toThrow(/not trusted/);
    // A list from the other PKI, signed under its own CSCA, does not chain to this anchor either.
    expect(() => build({ ...trustDocs(pki), masterList: readPki(other, PKI_FILES.masterList) })).toThrow(
      /not trusted/,
    );
  });

  it('needs a Master List Signer: no extended key usage, or a revoked signer, is refused', () => {
    const plain = signer(false);
    const ml = signMasterList({
      cscaCerts: [cscaOf(pki)],
      signerCert: plain.cert,
      signerKey: plain.key,
      hash: 'sha256',
    });
    expect(() => build({ ...trustDocs(pki), masterList: ml })).toThrow(/extended key usage/);
    const mls = derFromPem(readPki(pki, PKI_FILES.mlsCert).toString());
    const crl = issueCrl({
      issuerCert: cscaOf(pki),
      issuerKey: cscaKey,
      thisUpdate: new Date(Date.now() - 1000),
      nextUpdate: new Date(Date.now() + DAY),
      crlNumber: 5n,
      revoked: [{ serial: parseCertificate(mls).serial, date: new Date() }],
    });
    expect(() => build({ ...trustDocs(pki), crls: [crl] })).toThrow(/revoked/);
  });

  it('refuses a card revocation list not signed by a CSCA of the list', () => {
    const s = signer(true);
    const list = signPublicCardRevocationList(
      { thisUpdate: new Date(), nextUpdate: new Date(Date.now() + DAY), revoked: [] },
      { cert: s.cert, key: s.key },
    );
    expect(() => build({ ...trustDocs(pki), cardRevocation: list })).toThrow(
      /revocation list is not trusted/,
    );
  });

  it('a trust directory: read, refreshed when a file changes, and as old as its oldest file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neid-trust-dir-'));
    const docs = trustDocs(pki);
    writeFileSync(join(dir, TRUST_DOCUMENTS.masterList), docs.masterList);
    writeFileSync(join(dir, TRUST_DOCUMENTS.crl), docs.crls[0]!);
    cpSync(join(pki, PKI_FILES.publicCardRevocationList), join(dir, TRUST_DOCUMENTS.cardRevocation));
    const store = await TrustStore.open({ source: dir, anchors: [cscaOf(pki)], maxAgeSeconds: 3600 });
    expect(store.current.revokedChips.size).toBe(0);
    expect(await store.refresh()).toBe(false);
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(dir, TRUST_DOCUMENTS.crl), old, old);
    await store.refresh();
    expect(trustProblems(store.current, new Date()).join()).toMatch(/not confirmed/);
    // A broken file keeps the last good material.
    writeFileSync(join(dir, TRUST_DOCUMENTS.cardRevocation), 'garbage');
    await expect(store.refresh()).rejects.toThrow(/revocation list is not trusted/);
    expect(store.current.cardRevocation.revoked).toBe(0);
  });
});
