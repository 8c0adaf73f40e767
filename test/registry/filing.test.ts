/**
 * Issue 18, filing in the registry's workflow: a detached organisation-certificate signature
 * (made here with our signCms; OpenSSL's in test/interop/filing-openssl.test.ts) binds the
 * application to the certificate's organisation; the verifier's refusals beyond the interop test
 * (expired certificate, stale or missing CRL, no signing key usage, no organisation identifier, a
 * signature over another draft); with `unsigned: paper` an unsigned filing is approved only after
 * the paper copy arrived, and a signed filing needs none.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OID } from '../../src/asn1/oids.js';
import { issueCertificate } from '../../src/pki/x509/certificate.js';
import { signCms } from '../../src/pki/x509/cms.js';
import { issueCrl, parseCrl } from '../../src/pki/x509/crl.js';
import {
  type OrganisationTrust,
  verifyOrganisationSignature,
} from '../../src/pki/x509/organisation-signature.js';
import type { RegistryContext } from '../../src/registry/context.js';
import { canonicalApplication } from '../../src/registry/filing/canonical.js';
import { cliPrincipal } from '../../src/registry/roles.js';
import { createApplication, updateDraft } from '../../src/registry/workflow/applications.js';
import { approveApplication, reviewApplication } from '../../src/registry/workflow/decisions.js';
import { recordPaperReceived, submitApplication } from '../../src/registry/workflow/filing.js';
import { APPROVER, FORM, REVIEWER, type RegistryFixture, registryFixture } from '../support/registry.js';

const DAY = 86_400_000;
const now = new Date();
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const caKey = ec();
const caName = { C: 'TW', O: 'Test', CN: 'Unit Organisation CA' };
const ca = issueCertificate({
  subject: caName,
  issuer: caName,
  notBefore: new Date(now.getTime() - DAY),
  notAfter: new Date(now.getTime() + 365 * DAY),
  subjectPublicKey: caKey,
  issuerKey: caKey,
  ca: { pathLen: 0 },
  keyUsage: ['keyCertSign', 'cRLSign'],
});
const crl = (o: { next?: number; revoked?: bigint[] } = {}) =>
  parseCrl(
    issueCrl({
      issuerCert: ca,
      issuerKey: caKey,
      thisUpdate: new Date(now.getTime() - DAY),
      nextUpdate: new Date(now.getTime() + (o.next ?? 7) * DAY),
      crlNumber: 1n,
      revoked: (o.revoked ?? []).map((serial) => ({ serial, date: now })),
    }),
  );

function orgCert(o: { id?: string | null; days?: [number, number]; usage?: 'keyEncipherment' } = {}) {
  const key = ec();
  const [from, to] = o.days ?? [-1, 365];
  const cert = issueCertificate({
    subject: {
      C: 'TW',
      O: '範例公司',
      CN: '範例公司',
      ...(o.id === null ? {} : { serialNumber: o.id ?? '12345675' }),
    },
    issuer: ca,
    notBefore: new Date(now.getTime() + from * DAY),
    notAfter: new Date(now.getTime() + to * DAY),
    subjectPublicKey: key,
    issuerKey: caKey,
    keyUsage: [o.usage ?? 'digitalSignature'],
  });
  return { cert, key };
}

const sign = (content: Buffer, c: { cert: Buffer; key: KeyObject }) =>
  signCms({
    contentType: OID.idData,
    content,
    signerCert: c.cert,
    signerKey: c.key,
    hash: 'sha256',
    detached: true,
  });

describe('verifyOrganisationSignature', () => {
  const content = Buffer.from('{"application":"x"}');
  const trust: OrganisationTrust = { issuers: [ca], crls: [crl()] };
  const code = (f: () => unknown) => {
    try {
      f();
      return 'ok';
    } catch (e) {
      return (e as { code: string }).code;
    }
  };

  it('accepts a detached signature and names the organisation', () => {
    const v = verifyOrganisationSignature(sign(content, orgCert()), content, trust, now);
    expect(v.organisationId).toBe('12345675');
  });

  it('refuses expired certificates, stale or missing CRLs, no signing usage, no organisation, other content', () => {
    const good = orgCert();
    expect(
      code(() =>
        verifyOrganisationSignature(sign(content, orgCert({ days: [-30, -1] })), content, trust, now),
      ),
    ).toBe('expired');
    expect(
      code(() =>
        verifyOrganisationSignature(
          sign(content, good),
          content,
          { issuers: [ca], crls: [crl({ next: -0.5 })] },
          now,
        ),
      ),
    ).toBe('revocation-unknown');
    expect(
      code(() => verifyOrganisationSignature(sign(content, good), content, { issuers: [ca], crls: [] }, now)),
    ).toBe('revocation-unknown');
    expect(
      code(() =>
        verifyOrganisationSignature(
          sign(content, orgCert({ usage: 'keyEncipherment' })),
          content,
          trust,
          now,
        ),
      ),
    ).toBe('unsuitable-certificate');
    expect(
      code(() => verifyOrganisationSignature(sign(content, orgCert({ id: null })), content, trust, now)),
    ).toBe('unsuitable-certificate');
    expect(
      code(() => verifyOrganisationSignature(sign(Buffer.from('other'), good), content, trust, now)),
    ).toBe('bad-signature');
    expect(
      code(() => verifyOrganisationSignature(sign(content, good), content, { issuers: [], crls: [] }, now)),
    ).toBe('unknown-ca');
    // The issuing CA itself past its end (the certificate still within its own validity).
    expect(
      code(() =>
        verifyOrganisationSignature(
          sign(content, orgCert({ days: [-1, 400] })),
          content,
          trust,
          new Date(now.getTime() + 366 * DAY),
        ),
      ),
    ).toBe('expired');
  });
});

describe('filing in the workflow', () => {
  let f: RegistryFixture;
  let ctx: RegistryContext;
  const applicant = cliPrincipal();
  let n = 0;
  beforeAll(async () => {
    f = await registryFixture('pglite');
    ctx = {
      ...f.ctx,
      filing: { unsigned: 'paper', trust: () => ({ issuers: [ca], crls: [crl()] }) },
    };
  }, 120_000);
  afterAll(async () => f?.close());

  const draft = () => {
    const id = `u${++n}-filing`;
    return createApplication(ctx, applicant, {
      eServiceId: id,
      eService: { id, displayName: { zh: id, en: id }, purpose: { zh: '測試', en: 'test' } },
      form: FORM,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
  };

  it('a signature of another draft version is refused (bad-signature); the current one is bound to its 統一編號', async () => {
    const a = await draft();
    const old = sign(canonicalApplication(a), orgCert()).toString('base64');
    const edited = await updateDraft(ctx, applicant, a.id, a.version, {
      form: { ...FORM, purpose: '另一個目的' },
    });
    await expect(submitApplication(ctx, applicant, a.id, edited.version, old)).rejects.toMatchObject({
      code: 'signature-refused',
      reason: 'bad-signature',
      field: '/signature',
    });
    const ok = await submitApplication(
      ctx,
      applicant,
      a.id,
      edited.version,
      sign(canonicalApplication(edited), orgCert()).toString('base64'),
    );
    expect(ok.filing).toMatchObject({ method: 'signed', organisationId: '12345675' });
    // A signed filing needs no paper copy: it is approved after review.
    const r = await reviewApplication(ctx, REVIEWER, a.id, ok.version);
    await expect(recordPaperReceived(ctx, REVIEWER, a.id, r.version)).rejects.toMatchObject({
      code: 'wrong-state',
    });
    expect((await approveApplication(ctx, APPROVER, a.id, r.version)).application.status).toBe('active');
  });

  it('with unsigned: paper, an unsigned filing waits for its paper copy', async () => {
    const a = await draft();
    const s = await submitApplication(ctx, applicant, a.id, a.version);
    expect(s.filing).toMatchObject({ method: 'paper' });
    const r = await reviewApplication(ctx, REVIEWER, a.id, s.version);
    await expect(approveApplication(ctx, APPROVER, a.id, r.version)).rejects.toThrow(
      /paper copy has not arrived/,
    );
    const p = await recordPaperReceived(ctx, REVIEWER, a.id, r.version, '收文 第1號');
    expect(p.filing).toMatchObject({ method: 'paper', received: { by: REVIEWER.id, note: '收文 第1號' } });
    expect((await approveApplication(ctx, APPROVER, a.id, p.version)).application.status).toBe('active');
  });
});
