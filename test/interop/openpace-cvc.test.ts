/**
 * Issue 2 acceptance against OpenPACE (Debian `openpace`), an independent
 * TR-03110 implementation: `cvc-print` parses and verifies every CV
 * certificate `neid pki init` writes and shows the same CAR, CHR, CHAT and
 * dates, and the link certificate of `neid pki rollover`; `neid cvc verify` accepts a CVCA → DV → AT chain made by
 * `cvc-create` and rejects it when one signature byte changes.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CvCertificate } from '../../src/pki/cvc/certificate.js';
import { grantsOf } from '../../src/profile/authorization.js';
import { fieldDef } from '../../src/profile/fields.js';
import { runNeid } from '../support/cli.js';
import { absent, have, requires } from '../support/requires.js';

describe.runIf(
  requires('OpenPACE CV certificates', absent({ openpace: have('cvc-print') && have('cvc-create') })),
)('OpenPACE interoperability of CV certificates', () => {
  let dir: string;
  let pki: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neid-openpace-'));
    pki = join(dir, 'pki');
    const r = await runNeid(['pki', 'init', '--out', pki]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  const cvcPrint = (file: string, trustDir?: string) =>
    execFileSync('cvc-print', [...(trustDir ? [`--cvc-dir=${trustDir}`] : []), `--cvc=${file}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('cvc-print parses and verifies every certificate of neid pki init, with the same CAR, CHR, CHAT and dates', () => {
    const trust = join(dir, 'trust');
    mkdirSync(trust, { recursive: true });
    const files = [
      'eac/cvca.cvcert',
      'eac/dv.cvcert',
      ...['demo-portal', 'demo-bank', 'passport-office'].map((e) => `eac/terminals/${e}/terminal.cvcert`),
    ];
    for (const f of files.slice(0, 2)) {
      const c = CvCertificate.decode(readFileSync(join(pki, f)));
      copyFileSync(join(pki, f), join(trust, c.chr));
    }
    for (const f of files) {
      const path = join(pki, f);
      const ours = CvCertificate.decode(readFileSync(path));
      const out = cvcPrint(path, trust);
      expect(out).toContain(`CAR: ${ours.car}`);
      expect(out).toContain(`CHR: ${ours.chr}`);
      const iso = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`;
      expect(out).toContain(`Effective Date: ${iso(ours.effectiveDate)}`);
      expect(out).toContain(`Expiration Date: ${iso(ours.expirationDate)}`);
      expect(out).toMatch(/certificate verified/);
      expect(out).not.toMatch(/not verified/);
      const role = {
        cvca: 'CVCA certificate',
        'dv-domestic': 'DV certificate',
        'dv-foreign': 'DV certificate',
        terminal: 'Terminal certificate',
      }[ours.role];
      expect(out).toContain(role);
      // Every read right OpenPACE lists is one we granted, and vice versa.
      const printed = [...out.matchAll(/Read DG (\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
      const ourDgs = ours.chat
        .bits()
        .filter((b) => b >= 8 && b <= 28)
        .map((b) => b - 7);
      expect(printed).toEqual(ourDgs);
      const g = grantsOf(ours.chat);
      expect(out.includes('Age Verification')).toBe(g.functions.includes('ageVerification'));
      expect(out.includes('Community ID Verification')).toBe(g.functions.includes('placeVerification'));
      expect(out.includes('Restricted Identification')).toBe(g.restrictedIdentification);
    }
    const term = join(pki, 'eac/terminals/demo-portal/terminal.cvcert');
    const withDesc = execFileSync(
      'cvc-print',
      [`--cvc=${term}`, `--description=${join(pki, 'eac/terminals/demo-portal/description.der')}`],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(withDesc).toContain('certificate description matches certificate');
    expect(withDesc).toContain(fieldDef('photo').label.zh);
  });

  it('after neid pki rollover, cvc-print verifies the link certificate with the previous CVCA, and the new DV with the link', async () => {
    const rolled = join(dir, 'rolled');
    expect((await runNeid(['pki', 'init', '--out', rolled])).code).toBe(0);
    const previous = CvCertificate.decode(readFileSync(join(rolled, 'eac/cvca.cvcert')));
    expect((await runNeid(['pki', 'rollover', '--dir', rolled])).code).toBe(0);
    const trust = join(dir, 'trust-rolled');
    mkdirSync(trust, { recursive: true });
    writeFileSync(join(trust, previous.chr), previous.raw);
    const current = CvCertificate.decode(readFileSync(join(rolled, 'eac/cvca.cvcert')));
    const link = join(rolled, 'eac/links', `${current.chr}.cvcert`);
    const out = cvcPrint(link, trust);
    expect(out).toContain(`CAR: ${previous.chr}`);
    expect(out).toContain(`CHR: ${current.chr}`);
    expect(out).toMatch(/certificate verified/);
    copyFileSync(link, join(trust, current.chr));
    const dv = cvcPrint(join(rolled, 'eac/dv.cvcert'), trust);
    expect(dv).toContain(`CAR: ${current.chr}`);
    expect(dv).toMatch(/certificate verified/);
    expect(dv).not.toMatch(/not verified/);
  });

  it('cvc-print refuses a certificate whose signature was altered', () => {
    const trust = join(dir, 'trust');
    const bad = Buffer.from(readFileSync(join(pki, 'eac/terminals/demo-bank/terminal.cvcert')));
    bad[bad.length - 3]! ^= 0x01;
    const file = join(dir, 'bad.cvcert');
    writeFileSync(file, bad);
    expect(cvcPrint(file, trust)).toMatch(/not verified/);
  });

  it('neid cvc verify accepts a CVCA → DV → AT chain made by cvc-create, and rejects a changed signature byte', async () => {
    const d = mkdtempSync(join(tmpdir(), 'neid-cvc-create-'));
    const run = (args: string[]) =>
      execFileSync('cvc-create', args, { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync(
      'sh',
      [
        '-c',
        'openssl ecparam -name brainpoolP256r1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -outform DER -out cvca.pkcs8',
      ],
      { cwd: d },
    );
    const rights = ['--read-dg4', '--read-dg8', '--read-dg14', '--verify-age', '--rid'];
    run([
      '--role=cvca',
      '--type=at',
      '--chr=TWOPACECA00001',
      '--expires=301231',
      '--sign-with=cvca.pkcs8',
      '--scheme=ECDSA_SHA_256',
      ...rights,
      '--read-dg9',
    ]);
    run([
      '--role=dv_domestic',
      '--chr=TWOPACEDV00001',
      '--expires=301231',
      '--sign-with=cvca.pkcs8',
      '--sign-as=TWOPACECA00001.cvcert',
      '--scheme=ECDSA_SHA_256',
      ...rights,
    ]);
    run([
      '--role=terminal',
      '--chr=TWOPACEAT00001',
      '--expires=301231',
      '--sign-with=TWOPACEDV00001.pkcs8',
      '--sign-as=TWOPACEDV00001.cvcert',
      '--scheme=ECDSA_SHA_256',
      '--read-dg4',
      '--read-dg14',
      '--verify-age',
    ]);
    const chain = ['TWOPACECA00001.cvcert', 'TWOPACEDV00001.cvcert', 'TWOPACEAT00001.cvcert'].map((f) =>
      join(d, f),
    );
    const ok = await runNeid(['cvc', 'verify', ...chain]);
    expect(ok.code, ok.stderr).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result.terminal).toBe('TWOPACEAT00001');
    expect(result.fields.sort()).toEqual(['chineseName', 'photo']);
    expect(result.functions).toEqual(['ageVerification']);

    const print = await runNeid(['cvc', 'print', chain[2]!]);
    expect(JSON.parse(print.stdout)).toMatchObject({
      car: 'TWOPACEDV00001',
      chr: 'TWOPACEAT00001',
      role: 'terminal',
    });

    const bad = Buffer.from(readFileSync(chain[1]!));
    bad[bad.length - 10]! ^= 0x40;
    const badFile = join(d, 'bad-dv.cvcert');
    writeFileSync(badFile, bad);
    const refused = await runNeid(['cvc', 'verify', chain[0]!, badFile, chain[2]!]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad-signature/);
  });
});
