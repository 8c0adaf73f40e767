/**
 * Issue 10 against OpenPACE (Debian `openpace`): the CV certificate requests the registry makes on
 * approval (TR-03110-3 §C.2) parse and verify with `cvc-print --csr`; the certificates the embedded
 * test DV issues verify with `cvc-print --cvc-dir` and grant exactly the approved rights; OpenPACE
 * acting as the DV (`cvc-create --csr`) issues from our request. The outer signature of a renewal
 * request is checked with openssl (Debian's OpenPACE predates its parser fix for authentication
 * requests, upstream 3c42efc).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecdsaPlainToDer } from '../../src/crypto/ecdsa.js';
import { CvCertificate } from '../../src/pki/cvc/certificate.js';
import { CvRequest } from '../../src/pki/cvc/request.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import { chatFor, grantsOf } from '../../src/profile/authorization.js';
import { cliPrincipal } from '../../src/registry/roles.js';
import { createApplication } from '../../src/registry/workflow/applications.js';
import { submitApplication } from '../../src/registry/workflow/filing.js';
import { importTerminalCertificate } from '../../src/registry/workflow/terminal-import.js';
import { orderTerminal } from '../../src/registry/workflow/terminals.js';
import {
  FORM,
  type RegistryFixture,
  registryFixture,
  reviewAndApprove,
  testPkiDir,
} from '../support/registry.js';
import { absent, have, requires } from '../support/requires.js';

const actor = cliPrincipal();
const run = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });

async function approved(f: RegistryFixture, id: string) {
  const app = await createApplication(f.ctx, actor, {
    eServiceId: id,
    eService: { id, displayName: { zh: id, en: id }, purpose: { zh: '測試', en: 'test' } },
    form: FORM,
    requestedFields: ['chineseName', 'dateOfBirth', 'photo'],
    requestedFunctions: ['ageVerification'],
  });
  await submitApplication(f.ctx, actor, app.id);
  return reviewAndApprove(f.ctx, app.id);
}

describe.runIf(
  requires('OpenPACE on registry CVCs', absent({ openpace: have('cvc-print') && have('cvc-create') })),
)('OpenPACE on the terminal certificates of approvals', () => {
  let dir: string;
  let trust: string;
  let test: RegistryFixture;
  let prod: RegistryFixture;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neid-reg-openpace-'));
    trust = join(dir, 'trust');
    mkdirSync(trust);
    for (const f of [PKI_FILES.cvcaCert, PKI_FILES.dvCert]) {
      const c = CvCertificate.decode(readFileSync(join(testPkiDir(), f)));
      copyFileSync(join(testPkiDir(), f), join(trust, c.chr));
    }
    test = await registryFixture('pglite');
    prod = await registryFixture('pglite', { production: true });
  }, 120_000);
  afterAll(async () => {
    await test?.close();
    await prod?.close();
  });

  it('cvc-print --csr verifies the request; cvc-print --cvc-dir verifies the certificate, with exactly the approved rights', async () => {
    const { terminal } = await approved(test, 'openpace-a');
    const req = join(dir, 'a.cvreq');
    writeFileSync(req, terminal.request!);
    const printed = run('cvc-print', [`--csr=${req}`]);
    expect(printed).toContain(`CHR: ${terminal.chr}`);
    expect(printed).toContain(`CAR: ${test.ctx.pki.dv.chr}`);
    expect(printed).toMatch(/id-description/);
    expect(printed).toMatch(/id-sector/);
    expect(printed).toMatch(/certificate request verified/);
    const cert = join(dir, 'a.cvcert');
    writeFileSync(cert, terminal.certificate!);
    const out = run('cvc-print', [`--cvc-dir=${trust}`, `--cvc=${cert}`]);
    expect(out).toMatch(/certificate verified/);
    expect(out).not.toMatch(/not verified/);
    const want = grantsOf(chatFor(['chineseName', 'dateOfBirth', 'photo'], ['ageVerification']));
    const dgs = [...out.matchAll(/Read DG (\d+)/g)].map((m) => Number(m[1]));
    const ours = grantsOf(CvCertificate.decode(terminal.certificate!).chat);
    expect(ours).toEqual(want);
    expect(dgs).toHaveLength(want.fields.length);
    expect(out).toContain('Age Verification');
    expect(out).toContain('Restricted Identification');
    expect(out).not.toContain('Community ID Verification');
  });

  it('a renewal request: inner signature verified by OpenPACE, outer signature (by the current key) by openssl', async () => {
    const t = await orderTerminal(test.ctx, actor, { eServiceId: 'openpace-a', purpose: 'renewal' });
    const r = CvRequest.decode(t.request!);
    expect(r.outer?.car).toBe(t.previousChr);
    const inner = join(dir, 'inner.cvreq');
    writeFileSync(inner, r.inner);
    expect(run('cvc-print', [`--csr=${inner}`])).toMatch(/certificate request verified/);
    const [row] = await test.ctx.db.query<{ certificate: Uint8Array }>(
      'SELECT certificate FROM neid.terminals WHERE chr = $1',
      [t.previousChr],
    );
    const previous = CvCertificate.decode(Buffer.from(row!.certificate));
    writeFileSync(
      join(dir, 'old.pub.pem'),
      previous.keyObject(test.ctx.pki.curve).export({ format: 'pem', type: 'spki' }) as string,
    );
    writeFileSync(join(dir, 'signed.bin'), Buffer.concat([r.inner, r.outer!.carTlv]));
    writeFileSync(join(dir, 'outer.sig'), ecdsaPlainToDer(r.outer!.signature));
    const v = run(
      'openssl',
      ['dgst', '-sha256', '-verify', 'old.pub.pem', '-signature', 'outer.sig', 'signed.bin'],
      dir,
    );
    expect(v).toMatch(/Verified OK/);
  });

  it('OpenPACE as the DV issues from our request (key, CHR, CAR, exact CHAT); import refuses it without the CertificateDescription hash', async () => {
    const { application, terminal } = await approved(prod, 'openpace-b');
    expect(application.status).toBe('approved');
    const req = join(dir, 'b.cvreq');
    writeFileSync(req, terminal.request!);
    run(
      'sh',
      [
        '-c',
        `openssl pkcs8 -topk8 -nocrypt -in ${join(testPkiDir(), PKI_FILES.dvKey)} -outform DER -out dv.pkcs8`,
      ],
      dir,
    );
    const chat = chatFor(['chineseName', 'dateOfBirth', 'photo'], ['ageVerification']).toHex();
    run(
      'cvc-create',
      [
        '--role=terminal',
        '--type=at',
        `--csr=${req}`,
        '--sign-with=dv.pkcs8',
        '--scheme=ECDSA_SHA_256',
        '--expires=391231',
        `--chat=${chat}`,
      ],
      dir,
    );
    const issued = readFileSync(join(dir, `${terminal.chr}.cvcert`));
    expect(run('cvc-print', [`--cvc-dir=${trust}`, `--cvc=${join(dir, `${terminal.chr}.cvcert`)}`])).toMatch(
      /certificate verified/,
    );
    const c = CvCertificate.decode(issued);
    expect(c.chat.toHex()).toBe(chat);
    expect(c.keyObject(prod.ctx.pki.curve).export({ format: 'der', type: 'spki' })).toEqual(
      terminal.publicKey,
    );
    // OpenPACE does not carry the request's id-description extension over; eID-Clients need it.
    await expect(importTerminalCertificate(prod.ctx, actor, issued)).rejects.toThrow(
      /CertificateDescription/,
    );
  });
});
