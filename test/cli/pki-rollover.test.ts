/**
 * `neid pki rollover`: a new CVCA certified by the previous one (link
 * certificate), a new DV and terminal certificates for the same terminal
 * keys; the server loads the chain (PkiMaterial.links, trustedCars) and
 * `neid cvc verify` follows it from the first CVCA to each terminal.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { CvCertificate } from '../../src/pki/cvc/certificate.js';
import { PKI_FILES, terminalFiles } from '../../src/pki/layout.js';
import { loadPki, PkiError } from '../../src/provisioning/store.js';
import { nextChr } from '../../src/provisioning/test-pki/rollover.js';
import { runNeid } from '../support/cli.js';

describe('neid pki rollover', () => {
  it('rolls the CVCA over twice; the server loads the link chain and neid cvc verify follows it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'neid-rollover-')), 'pki');
    expect((await runNeid(['pki', 'init', '--out', dir])).code).toBe(0);
    const registry = loadRegistry('config/relying-parties.yaml');
    const first = loadPki(dir, registry);
    const keyOf = (p: typeof first) => p.terminals.get('demo-portal')!.cert.publicKey.point.toString('hex');
    for (let i = 0; i < 2; i++) {
      const r = await runNeid(['pki', 'rollover', '--dir', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/CVCA rolled over/);
    }
    const pki = loadPki(dir, registry);
    expect(pki.cvca.chr).toBe(nextChr(nextChr(first.cvca.chr)));
    expect(pki.links.map((l) => `${l.car}>${l.chr}`)).toEqual([
      `${nextChr(first.cvca.chr)}>${pki.cvca.chr}`,
      `${first.cvca.chr}>${nextChr(first.cvca.chr)}`,
    ]);
    expect([...pki.trustedCars].sort()).toEqual(
      [first.cvca.chr, nextChr(first.cvca.chr), pki.cvca.chr].sort(),
    );
    expect(pki.dv.car).toBe(pki.cvca.chr);
    // The terminals keep their keys (a file here, or a key in a PKCS#11 token).
    expect(keyOf(pki)).toBe(keyOf(first));

    // From the first CVCA (a card personalised before both rollovers) to a terminal.
    const links = readdirSync(join(dir, PKI_FILES.cvcaLinksDir)).map((f) =>
      join(dir, PKI_FILES.cvcaLinksDir, f),
    );
    const trust = join(dir, 'first-cvca.cvcert');
    (await import('node:fs')).writeFileSync(trust, first.cvca.raw);
    const chain = [
      ...links.sort(),
      join(dir, PKI_FILES.dvCert),
      join(dir, terminalFiles('demo-portal').cert),
    ];
    const v = await runNeid(['cvc', 'verify', ...chain, '--trust', trust]);
    expect(v.code, v.stderr).toBe(0);
    expect(CvCertificate.decode(readFileSync(chain[0]!)).car).toBe(first.cvca.chr);
  });

  it('refuses link certificates that do not lead to the current CVCA', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'neid-rollover-')), 'pki');
    expect((await runNeid(['pki', 'init', '--out', dir])).code).toBe(0);
    expect((await runNeid(['pki', 'rollover', '--dir', dir])).code).toBe(0);
    const fs = await import('node:fs');
    // A link certificate of another PKI leads nowhere in this one.
    const linkDir = join(dir, PKI_FILES.cvcaLinksDir);
    const [link] = fs.readdirSync(linkDir);
    const other = join(mkdtempSync(join(tmpdir(), 'neid-rollover-')), 'pki');
    expect((await runNeid(['pki', 'init', '--out', other])).code).toBe(0);
    fs.mkdirSync(join(other, PKI_FILES.cvcaLinksDir), { recursive: true });
    fs.copyFileSync(join(linkDir, link!), join(other, PKI_FILES.cvcaLinksDir, link!));
    expect(() => loadPki(other, loadRegistry('config/relying-parties.yaml'))).toThrow(PkiError);
    expect(nextChr('TWTESTCVCA00009')).toBe('TWTESTCVCA00010');
    expect(() => nextChr('NOSEQUENCE')).toThrow(PkiError);
  });
});
