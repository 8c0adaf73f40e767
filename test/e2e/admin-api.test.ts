/**
 * The admin API through the running server: its OpenAPI 3.1 document, private_key_jwt service
 * accounts, the Secure API workflow over HTTP (schema-validated bodies, RFC 9457 problems naming
 * the field, ETag/If-Match, paging), roles, front-end registration, and the audit trail of it all.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountAdminApi } from '../../src/interfaces/admin/mount.js';
import { pemFromDer } from '../../src/pki/x509/pem.js';
import { issueClientCertificate } from '../../src/pki/x509/tls.js';
import { type AdminClient, adminClient, assertion, decidersOf, https, tokenFor } from '../support/admin.js';
import { FORM } from '../support/registry.js';
import { startTestServer, type TestServer } from '../support/server.js';

let ts: TestServer;
let admin: AdminClient;
beforeAll(async () => {
  ts = await startTestServer({ mount: (s) => void mountAdminApi(s) });
  admin = await adminClient(ts.server);
}, 120_000);
afterAll(async () => ts?.close());

const NEW = {
  eServiceId: 'tax-office',
  eService: {
    id: 'tax-office',
    displayName: { zh: '示範稅務局', en: 'Demo tax office' },
    purpose: { zh: '報稅身分核驗', en: 'Identity check for tax filing' },
  },
  form: FORM,
  requestedFields: ['chineseName', 'nationalIdNumber'],
  requestedFunctions: [],
};

describe('admin API', () => {
  it('serves its OpenAPI 3.1 document without authentication', async () => {
    const r = await https(ts.server, 'GET', `${admin.base}/openapi.json`);
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    expect(r.json.paths['/applications'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ApplicationCreate',
    });
    expect(r.json.paths['/applications/{id}/approve'].post['x-permission']).toBe('application:decide');
    expect(Object.keys(r.json.paths).length).toBeGreaterThan(20);
  });

  it('refuses calls without a valid token (401 problem) and assertions that are replayed or wrongly addressed', async () => {
    const none = await https(ts.server, 'GET', `${admin.base}/eservices`);
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.json).toMatchObject({ status: 401, type: 'urn:tw:neid:admin:problem:unauthorized' });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await tokenFor(
      ts.server,
      assertion(
        privateKey.export({ format: 'jwk' }) as never,
        admin.account,
        'key-unknown',
        `${admin.base}/token`,
      ),
    );
    expect(forged.status).toBe(401);
    expect(forged.json.type).toBe('urn:tw:neid:admin:problem:invalid-client');
  });

  it('validates bodies against the schema, naming the field (RFC 9457)', async () => {
    const r = await admin.call('POST', '/applications', { ...NEW, form: { ...FORM, taxId: '12AB' } });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ type: 'urn:tw:neid:admin:problem:invalid-body', pointer: '/form/taxId' });
    const missing = await admin.call('POST', '/applications', { ...NEW, requestedFields: ['photo', 'nope'] });
    expect(missing.status).toBe(422);
    expect(missing.json.errors.map((e: { pointer: string }) => e.pointer)).toContain('/requestedFields/1');
    const extra = await admin.call('POST', '/applications', { ...NEW, bogus: 1 });
    expect(extra.json.pointer).toBe('/bogus');
  });

  it('runs an application through draft → submitted → reviewed → approved → active with ETag / If-Match', async () => {
    const created = await admin.call('POST', '/applications', NEW);
    expect(created.status, created.text).toBe(201);
    expect(created.headers.etag).toBe('"v1"');
    const id = created.json.id;
    const noMatch = await admin.call('POST', `/applications/${id}/submit`);
    expect(noMatch.status).toBe(428);
    const stale = await admin.call('POST', `/applications/${id}/submit`, undefined, { 'if-match': '"v9"' });
    expect(stale.status).toBe(412);
    const sub = await admin.call('POST', `/applications/${id}/submit`, undefined, { 'if-match': '"v1"' });
    expect(sub.status, sub.text).toBe(200);
    const { reviewer, approver } = await decidersOf(ts.server);
    const early = await approver.call(
      'POST',
      `/applications/${id}/approve`,
      {},
      { 'if-match': sub.headers.etag as string },
    );
    expect(early.status, 'an approval needs a review first').toBe(409);
    // Four eyes: who drafted it may not review it.
    const own = await admin.call(
      'POST',
      `/applications/${id}/review`,
      {},
      { 'if-match': sub.headers.etag as string },
    );
    expect(own.status).toBe(403);
    const rev = await reviewer.call(
      'POST',
      `/applications/${id}/review`,
      { note: '表8 complete' },
      {
        'if-match': sub.headers.etag as string,
      },
    );
    expect(rev.status, rev.text).toBe(200);
    expect(rev.json.history.map((h: { step: string }) => h.step)).toEqual(['create', 'submit', 'review']);
    const ok = await approver.call(
      'POST',
      `/applications/${id}/approve`,
      {},
      { 'if-match': rev.headers.etag as string },
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({
      status: 'active',
      terminal: { status: 'active', chr: 'TWTAXOFFICE00001' },
    });
    expect(ok.json.terminal.chat.fields).toEqual(
      ['nationalIdNumber', 'chineseName'].sort((a, b) => (a < b ? 1 : -1)).sort(),
    );
    await expect
      .poll(() => ts.server.registry.get('tax-office')?.approvedFields)
      .toEqual(['chineseName', 'nationalIdNumber']);
    const again = await approver.call(
      'POST',
      `/applications/${id}/approve`,
      {},
      { 'if-match': ok.headers.etag as string },
    );
    expect(again.status).toBe(409);
    expect(again.json.type).toBe('urn:tw:neid:admin:problem:wrong-state');
    const req = await admin.call('GET', `/terminals/TWTAXOFFICE00001/request`);
    expect(req.status).toBe(200);
    expect(req.headers['content-type']).toBe('application/octet-stream');
  });

  it('pages through eServices', async () => {
    const first = await admin.call('GET', '/eservices?limit=2');
    expect(first.json.items).toHaveLength(2);
    expect(first.json.next).toBeTruthy();
    const rest = await admin.call('GET', `/eservices?limit=200&cursor=${first.json.next}`);
    const ids = [...first.json.items, ...rest.json.items].map((e: { id: string }) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(
      expect.arrayContaining(['demo-bank', 'demo-portal', 'passport-office', 'tax-office']),
    );
    expect((await admin.call('GET', '/eservices?limit=0')).status).toBe(400);
  });

  it('a role without the permission gets 403, and the refusal is audited', async () => {
    const auditor = await adminClient(ts.server, { roles: ['auditor'] });
    const r = await auditor.call('POST', '/eservices/tax-office/suspend', {}, { 'if-match': '*' });
    expect(r.status).toBe(403);
    expect(r.json.detail).toMatch(/eservice:suspend/);
    expect((await auditor.call('GET', '/audit/verify')).json.ok).toBe(true);
  });

  it('registers several SOAP certificates and reports their validity', async () => {
    const cert = (days: number) => {
      const k = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      return pemFromDer(
        issueClientCertificate({ subject: { CN: `tax ${days}` }, publicKey: k, issuerKey: k, days }),
      );
    };
    for (const usage of ['tls-client', 'signing', 'signing'] as const) {
      const r = await admin.call('POST', '/eservices/tax-office/soap/certificates', {
        usage,
        certificate: cert(30),
      });
      expect(r.status, r.text).toBe(201);
    }
    const bad = await admin.call('POST', '/eservices/tax-office/soap/certificates', {
      usage: 'signing',
      certificate: 'x',
    });
    expect(bad).toMatchObject({ status: 422, json: { pointer: '/certificate' } });
    const soap = await admin.call('GET', '/eservices/tax-office/soap');
    expect(soap.json.certificates.filter((c: { valid: boolean }) => c.valid)).toHaveLength(3);
    await expect.poll(() => ts.server.registry.get('tax-office')?.soap?.certificates?.length).toBe(3);
  });

  it('suspension takes the eService out of the live registry; the audit log records who did what', async () => {
    const es = await admin.call('GET', '/eservices/tax-office');
    const r = await admin.call(
      'POST',
      '/eservices/tax-office/suspend',
      { reason: 'test' },
      { 'if-match': es.headers.etag as string },
    );
    expect(r.status, r.text).toBe(200);
    await expect.poll(() => ts.server.registry.get('tax-office')).toBeUndefined();
    await ts.server.registryRuntime.trail.flush();
    const audit = await admin.call('GET', '/audit?limit=200');
    const auth = audit.json.items.filter((e: { action: string }) => e.action === 'admin.auth');
    expect(auth.map((e: { outcome: string }) => e.outcome)).toEqual(expect.arrayContaining(['ok', 'denied']));
    const actions = audit.json.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'application.create',
        'application.approve',
        'terminal.activate',
        'eservice.suspend',
      ]),
    );
    const suspend = audit.json.items.find((e: { action: string }) => e.action === 'eservice.suspend');
    expect(suspend).toMatchObject({
      actor: `service:${admin.account}`,
      details: { before: { status: 'active' }, after: { status: 'suspended' } },
    });
  });
});
