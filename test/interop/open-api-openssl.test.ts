/**
 * Issue 17, independent check: OpenSSL verifies every CMS signature of the
 * Open API on its own — the CSCA Master List (`openssl cms -verify`, CSCA as
 * the only trust anchor), the public card revocation list, the CRL, and the
 * EF.CardSecurity of a bundle that `neid-client read-public` wrote, with the
 * CRL checked — and extracts the same content our verifier does. A Document
 * Signer on the CRL, and a tampered Master List, are refused by both.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPrivateKey } from '../../src/crypto/keys.js';
import { parseBundle } from '../../src/open-api/bundle.js';
import { verifyPublicData } from '../../src/open-api/verify.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import { decodePublicCardRevocationList } from '../../src/pki/revocation/public-card-revocation-list.js';
import { parseCertificate } from '../../src/pki/x509/certificate-parser.js';
import { parseCms } from '../../src/pki/x509/cms.js';
import { issueCrl } from '../../src/pki/x509/crl.js';
import { decodeMasterList } from '../../src/pki/x509/master-list.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { cscaOf, trustOf } from '../open-api/support.js';
import { runClient, runNeid } from '../support/cli.js';
import { have, requires } from '../support/requires.js';

const available = requires('open-api-openssl', have('openssl') ? [] : ['openssl']);

describe.runIf(available)('Open API trust material and bundles, verified by OpenSSL', () => {
  let dir: string;
  let pki: string;
  const file = (name: string) => join(dir, name);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neid-open-api-openssl-'));
    pki = join(dir, 'pki');
    expect((await runNeid(['pki', 'init', '--out', pki])).code).toBe(0);
    const c = await runNeid(['card', 'create', '--pki', pki, '--out', file('card.json'), '--can', '135790']);
    expect(c.code, c.stderr).toBe(0);
    const ch = await runNeid(['verify-public', '--new-challenge', '--challenge-key', file('k')]);
    const r = await runClient([
      'read-public',
      '--can',
      '135790',
      '--card',
      file('card.json'),
      '--challenge',
      ch.stdout.trim(),
      '--out',
      file('bundle.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    execFileSync('openssl', [
      'crl',
      '-inform',
      'DER',
      '-in',
      join(pki, PKI_FILES.cscaCrl),
      '-out',
      file('crl.pem'),
    ]);
  }, 180_000);

  /**
   * `openssl cms -verify` with the CSCA as the only trust anchor; with `crl` (PEM) also the CRL
   * check of the signer (OpenSSL reads CRLs from the CAfile). Returns the signed content.
   */
  const opensslCms = (der: Buffer, crl?: string) => {
    writeFileSync(file('in.der'), der);
    const cscaPem = readFileSync(join(pki, PKI_FILES.cscaCert), 'utf8');
    writeFileSync(file('ca.pem'), crl ? cscaPem + readFileSync(crl, 'utf8') : cscaPem);
    const args = ['-CAfile', file('ca.pem'), '-purpose', 'any', '-binary', '-out', file('out.der')];
    execFileSync(
      'openssl',
      ['cms', '-verify', '-inform', 'DER', '-in', file('in.der'), ...args, ...(crl ? ['-crl_check'] : [])],
      {
        stdio: 'pipe',
      },
    );
    return readFileSync(file('out.der'));
  };

  it('verifies the CSCA Master List; its content lists exactly the CSCA', () => {
    const ml = readFileSync(join(pki, PKI_FILES.masterList));
    const content = opensslCms(ml, file('crl.pem'));
    expect(content).toEqual(parseCms(ml).content);
    expect(decodeMasterList(content)).toEqual([cscaOf(pki)]);
    const text = execFileSync('openssl', [
      'cms',
      '-cmsout',
      '-print',
      '-inform',
      'DER',
      '-in',
      join(pki, PKI_FILES.masterList),
    ]).toString();
    expect(text).toContain('2.23.136.1.1.2');
    const mls = execFileSync('openssl', [
      'x509',
      '-in',
      join(pki, PKI_FILES.mlsCert),
      '-noout',
      '-ext',
      'extendedKeyUsage',
    ]).toString();
    expect(mls).toContain('2.23.136.1.1.3');
  });

  it('verifies the public card revocation list and the CRL', () => {
    const list = readFileSync(join(pki, PKI_FILES.publicCardRevocationList));
    expect(decodePublicCardRevocationList(opensslCms(list)).revoked).toEqual([]);
    const crl = execFileSync(
      'openssl',
      ['crl', '-in', file('crl.pem'), '-CAfile', join(pki, PKI_FILES.cscaCert), '-noout'],
      {
        stdio: 'pipe',
      },
    );
    expect(crl.toString()).toBe('');
  });

  it('verifies the EF.CardSecurity of a read-public bundle with the CRL, as our verifier does', () => {
    const bundle = parseBundle(readFileSync(file('bundle.json')));
    const content = opensslCms(bundle.cardSecurity, file('crl.pem'));
    expect(content).toEqual(parseCms(bundle.cardSecurity).content);
    const ours = verifyPublicData(bundle, trustOf(pki), { allowWithoutChipAuthentication: true });
    expect(ours.checks.find((c) => c.id === 'signature')?.status).toBe('passed');
  });

  it('refuses a Document Signer on the CRL and a tampered Master List, like our verifier', () => {
    const csca = cscaOf(pki);
    const ds = derFromPem(readFileSync(join(pki, PKI_FILES.dsCert), 'utf8'));
    const crl = issueCrl({
      issuerCert: csca,
      issuerKey: loadPrivateKey(readFileSync(join(pki, PKI_FILES.cscaKey), 'utf8')),
      thisUpdate: new Date(Date.now() - 1000),
      nextUpdate: new Date(Date.now() + 86_400_000),
      crlNumber: 9n,
      revoked: [{ serial: parseCertificate(ds).serial, date: new Date() }],
    });
    writeFileSync(file('revoked.der'), crl);
    execFileSync('openssl', [
      'crl',
      '-inform',
      'DER',
      '-in',
      file('revoked.der'),
      '-out',
      file('revoked.pem'),
    ]);
    const bundle = parseBundle(readFileSync(file('bundle.json')));
    expect(() => opensslCms(bundle.cardSecurity, file('revoked.pem'))).toThrow();
    const ours = verifyPublicData(bundle, trustOf(pki, { crls: [crl] }), {
      allowWithoutChipAuthentication: true,
    });
    expect(ours.failure).toMatchObject({ check: 'crl', reason: 'revoked' });

    const ml = Buffer.from(readFileSync(join(pki, PKI_FILES.masterList)));
    ml[ml.indexOf(csca) + 200]! ^= 0x01; // inside the CSCA certificate in the signed content
    expect(() => opensslCms(ml)).toThrow();
    expect(() => trustOf(pki, { masterList: ml })).toThrow(/not trusted/);
  });
});
