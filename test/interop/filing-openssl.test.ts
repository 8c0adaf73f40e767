/**
 * Issue 18: online filing of a Secure API application signed with an
 * organisation certificate, through the running server's admin API, the
 * signatures made by OpenSSL (`openssl cms -sign`, detached) over the bytes of
 * GET /applications/{id}/canonical — an independent implementation proves the
 * format. The test PKI's sample organisation certificate files; the same
 * certificate refuses a form of another organisation; the revoked sample, a
 * certificate of an unknown CA, and a signature over other bytes are each
 * refused with their own problem type. A paper filing waits for its paper copy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountAdminApi } from '../../src/interfaces/admin/mount.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import { cliPrincipal } from '../../src/registry/roles.js';
import { bootstrapAdmin } from '../../src/registry/workflow/accounts.js';
import { type AdminClient, adminClient, decidersOf } from '../support/admin.js';
import { runNeid } from '../support/cli.js';
import { FORM } from '../support/registry.js';
import { have, requires } from '../support/requires.js';
import { startTestServer, type TestServer, webCertificates } from '../support/server.js';

const available = requires('filing-openssl', have('openssl') ? [] : ['openssl']);

describe.runIf(available)('online filing signed with an organisation certificate (OpenSSL signs)', () => {
  let ts: TestServer;
  let admin: AdminClient;
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neid-filing-'));
    ts = await startTestServer({ mount: (s) => void mountAdminApi(s) });
    admin = await adminClient(ts.server);
  }, 120_000);
  afterAll(async () => ts?.close());

  const pki = (rel: string) => join(ts.pkiDir, rel);

  /** A new eService's draft application with `form`; its id and canonical bytes (in a file). */
  async function draft(form = FORM): Promise<{ id: string; canonical: string; etag: string }> {
    const es = `filing-${++n}`;
    const app = await admin.call('POST', '/applications', {
      eServiceId: es,
      eService: { id: es, displayName: { zh: es, en: es }, purpose: { zh: '測試', en: 'test' } },
      form,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
    expect(app.status, app.text).toBe(201);
    const c = await admin.call('GET', `/applications/${app.json.id}/canonical`);
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toMatch(/^application\/json/);
    const canonical = join(dir, `${es}.json`);
    writeFileSync(canonical, c.text);
    return { id: app.json.id, canonical, etag: app.headers.etag as string };
  }

  /** `openssl cms -sign` (detached: the default), DER, base64. */
  function opensslSign(file: string, cert: string, key: string): string {
    const out = `${file}.p7s`;
    execFileSync('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-in',
      file,
      '-signer',
      cert,
      '-inkey',
      key,
      '-md',
      'sha256',
      '-outform',
      'DER',
      '-out',
      out,
    ]);
    return readFileSync(out).toString('base64');
  }

  const submit = (id: string, etag: string, signature?: string) =>
    admin.call('POST', `/applications/${id}/submit`, signature ? { signature } : undefined, {
      'if-match': etag,
    });

  it('files an application signed with the sample organisation certificate, bound to its 統一編號', async () => {
    const a = await draft();
    const canonical = JSON.parse(readFileSync(a.canonical, 'utf8'));
    expect(canonical).toMatchObject({ application: a.id, type: 'tw.neid.secure-api-application/1' });
    const sig = opensslSign(a.canonical, pki(PKI_FILES.orgSampleCert), pki(PKI_FILES.orgSampleKey));
    const r = await submit(a.id, a.etag, sig);
    expect(r.status, r.text).toBe(200);
    expect(r.json.status).toBe('submitted');
    expect(r.json.filing).toMatchObject({ method: 'signed', organisationId: '12345675' });
    expect(r.json.filing.certificate.issuer).toContain('TEST Organisation Certificate CA');
    // OpenSSL agrees that the kept evidence verifies against the organisation CA.
    const evidence = join(dir, 'evidence.der');
    writeFileSync(evidence, Buffer.from(r.json.filing.signature, 'base64'));
    execFileSync('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      evidence,
      '-content',
      a.canonical,
      '-CAfile',
      pki(PKI_FILES.orgCaCert),
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);
  });

  it('refuses the certificate for a form of another organisation (organisation-mismatch)', async () => {
    const a = await draft({ ...FORM, taxId: '04595257' });
    const sig = opensslSign(a.canonical, pki(PKI_FILES.orgSampleCert), pki(PKI_FILES.orgSampleKey));
    const r = await submit(a.id, a.etag, sig);
    expect(r.status).toBe(422);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json).toMatchObject({
      type: 'urn:tw:neid:admin:problem:organisation-mismatch',
      pointer: '/signature',
    });
    expect(r.json.detail).toContain('04595257');
    expect((await admin.call('GET', `/applications/${a.id}`)).json.status).toBe('draft');
  });

  it('refuses a certificate revoked in the CA’s CRL (certificate-revoked)', async () => {
    const a = await draft();
    const sig = opensslSign(a.canonical, pki(PKI_FILES.orgRevokedCert), pki(PKI_FILES.orgRevokedKey));
    const r = await submit(a.id, a.etag, sig);
    expect(r.status).toBe(422);
    expect(r.json.type).toBe('urn:tw:neid:admin:problem:certificate-revoked');
    // Audited with its reason.
    await ts.server.registryRuntime.trail.flush();
    const audit = await admin.call('GET', `/audit?action=application.submit&limit=50`);
    expect(
      audit.json.items.find((e: { target: string }) => e.target === `application:${a.id}`),
    ).toMatchObject({ outcome: 'refused', details: { reason: 'certificate-revoked' } });
  });

  it('refuses a certificate of an unknown CA, and a signature over other bytes', async () => {
    const a = await draft();
    const key = join(dir, 'self.key');
    const cert = join(dir, 'self.pem');
    execFileSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '30',
      '-subj',
      '/C=TW/O=Self-made Ltd/CN=Self-made Ltd/serialNumber=12345675',
    ]);
    const unknown = await submit(a.id, a.etag, opensslSign(a.canonical, cert, key));
    expect(unknown.status).toBe(422);
    expect(unknown.json.type).toBe('urn:tw:neid:admin:problem:unknown-ca');

    const other = join(dir, 'other.json');
    writeFileSync(other, readFileSync(a.canonical, 'utf8').replace('示範醫院', '另一家醫院'));
    const bad = await submit(
      a.id,
      a.etag,
      opensslSign(other, pki(PKI_FILES.orgSampleCert), pki(PKI_FILES.orgSampleKey)),
    );
    expect(bad.status).toBe(422);
    expect(bad.json.type).toBe('urn:tw:neid:admin:problem:bad-signature');
    const junk = await submit(a.id, a.etag, Buffer.from('not a signature').toString('base64'));
    expect(junk.json.type).toBe('urn:tw:neid:admin:problem:malformed-signature');
  });

  it('records the paper copy of an unsigned filing; a signed filing needs none', async () => {
    const a = await draft();
    const r = await submit(a.id, a.etag);
    expect(r.status, r.text).toBe(200);
    const { reviewer } = await decidersOf(ts.server);
    const paper = await reviewer.call(
      'POST',
      `/applications/${a.id}/paper-received`,
      { note: '收文 第1130001號' },
      { 'if-match': r.headers.etag as string },
    );
    expect(paper.status, paper.text).toBe(200);
    expect(paper.json.filing).toMatchObject({ method: 'paper', received: { note: '收文 第1130001號' } });
    expect(paper.json.history.at(-1).step).toBe('paper-received');
  });

  it('neid admin application submit signs with --sign-cert/--sign-key, and names a refusal', async () => {
    const issued = await bootstrapAdmin(ts.server.registryRuntime.ctx, cliPrincipal(), { force: true });
    const credential = join(dir, 'credential.json');
    writeFileSync(
      credential,
      JSON.stringify({
        account: issued.account.id,
        credential: issued.credential.id,
        tokenUrl: `${ts.server.urls.web}/admin/api/v1/token`,
        privateJwk: issued.privateJwk,
      }),
    );
    const ca = join(dir, 'server-ca.pem');
    writeFileSync(ca, webCertificates(ts.server));
    const a = await draft();
    const revoked = await runNeid([
      'admin',
      'application',
      'submit',
      a.id,
      '--credential',
      credential,
      '--ca',
      ca,
      '--sign-cert',
      pki(PKI_FILES.orgRevokedCert),
      '--sign-key',
      pki(PKI_FILES.orgRevokedKey),
    ]);
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(/certificate-revoked \(\/signature\): .*is revoked/);
    const ok = await runNeid([
      'admin',
      'application',
      'submit',
      a.id,
      '--credential',
      credential,
      '--ca',
      ca,
      '--sign-cert',
      pki(PKI_FILES.orgSampleCert),
      '--sign-key',
      pki(PKI_FILES.orgSampleKey),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      status: 'submitted',
      filing: { method: 'signed', organisationId: '12345675' },
    });
  }, 60_000);
});
