import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { curveByName } from '../../src/crypto/curves.js';
import {
  CvCertificate,
  decodeCertificateDescription,
  hashCertificateDescription,
} from '../../src/pki/cvc/index.js';
import { PKI_FILES, terminalFiles } from '../../src/pki/layout.js';
import { verifyCardRevocationList } from '../../src/pki/revocation/card-revocation-list.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { grantsOf } from '../../src/profile/authorization.js';
import { loadPki } from '../../src/provisioning/store.js';
import { runNeid } from '../support/cli.js';

describe('neid pki init', () => {
  it('writes a complete, consistent test PKI that the CLI verifies', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'neid-pki-')), 'pki');
    const r = await runNeid([
      'pki',
      'init',
      '--out',
      dir,
      '--cvca-chr',
      'DETESTeID00005',
      '--curve',
      'brainpoolP384r1',
      '--server-url',
      'https://127.0.0.1:9443',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const registry = loadRegistry('config/relying-parties.yaml');
    const pki = loadPki(dir, registry);
    expect(pki.cvca.chr).toBe('DETESTeID00005');
    expect(pki.cvca.publicKey.curve).toBe(curveByName('brainpoolP384r1'));
    for (const es of registry.eServices) {
      const t = pki.terminals.get(es.id)!;
      expect(grantsOf(t.cert.chat).fields.sort()).toEqual([...es.approvedFields].sort());
      expect(t.cert.descriptionHash).toEqual(hashCertificateDescription(t.description, 'sha384'));
      expect(decodeCertificateDescription(t.description).subjectUrl).toBe('https://127.0.0.1:9443');
      const v = await runNeid([
        'cvc',
        'verify',
        join(dir, PKI_FILES.cvcaCert),
        join(dir, PKI_FILES.dvCert),
        join(dir, terminalFiles(es.id).cert),
      ]);
      expect(v.code, v.stderr).toBe(0);
      expect(JSON.parse(v.stdout).fields.sort()).toEqual([...es.approvedFields].sort());
    }
    expect(CvCertificate.decode(readFileSync(join(dir, PKI_FILES.dvCert))).role).toBe('dv-domestic');
    expect(verifyCardRevocationList(pki.cardRevocationList, pki.cscaCerts).revoked).toEqual([]);
    expect(statSync(join(dir, PKI_FILES.cvcaKey)).mode & 0o077).toBe(0);
    expect(derFromPem(readFileSync(join(dir, PKI_FILES.tlsCert), 'utf8')).length).toBeGreaterThan(500);
  }, 120_000);

  it('refuses unknown options with a usage error', async () => {
    const r = await runNeid(['pki', 'init', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage/);
  });
});
