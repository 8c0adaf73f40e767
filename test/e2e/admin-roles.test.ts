/**
 * Separation of duties, enforced by the server on every call (issue 11): the whole role × operation
 * matrix of the admin API, walked through HTTP with one service account per role. The expected
 * matrix is written out here, independently of src/registry/roles.ts, and must name every
 * operation of the OpenAPI document. "Allowed" means the permission check passed (the call may
 * still fail for its arguments: the ids below do not exist, so nothing changes); "denied" is 403
 * `forbidden`, and every refusal is in the audit log. An applicant is further held to its own
 * eServices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountAdminApi } from '../../src/interfaces/admin/mount.js';
import type { Role } from '../../src/registry/roles.js';
import { type AdminClient, adminClient, decidersOf, https } from '../support/admin.js';
import { FORM } from '../support/registry.js';
import { startTestServer, type TestServer } from '../support/server.js';

const A: Role = 'applicant';
const R: Role = 'reviewer';
const P: Role = 'approver';
const S: Role = 'security-officer';
const U: Role = 'auditor';
const EVERYONE = [A, R, P, S, U];
const READERS = [A, R, P, S];

/** operationId → the roles that may call it. */
const MATRIX: Record<string, readonly Role[]> = {
  getOverview: EVERYONE,
  listEServices: READERS,
  getEService: READERS,
  patchEService: [S],
  suspendEService: [S],
  resumeEService: [S],
  revokeEService: [S],
  getRegistryStatus: [R, P, S],
  createApplication: [A],
  listApplications: READERS,
  getApplication: READERS,
  patchApplication: [A],
  submitApplication: [A],
  getCanonicalApplication: READERS,
  recordPaperReceived: [R],
  promoteEService: [R],
  reviewApplication: [R],
  requestChanges: [R],
  approveApplication: [P],
  rejectApplication: [P],
  retryTerminal: [S],
  listTerminals: READERS,
  renewTerminal: [S],
  getTerminal: READERS,
  getTerminalRequest: [S],
  importTerminalCertificate: [S],
  withdrawTerminalRequest: [S],
  getSAML: READERS,
  putSAML: [A, S],
  refreshSAML: [S],
  deleteSAML: [A, S],
  getOIDC: READERS,
  putOIDC: [A, S],
  deleteOIDC: [A, S],
  getSOAP: READERS,
  putSOAP: [A, S],
  addSOAPCertificate: [A, S],
  removeSOAPCertificate: [A, S],
  deleteSOAP: [A, S],
  listAccounts: [S],
  createAccount: [S],
  getAccount: [S],
  patchAccount: [S],
  reinvitePerson: [S],
  addCredential: [S],
  revokeCredential: [S],
  listAlerts: [S],
  acknowledgeAlert: [S],
  releaseLock: [S],
  listAudit: [U, S],
  verifyAudit: [U, S],
  exportAudit: [U, S],
};

const NONE_APP = '00000000-0000-0000-0000-000000000000';
const OWN = 'matrix-clinic';
const M = { 'if-match': '"v1"' };

interface Ids {
  eService: string;
  application: string;
  chr: string;
}

/** The call of each operation: for an applicant with its own ids, for everyone else with ids that do not exist. */
const CALLS: Record<string, (i: Ids) => [string, string, unknown?, Record<string, string>?]> = {
  getOverview: () => ['GET', '/overview'],
  listEServices: () => ['GET', '/eservices'],
  getEService: (i) => ['GET', `/eservices/${i.eService}`],
  patchEService: (i) => ['PATCH', `/eservices/${i.eService}`, {}, M],
  suspendEService: (i) => ['POST', `/eservices/${i.eService}/suspend`, {}, M],
  resumeEService: (i) => ['POST', `/eservices/${i.eService}/resume`, {}, M],
  revokeEService: (i) => ['POST', `/eservices/${i.eService}/revoke`, {}, M],
  getRegistryStatus: () => ['GET', '/status'],
  createApplication: () => ['POST', '/applications', {}],
  listApplications: () => ['GET', '/applications'],
  getApplication: (i) => ['GET', `/applications/${i.application}`],
  patchApplication: (i) => ['PATCH', `/applications/${i.application}`, {}, { 'if-match': '"v999"' }],
  submitApplication: (i) => [
    'POST',
    `/applications/${i.application}/submit`,
    undefined,
    { 'if-match': '"v999"' },
  ],
  getCanonicalApplication: (i) => ['GET', `/applications/${i.application}/canonical`],
  recordPaperReceived: (i) => [
    'POST',
    `/applications/${i.application}/paper-received`,
    {},
    { 'if-match': '"v999"' },
  ],
  promoteEService: (i) => ['POST', `/eservices/${i.eService}/promote`],
  reviewApplication: (i) => ['POST', `/applications/${i.application}/review`, {}, { 'if-match': '"v999"' }],
  requestChanges: (i) => ['POST', `/applications/${i.application}/request-changes`, {}, M],
  approveApplication: (i) => ['POST', `/applications/${i.application}/approve`, {}, { 'if-match': '"v999"' }],
  rejectApplication: (i) => ['POST', `/applications/${i.application}/reject`, {}, M],
  retryTerminal: () => ['POST', `/applications/${NONE_APP}/terminal`],
  listTerminals: (i) => ['GET', `/eservices/${i.eService}/terminals`],
  renewTerminal: () => ['POST', '/eservices/matrix-none/terminals/renew'],
  getTerminal: (i) => ['GET', `/terminals/${i.chr}`],
  getTerminalRequest: () => ['GET', '/terminals/TWNONE00001/request'],
  importTerminalCertificate: () => ['POST', '/terminals/certificates', {}],
  withdrawTerminalRequest: () => ['POST', '/terminals/TWNONE00001/withdraw'],
  getSAML: (i) => ['GET', `/eservices/${i.eService}/saml`],
  putSAML: (i) => ['PUT', `/eservices/${i.eService}/saml`, {}],
  refreshSAML: () => ['POST', '/saml/refresh'],
  deleteSAML: (i) => ['DELETE', `/eservices/${i.eService}/saml`],
  getOIDC: (i) => ['GET', `/eservices/${i.eService}/oidc`],
  putOIDC: (i) => ['PUT', `/eservices/${i.eService}/oidc`, { client: {} }],
  deleteOIDC: (i) => ['DELETE', `/eservices/${i.eService}/oidc`],
  getSOAP: (i) => ['GET', `/eservices/${i.eService}/soap`],
  putSOAP: (i) => ['PUT', `/eservices/${i.eService}/soap`, {}],
  addSOAPCertificate: (i) => ['POST', `/eservices/${i.eService}/soap/certificates`, {}],
  removeSOAPCertificate: (i) => ['DELETE', `/eservices/${i.eService}/soap/certificates/bogus/00`],
  deleteSOAP: (i) => ['DELETE', `/eservices/${i.eService}/soap`],
  listAccounts: () => ['GET', '/accounts'],
  createAccount: () => ['POST', '/accounts', {}],
  getAccount: () => ['GET', '/accounts/acct-none'],
  patchAccount: () => ['PATCH', '/accounts/acct-none', {}, M],
  reinvitePerson: () => ['POST', '/accounts/acct-none/invitation'],
  addCredential: () => ['POST', '/accounts/acct-none/credentials', {}],
  revokeCredential: () => ['DELETE', '/accounts/acct-none/credentials/key-none'],
  listAlerts: () => ['GET', '/alerts'],
  acknowledgeAlert: () => ['POST', '/alerts/999999/acknowledge'],
  releaseLock: () => ['POST', '/locks/release', {}],
  listAudit: () => ['GET', '/audit'],
  verifyAudit: () => ['GET', '/audit/verify'],
  exportAudit: () => ['GET', '/audit/export'],
};

let ts: TestServer;
const clients = new Map<Role, AdminClient>();
let own: Ids;
const NONE: Ids = { eService: 'matrix-none', application: NONE_APP, chr: 'TWNONE00001' };

beforeAll(async () => {
  ts = await startTestServer({ mount: (s) => void mountAdminApi(s) });
  await adminClient(ts.server); // the bootstrap account
  for (const r of EVERYONE) clients.set(r, await adminClient(ts.server, { roles: [r], force: true }));
  // The applicant's own eService, approved by the Ministry's two people, and a new draft of it.
  const applicant = clients.get(A)!;
  const app = await applicant.call('POST', '/applications', {
    eServiceId: OWN,
    eService: {
      id: OWN,
      displayName: { zh: '矩陣診所', en: 'Matrix clinic' },
      purpose: { zh: '測試', en: 'test' },
    },
    form: FORM,
    requestedFields: ['chineseName'],
    requestedFunctions: [],
  });
  expect(app.status, app.text).toBe(201);
  const sub = await applicant.call('POST', `/applications/${app.json.id}/submit`, undefined, {
    'if-match': '"v1"',
  });
  const { reviewer, approver } = await decidersOf(ts.server);
  const rev = await reviewer.call(
    'POST',
    `/applications/${app.json.id}/review`,
    {},
    { 'if-match': sub.headers.etag as string },
  );
  const ok = await approver.call(
    'POST',
    `/applications/${app.json.id}/approve`,
    {},
    { 'if-match': rev.headers.etag as string },
  );
  expect(ok.status, ok.text).toBe(200);
  const draft = await applicant.call('POST', '/applications', {
    eServiceId: OWN,
    form: FORM,
    requestedFields: ['chineseName', 'dateOfBirth'],
    requestedFunctions: [],
  });
  expect(draft.status, draft.text).toBe(201);
  own = { eService: OWN, application: draft.json.id, chr: ok.json.terminal.chr };
}, 180_000);
afterAll(async () => ts?.close());

describe('the role × operation matrix of the admin API', () => {
  it('names every operation of the OpenAPI document', async () => {
    const doc = await https(ts.server, 'GET', `${clients.get(S)!.base}/openapi.json`);
    const ops = Object.values(doc.json.paths as Record<string, Record<string, { operationId?: string }>>)
      .flatMap((p) => Object.values(p).map((o) => o.operationId))
      .filter((o): o is string => !!o && o !== 'token' && o !== 'openapi');
    expect(ops.sort()).toEqual(Object.keys(MATRIX).sort());
    expect(Object.keys(CALLS).sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const role of EVERYONE)
    it(`${role}: allowed exactly where the matrix says, 403 everywhere else`, async () => {
      const c = clients.get(role)!;
      const wrong: string[] = [];
      for (const [op, allowed] of Object.entries(MATRIX)) {
        const [method, path, body, headers] = CALLS[op]!(role === A ? own : NONE);
        const r = await c.call(method, path, body, headers);
        const denied = r.status === 403;
        if (denied !== !allowed.includes(role)) wrong.push(`${op}: ${r.status} ${r.text.slice(0, 160)}`);
        if (denied) expect(r.json.type, op).toBe('urn:tw:neid:admin:problem:forbidden');
      }
      expect(wrong).toEqual([]);
    });

  it('an applicant sees and changes its own eServices only', async () => {
    const applicant = clients.get(A)!;
    const list = await applicant.call('GET', '/eservices');
    expect(list.json.items.map((e: { id: string }) => e.id)).toEqual([OWN]);
    const apps = await applicant.call('GET', '/applications');
    expect(new Set(apps.json.items.map((a: { eServiceId: string }) => a.eServiceId))).toEqual(new Set([OWN]));
    for (const [method, path, body] of [
      ['GET', '/eservices/demo-bank'],
      ['GET', '/eservices/demo-bank/terminals'],
      ['PUT', '/eservices/demo-bank/oidc', { client: {} }],
      ['DELETE', '/eservices/demo-bank/saml'],
    ] as const) {
      const r = await applicant.call(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
    }
    const amend = await applicant.call('POST', '/applications', {
      eServiceId: 'demo-bank',
      form: FORM,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
    expect(amend.status).toBe(403);
  });

  it('every refusal is audited', async () => {
    await ts.server.registryRuntime.trail.flush();
    const audit = await clients.get(U)!.call('GET', '/audit?action=admin.denied&limit=200');
    const ops = new Set(audit.json.items.map((e: { details: { operation: string } }) => e.details.operation));
    for (const [op, allowed] of Object.entries(MATRIX))
      if (allowed.length < EVERYONE.length) expect(ops, op).toContain(op);
    expect(audit.json.items.every((e: { outcome: string }) => e.outcome === 'denied')).toBe(true);
  });
});
