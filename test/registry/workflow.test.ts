/**
 * The Secure API workflow on the registry database: import of today's YAML (terminal certificates
 * adopted from the PKI), an application through its states, approval issuing a terminal
 * certificate with exactly the approved CHAT (never touching CVCA or DV), an amendment signed by
 * the current key (outer signature), production requests awaiting the DV, renewal by clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/config/relying-parties.js';
import { CvCertificate } from '../../src/pki/cvc/certificate.js';
import { validateChain } from '../../src/pki/cvc/chain.js';
import { dateString } from '../../src/pki/cvc/dates.js';
import { issueSubordinateCertificate } from '../../src/pki/cvc/issue.js';
import { CvRequest } from '../../src/pki/cvc/request.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import { chatFor, grantsOf } from '../../src/profile/authorization.js';
import { verifyAudit } from '../../src/registry/audit/chain.js';
import type { ApplicationForm } from '../../src/registry/model.js';
import { cliPrincipal } from '../../src/registry/roles.js';
import { loadSnapshot } from '../../src/registry/snapshot.js';
import { terminalsOf } from '../../src/registry/store/terminals.js';
import { createApplication } from '../../src/registry/workflow/applications.js';
import { approveApplication, rejectApplication } from '../../src/registry/workflow/decisions.js';
import { changeEServiceStatus } from '../../src/registry/workflow/eservices.js';
import { submitApplication } from '../../src/registry/workflow/filing.js';
import { importTerminalCertificate, renewDueTerminals } from '../../src/registry/workflow/terminal-import.js';
import { importRegistry } from '../../src/registry/yaml-import.js';
import {
  APPROVER,
  DEMO_REGISTRY,
  FORM,
  inspectSaml,
  type RegistryFixture,
  registryFixture,
  reviewAndApprove,
  testPkiDir,
} from '../support/registry.js';
import { DATABASE_KINDS } from '../support/registry-db.js';

const actor = cliPrincipal();

const profile = (id: string) => ({
  id,
  displayName: { zh: '示範醫院', en: 'Demo Hospital' },
  purpose: { zh: '病患身分核驗', en: 'Patient identification' },
});

describe.each(DATABASE_KINDS)('the Secure API workflow on %s', (kind) => {
  let f: RegistryFixture;
  beforeAll(async () => {
    f = await registryFixture(kind);
    const r = await importRegistry(
      f.ctx,
      actor,
      loadRegistry(DEMO_REGISTRY, { pkiDir: testPkiDir() }),
      inspectSaml,
    );
    expect(r).toEqual({
      imported: ['demo-portal', 'demo-bank', 'passport-office'],
      skipped: [],
      awaitingCertificate: [],
    });
  });
  afterAll(() => f?.close());

  it("imports today's YAML, adopting the terminal certificates of neid pki init", async () => {
    const snap = await loadSnapshot(f.ctx);
    expect(snap.eServices.map((e) => e.id).sort()).toEqual(['demo-bank', 'demo-portal', 'passport-office']);
    expect(snap.problems).toEqual([]);
    const onDisk = readFileSync(join(testPkiDir(), 'eac/terminals/demo-portal/terminal.cvcert'));
    expect(snap.terminals.get('demo-portal')!.cert.raw).toEqual(onDisk);
    expect(snap.eServices.find((e) => e.id === 'demo-portal')!.saml?.metadataXml).toContain(
      'EntityDescriptor',
    );
    expect(snap.eServices.find((e) => e.id === 'passport-office')!.soap?.certificates).toHaveLength(2);
    const again = await importRegistry(
      f.ctx,
      actor,
      loadRegistry(DEMO_REGISTRY, { pkiDir: testPkiDir() }),
      inspectSaml,
    );
    expect(again.skipped).toHaveLength(3);
  });

  it('draft → submitted → approved issues a terminal certificate for exactly the approved fields; CVCA and DV untouched', async () => {
    const cvcaBefore = readFileSync(join(testPkiDir(), PKI_FILES.cvcaCert));
    const app = await createApplication(f.ctx, actor, {
      eServiceId: 'hospital',
      eService: profile('hospital'),
      form: FORM,
      requestedFields: ['chineseName', 'photo'],
      requestedFunctions: ['ageVerification'],
    });
    expect(app).toMatchObject({ status: 'draft', kind: 'initial', version: 1 });
    const sub = await submitApplication(f.ctx, actor, app.id, 1);
    expect(sub.status).toBe('submitted');
    const { application, terminal } = await reviewAndApprove(f.ctx, app.id, sub.version);
    expect(application.status).toBe('active');
    expect(terminal).toMatchObject({ status: 'active', chr: 'TWHOSPITAL00001', purpose: 'initial' });
    const cert = CvCertificate.decode(terminal.certificate!);
    expect(cert.chat.toHex()).toBe(chatFor(['chineseName', 'photo'], ['ageVerification']).toHex());
    expect(grantsOf(cert.chat)).toMatchObject({ restrictedIdentification: true });
    validateChain([f.ctx.pki.dv, cert], {
      trustPoints: [f.ctx.pki.cvca],
      currentDate: dateString(),
      dateMode: 'clock',
    });
    const req = CvRequest.decode(terminal.request!);
    expect(req.verifyInner()).toBe(true);
    expect(req.outer).toBeUndefined();
    expect(readFileSync(join(testPkiDir(), PKI_FILES.cvcaCert))).toEqual(cvcaBefore);
    const snap = await loadSnapshot(f.ctx);
    expect(snap.eServices.find((e) => e.id === 'hospital')?.approvedFields).toEqual(['chineseName', 'photo']);
  });

  it('refuses encrypted-area fields without the eligibility, naming the field', async () => {
    const { eligibility: _e, ...form } = FORM;
    const err = await createApplication(f.ctx, actor, {
      eServiceId: 'shop',
      eService: profile('shop'),
      form: form as ApplicationForm,
      requestedFields: ['photo'],
      requestedFunctions: [],
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'invalid', field: '/form/eligibility' });
  });

  it('rejection needs a reason from the list; the rejected application stays rejected', async () => {
    const app = await createApplication(f.ctx, actor, {
      eServiceId: 'lottery',
      eService: profile('lottery'),
      form: FORM,
      requestedFields: ['dateOfBirth'],
      requestedFunctions: [],
    });
    await submitApplication(f.ctx, actor, app.id);
    await expect(rejectApplication(f.ctx, APPROVER, app.id, undefined, 'other')).rejects.toMatchObject({
      field: '/text',
    });
    const r = await rejectApplication(
      f.ctx,
      APPROVER,
      app.id,
      undefined,
      'does-not-fit-business',
      '業務無需出生日期',
    );
    expect(r.decision).toMatchObject({ outcome: 'rejected', reason: 'does-not-fit-business' });
    await expect(approveApplication(f.ctx, APPROVER, app.id)).rejects.toMatchObject({ code: 'wrong-state' });
    expect((await loadSnapshot(f.ctx)).eServices.some((e) => e.id === 'lottery')).toBe(false);
  });

  it('an amendment keeps the old approval until its certificate is active; the request is signed by the current key too', async () => {
    const app = await createApplication(f.ctx, actor, {
      eServiceId: 'hospital',
      form: FORM,
      requestedFields: ['chineseName', 'photo', 'sex'],
      requestedFunctions: ['ageVerification'],
    });
    expect(app.kind).toBe('amendment');
    await submitApplication(f.ctx, actor, app.id);
    expect((await loadSnapshot(f.ctx)).eServices.find((e) => e.id === 'hospital')?.approvedFields).toEqual([
      'chineseName',
      'photo',
    ]);
    const { terminal } = await reviewAndApprove(f.ctx, app.id);
    expect(terminal.chr).toBe('TWHOSPITAL00002');
    const req = CvRequest.decode(terminal.request!);
    expect(req.outer?.car).toBe('TWHOSPITAL00001');
    const old = CvCertificate.decode(
      (await terminalsOf(f.ctx.db, 'hospital')).find((t) => t.chr === 'TWHOSPITAL00001')!.certificate!,
    );
    expect(req.verifyOuter(old.keyObject(f.ctx.pki.curve), 'sha256')).toBe(true);
    const states = Object.fromEntries(
      (await terminalsOf(f.ctx.db, 'hospital')).map((t) => [t.chr, t.status]),
    );
    expect(states).toEqual({ TWHOSPITAL00001: 'superseded', TWHOSPITAL00002: 'active' });
    expect((await loadSnapshot(f.ctx)).eServices.find((e) => e.id === 'hospital')?.approvedFields).toContain(
      'sex',
    );
  });

  it('renews a certificate the configured days before it expires (injected clock)', async () => {
    const active = (await terminalsOf(f.ctx.db, 'hospital')).find((t) => t.status === 'active')!;
    f.setNow(new Date());
    expect(await renewDueTerminals(f.ctx, actor)).toEqual([]);
    const exp = active.expirationDate!;
    const due = new Date(Date.UTC(+exp.slice(0, 4), +exp.slice(4, 6) - 1, +exp.slice(6)) - 10 * 86_400_000);
    f.setNow(due);
    const renewed = await renewDueTerminals(f.ctx, actor);
    expect(renewed.map((t) => t.eServiceId).sort()).toEqual([
      'demo-bank',
      'demo-portal',
      'hospital',
      'passport-office',
    ]);
    const h = renewed.find((t) => t.eServiceId === 'hospital')!;
    expect(h).toMatchObject({ status: 'active', purpose: 'renewal', previousChr: active.chr });
    expect(CvRequest.decode(h.request!).outer?.car).toBe(active.chr);
    f.setNow(new Date());
  });

  it('suspension takes an eService out of service; resumption brings it back', async () => {
    await changeEServiceStatus(f.ctx, actor, 'hospital', 'suspend', undefined, 'audit finding');
    expect((await loadSnapshot(f.ctx)).eServices.some((e) => e.id === 'hospital')).toBe(false);
    await changeEServiceStatus(f.ctx, actor, 'hospital', 'resume', undefined);
    expect((await loadSnapshot(f.ctx)).eServices.some((e) => e.id === 'hospital')).toBe(true);
  });

  it('every step is in the hash-chained audit log, which verifies', async () => {
    const v = await verifyAudit(f.ctx.db);
    expect(v.ok).toBe(true);
    expect(v.entries).toBeGreaterThan(10);
  });
});

describe.each(DATABASE_KINDS)("production: the request waits for the Ministry's DV (%s)", (kind) => {
  let f: RegistryFixture;
  beforeAll(async () => {
    f = await registryFixture(kind, { production: true });
  });
  afterAll(() => f?.close());

  it("approval leaves the application approved with a request; importing the DV's certificate activates it", async () => {
    const app = await createApplication(f.ctx, actor, {
      eServiceId: 'bank2',
      eService: profile('bank2'),
      form: FORM,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
    await submitApplication(f.ctx, actor, app.id);
    const { application, terminal } = await reviewAndApprove(f.ctx, app.id);
    expect(application.status).toBe('approved');
    expect(terminal.status).toBe('requested');
    const req = CvRequest.decode(terminal.request!);
    expect(req.car).toBe(f.ctx.pki.dv.chr);
    expect(req.verifyInner()).toBe(true);
    // The "Ministry" signs with the DV key (the test DV stands in for it), first with too many rights.
    const dvKey = (await import('../../src/crypto/keys.js')).loadPrivateKey(
      readFileSync(join(testPkiDir(), PKI_FILES.dvKey)),
    );
    const issue = (fields: Parameters<typeof chatFor>[0]) =>
      issueSubordinateCertificate(
        { cert: f.ctx.pki.dv, key: dvKey },
        {
          role: 'terminal',
          chr: req.chr,
          chat: chatFor(fields, []),
          effectiveDate: dateString(),
          validityDays: 30,
          curve: f.ctx.pki.curve,
          descriptionHash: req.descriptionHash!,
        },
        req.keyObject(),
      );
    await expect(
      importTerminalCertificate(f.ctx, actor, issue(['chineseName', 'photo']).raw),
    ).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('exactly'),
    });
    const t = await importTerminalCertificate(f.ctx, actor, issue(['chineseName']).raw);
    expect(t.status).toBe('active');
    const snap = await loadSnapshot(f.ctx);
    expect(snap.eServices.map((e) => e.id)).toEqual(['bank2']);
  });
});

describe.each(DATABASE_KINDS)('no half state (%s)', (kind) => {
  let f: RegistryFixture;
  beforeAll(async () => {
    f = await registryFixture(kind);
  });
  afterAll(() => f?.close());

  it('a failing certificate step leaves the application approved, with no key stored; recovery completes it', async () => {
    const app = await createApplication(f.ctx, actor, {
      eServiceId: 'museum',
      eService: profile('museum'),
      form: FORM,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
    await submitApplication(f.ctx, actor, app.id);
    // The DV key is of the wrong kind: issuing fails after the terminal key and request were made.
    const { generateKeyPairSync } = await import('node:crypto');
    const broken = { ...f.ctx, pki: { ...f.ctx.pki, dvKey: generateKeyPairSync('ed25519').privateKey } };
    const err = await reviewAndApprove(broken, app.id).catch((e) => e);
    expect(err).toMatchObject({
      code: 'certificate-failed',
      message: expect.stringContaining('is approved'),
    });
    expect(await getApplicationStatus(f, app.id)).toBe('approved');
    expect(await terminalsOf(f.ctx.db, 'museum')).toEqual([]);
    const [{ n }] = (await f.ctx.db.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM neid.sector_keys WHERE eservice_id = $1',
      ['museum'],
    )) as [{ n: string | number }];
    expect(Number(n)).toBe(1); // the sector key is kept for the retry (it is the eService's, not the attempt's)
    // The next start recovers what is left approved.
    const { recoverRegistry } = await import('../../src/registry/workflow/recovery.js');
    const r = await recoverRegistry(f.ctx, actor);
    expect(r.reordered).toEqual([app.id]);
    expect(await getApplicationStatus(f, app.id)).toBe('active');
    expect((await terminalsOf(f.ctx.db, 'museum')).map((t) => t.status)).toEqual(['active']);
  });
});

async function getApplicationStatus(f: RegistryFixture, id: string): Promise<string> {
  const { getApplication } = await import('../../src/registry/store/applications.js');
  return (await getApplication(f.ctx.db, id)).status;
}
