/**
 * `verifyPublicData`: a bundle read from the virtual card passes every check;
 * one tampered bundle (or trust state) per check fails exactly that check,
 * with the reason named, and releases no field.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.js';
import { curveByName } from '../../src/crypto/curves.js';
import { generateEcKeyPair, loadPrivateKey } from '../../src/crypto/keys.js';
import type { PublicDataBundle } from '../../src/open-api/bundle.js';
import type { CheckId, FailureReason } from '../../src/open-api/checks.js';
import { MemoryReplayGuard } from '../../src/open-api/replay.js';
import { type PublicDataVerification, verifyPublicData } from '../../src/open-api/verify.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import {
  chipKeyHash,
  signPublicCardRevocationList,
} from '../../src/pki/revocation/public-card-revocation-list.js';
import { decodeSecurityInfos } from '../../src/pki/security-infos.js';
import { issueCertificate } from '../../src/pki/x509/certificate.js';
import { parseCertificate } from '../../src/pki/x509/certificate-parser.js';
import { parseCms, signCms } from '../../src/pki/x509/cms.js';
import { issueCrl } from '../../src/pki/x509/crl.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { cardFor, cscaOf, makeTestPki, newSecret, readPki, readWithChallenge, trustOf } from './support.js';

const DAY = 86_400_000;
let pki: string;
let secret: Buffer;
let good: PublicDataBundle;
let cscaKey: ReturnType<typeof loadPrivateKey>;

beforeAll(async () => {
  pki = makeTestPki();
  secret = newSecret();
  good = (await readWithChallenge(cardFor(pki).json, secret)).bundle;
  cscaKey = loadPrivateKey(readPki(pki, PKI_FILES.cscaKey).toString());
}, 120_000);

const opts = () => ({ challengeSecret: secret, replay: new MemoryReplayGuard() });

function expectFailure(r: PublicDataVerification, check: CheckId, reason: FailureReason): void {
  expect(r.ok).toBe(false);
  expect(r.failure).toMatchObject({ check, reason });
  expect(r.fields).toBeUndefined();
  const i = r.checks.findIndex((c) => c.id === check);
  expect(r.checks.slice(0, i).every((c) => c.status === 'passed')).toBe(true);
  expect(r.checks[i]?.status).toBe('failed');
  expect(r.checks.slice(i + 1).every((c) => c.status === 'not-run')).toBe(true);
  expect(r.checks.map((c) => c.id)).toHaveLength(11);
}

/** EF.CardSecurity's SecurityInfos re-signed by another signer. */
function resigned(b: PublicDataBundle, signer: { cert: Buffer; key: ReturnType<typeof loadPrivateKey> }) {
  const cardSecurity = signCms({
    contentType: OID.idSecurityObject,
    content: parseCms(b.cardSecurity).content,
    signerCert: signer.cert,
    signerKey: signer.key,
    hash: 'sha256',
    signingTime: null,
  });
  return { ...b, cardSecurity };
}

function documentSigner(o: { issuer: Buffer; issuerKey: typeof cscaKey; notAfter: Date }) {
  const k = generateEcKeyPair(curveByName('brainpoolP256r1'));
  const cert = issueCertificate({
    subject: { C: 'TW', CN: 'Other Document Signer' },
    issuer: o.issuer,
    notBefore: new Date(Date.now() - 3 * 365 * DAY),
    notAfter: o.notAfter,
    subjectPublicKey: k.publicKey,
    issuerKey: o.issuerKey,
    keyUsage: ['digitalSignature'],
  });
  return { cert, key: k.privateKey };
}

describe('verifyPublicData', () => {
  it('accepts the bundle as read, names every check passed and returns the decoded fields', () => {
    const r = verifyPublicData(good, trustOf(pki), opts());
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['bundle', 'passed'],
      ['trust-material', 'passed'],
      ['security-object', 'passed'],
      ['csca', 'passed'],
      ['certificate-validity', 'passed'],
      ['crl', 'passed'],
      ['signature', 'passed'],
      ['data-group-hashes', 'passed'],
      ['document-validity', 'passed'],
      ['revocation', 'passed'],
      ['chip-authentication', 'passed'],
    ]);
    expect(r.fields?.chineseName).toBe('陳\u{2A6A5}華');
    expect(r.fields?.householdAddress?.state).toBe('臺北市');
    expect(r.document?.csca).toContain('TEST CSCA Taiwan');
  });

  it('bundle: malformed JSON or an unknown member', () => {
    expectFailure(verifyPublicData('{"format":', trustOf(pki), opts()), 'bundle', 'malformed');
    expectFailure(verifyPublicData({ format: 'x' }, trustOf(pki), opts()), 'bundle', 'malformed');
    // A bundle object built by the caller is held to the same rules: DG3 is required.
    const noDg3 = { ...good, dataGroups: new Map([[4, good.dataGroups.get(4)!]]) };
    expectFailure(verifyPublicData(noDg3, trustOf(pki), opts()), 'bundle', 'malformed');
  });

  it('trust-material: past the revocation list’s next update, or not confirmed within the max age', () => {
    expectFailure(
      verifyPublicData(good, trustOf(pki), { ...opts(), at: new Date(Date.now() + 400 * DAY) }),
      'trust-material',
      'stale-trust',
    );
    const old = { ...trustOf(pki), confirmedAt: new Date(Date.now() - 2 * DAY) };
    expectFailure(verifyPublicData(good, old, opts()), 'trust-material', 'stale-trust');
  });

  it('security-object: EF.CardSecurity replaced by another structure', () => {
    const b = { ...good, cardSecurity: readPki(pki, PKI_FILES.cscaCrl) };
    expectFailure(verifyPublicData(b, trustOf(pki), opts()), 'security-object', 'malformed');
  });

  it('csca: a Document Signer of an unknown CSCA', () => {
    const other = generateEcKeyPair(curveByName('brainpoolP256r1'));
    const name = { C: 'TW', CN: 'Rogue CSCA' };
    const rogue = issueCertificate({
      subject: name,
      issuer: name,
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 365 * DAY),
      subjectPublicKey: other.publicKey,
      issuerKey: other.privateKey,
      ca: { pathLen: 0 },
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const ds = documentSigner({
      issuer: rogue,
      issuerKey: other.privateKey,
      notAfter: new Date(Date.now() + DAY),
    });
    expectFailure(verifyPublicData(resigned(good, ds), trustOf(pki), opts()), 'csca', 'unknown-csca');
  });

  it('certificate-validity: an expired Document Signer', () => {
    const ds = documentSigner({
      issuer: cscaOf(pki),
      issuerKey: cscaKey,
      notAfter: new Date(Date.now() - DAY),
    });
    expectFailure(
      verifyPublicData(resigned(good, ds), trustOf(pki), opts()),
      'certificate-validity',
      'expired',
    );
  });

  it('crl: the Document Signer is on the current CRL', () => {
    const dsCert = derFromPem(readPki(pki, PKI_FILES.dsCert).toString());
    const crl = issueCrl({
      issuerCert: cscaOf(pki),
      issuerKey: cscaKey,
      thisUpdate: new Date(Date.now() - 1000),
      nextUpdate: new Date(Date.now() + 30 * DAY),
      crlNumber: 2n,
      revoked: [{ serial: parseCertificate(dsCert).serial, date: new Date() }],
    });
    expectFailure(verifyPublicData(good, trustOf(pki, { crls: [crl] }), opts()), 'crl', 'revoked');
  });

  it('signature: one bit of the signature flipped', () => {
    const cs = Buffer.from(good.cardSecurity);
    cs[cs.length - 3]! ^= 0x01;
    expectFailure(
      verifyPublicData({ ...good, cardSecurity: cs }, trustOf(pki), opts()),
      'signature',
      'bad-signature',
    );
  });

  it('data-group-hashes: one byte of the Chinese name changed', () => {
    const dg4 = Buffer.from(good.dataGroups.get(4)!);
    dg4[dg4.length - 1]! ^= 0x01;
    const changed = { ...good, dataGroups: new Map(good.dataGroups).set(4, dg4) };
    expectFailure(verifyPublicData(changed, trustOf(pki), opts()), 'data-group-hashes', 'hash-mismatch');
  });

  it('document-validity: a card past its renewal-due date', async () => {
    const { json } = cardFor(pki, { fields: { renewalDueDate: '20200101' } });
    const expired = (await readWithChallenge(json, secret)).bundle;
    expectFailure(verifyPublicData(expired, trustOf(pki), opts()), 'document-validity', 'expired');
  });

  it('revocation: the card on the public card revocation list', () => {
    const infos = decodeSecurityInfos(parseCms(good.cardSecurity).content);
    const ca = infos.find((i) => i.kind === 'caPublicKey');
    const list = signPublicCardRevocationList(
      {
        thisUpdate: new Date(Date.now() - 1000),
        nextUpdate: new Date(Date.now() + 30 * DAY),
        revoked: [
          {
            chipKeyHash: chipKeyHash(ca?.kind === 'caPublicKey' ? ca.point : Buffer.alloc(0)),
            revocationDate: new Date(),
          },
        ],
      },
      { cert: cscaOf(pki), key: cscaKey },
    );
    expectFailure(
      verifyPublicData(good, trustOf(pki, { cardRevocation: list }), opts()),
      'revocation',
      'revoked',
    );
  });

  it('chip-authentication: no evidence, a wrong token, another verifier, expiry, replay', async () => {
    const { chipAuthentication, ...copy } = good;
    expectFailure(
      verifyPublicData(copy, trustOf(pki), opts()),
      'chip-authentication',
      'chip-not-authenticated',
    );
    const relaxed = verifyPublicData(copy, trustOf(pki), { ...opts(), allowWithoutChipAuthentication: true });
    expect(relaxed.ok).toBe(true);
    expect(relaxed.checks.at(-1)?.status).toBe('warning');

    const token = Buffer.from(chipAuthentication!.token);
    token[0]! ^= 0x01;
    const forged = { ...good, chipAuthentication: { ...chipAuthentication!, token } };
    expectFailure(
      verifyPublicData(forged, trustOf(pki), opts()),
      'chip-authentication',
      'chip-authentication-failed',
    );
    expectFailure(
      verifyPublicData(good, trustOf(pki), { ...opts(), challengeSecret: randomBytes(32) }),
      'chip-authentication',
      'chip-authentication-failed',
    );

    const short = (await readWithChallenge(cardFor(pki).json, secret, 1)).bundle;
    expectFailure(
      verifyPublicData(short, trustOf(pki), { ...opts(), at: new Date(Date.now() + 5000) }),
      'chip-authentication',
      'challenge-expired',
    );

    const replay = new MemoryReplayGuard();
    expect(verifyPublicData(good, trustOf(pki), { challengeSecret: secret, replay }).ok).toBe(true);
    expectFailure(
      verifyPublicData(good, trustOf(pki), { challengeSecret: secret, replay }),
      'chip-authentication',
      'challenge-replayed',
    );
  });
});
