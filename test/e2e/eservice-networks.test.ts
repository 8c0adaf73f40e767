/**
 * Issue 18, the reviewer's half of 表8 enforced: the network addresses the
 * reviewer registers for an eService (CIDR) are where its SOAP calls and its
 * own admin-API calls are accepted from. Through the running server: an
 * assessment (提供, dates, both sides' networks) carried into the eService at
 * activation; a 無法提供 assessment blocks approval; a SOAP call and an
 * applicant account's admin-API call from 127.0.0.1, outside the registered
 * block, refused with a log line naming the eService; allowed once the block
 * holds the address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountAdminApi } from '../../src/interfaces/admin/mount.js';
import { callerAddress, networkAllows, parseCidr, prefixOfMask } from '../../src/registry/networks.js';
import { cliPrincipal } from '../../src/registry/roles.js';
import { patchEService } from '../../src/registry/workflow/eservices.js';
import { ES, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { type AdminClient, adminClient, decidersOf } from '../support/admin.js';
import { FORM } from '../support/registry.js';
import { LogCapture, startTestServer, type TestServer } from '../support/server.js';

describe('network addresses (CIDR)', () => {
  it('parses blocks and masks, and checks addresses (IPv4-mapped too)', () => {
    expect(parseCidr('203.0.113.7', '/x')).toBe('203.0.113.7/32');
    expect(parseCidr('2001:DB8::/32', '/x')).toBe('2001:db8::/32');
    expect(() => parseCidr('203.0.113.0/33', '/x')).toThrow(/not an address or a CIDR block/);
    expect(prefixOfMask('255.255.255.0')).toBe(24);
    expect(prefixOfMask('255.0.255.0')).toBeUndefined();
    expect(networkAllows(['203.0.113.0/24'], '::ffff:203.0.113.9')).toBe(true);
    expect(networkAllows(['203.0.113.0/24'], '127.0.0.1')).toBe(false);
    expect(networkAllows([], '127.0.0.1')).toBe(true);
  });

  it('reads X-Forwarded-For only from a trusted proxy, right to left', () => {
    const proxies = ['10.0.0.0/8'];
    expect(callerAddress('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
    expect(callerAddress('10.0.0.2', '198.51.100.1, 203.0.113.5, 10.0.0.3', proxies)).toBe('203.0.113.5');
    expect(callerAddress('10.0.0.2', 'junk', proxies)).toBe('junk');
    expect(networkAllows(['203.0.113.0/24'], 'junk')).toBe(false);
    expect(callerAddress('10.0.0.2', undefined, proxies)).toBe('10.0.0.2');
    expect(callerAddress('10.0.0.2', '198.51.100.1', [])).toBe('10.0.0.2');
  });
});

describe('SOAP calls only from the eService’s registered addresses', () => {
  let tb: Testbed;
  const logs = new LogCapture();
  beforeAll(async () => {
    tb = await startTestbed({ logs });
  }, 120_000);
  afterAll(async () => tb?.close());

  const setNetworks = async (networks: string[]) => {
    await patchEService(tb.ts.server.registryRuntime.ctx, cliPrincipal(), ES.main, undefined, { networks });
    await tb.ts.server.registryRuntime.live.reload();
  };

  it('refuses a call from 127.0.0.1 while only 203.0.113.0/24 is registered, and logs the eService', async () => {
    await setNetworks(['203.0.113.0/24']);
    await expect(tb.client().getServerInfo()).rejects.toThrow(/HTTP 403/);
    expect(
      logs.find('SOAP call from an address the eService has not registered; refused').at(-1),
    ).toMatchObject({
      eService: ES.main,
      remote: expect.stringMatching(/127\.0\.0\.1$/),
      outcome: 'refused',
    });
    // An eService without registered addresses is not affected.
    expect((await tb.client(ES.limited).getServerInfo()).version.major).toBeGreaterThan(0);
  });

  it('accepts it once the registered block holds the address', async () => {
    await setNetworks(['203.0.113.0/24', '127.0.0.0/8']);
    expect((await tb.client().getServerInfo()).version.major).toBeGreaterThan(0);
  });
});

describe('the reviewer’s assessment (表8 受理機關審核資料) and the eService’s admin-API calls', () => {
  let ts: TestServer;
  let admin: AdminClient;
  const logs = new LogCapture();
  beforeAll(async () => {
    ts = await startTestServer({
      mount: (s) => void mountAdminApi(s),
      logs,
      // The test's own calls come from 127.0.0.1, which plays a reverse proxy here.
      extra: { admin: { trustedProxies: ['127.0.0.1'] } },
    });
    admin = await adminClient(ts.server);
  }, 120_000);
  afterAll(async () => ts?.close());

  const ASSESSMENT = {
    result: 'provide',
    plannedTestDate: '2031-01-15',
    plannedConnectionDate: '2031-02-01',
    applicantNetworks: ['203.0.113.0/24'],
    ministryNetworks: ['198.51.100.10/32'],
  };

  async function submitted(id: string) {
    const app = await admin.call('POST', '/applications', {
      eServiceId: id,
      eService: { id, displayName: { zh: id, en: id }, purpose: { zh: '測試', en: 'test' } },
      form: FORM,
      requestedFields: ['chineseName'],
      requestedFunctions: [],
    });
    expect(app.status, app.text).toBe(201);
    const sub = await admin.call('POST', `/applications/${app.json.id}/submit`, undefined, {
      'if-match': '"v1"',
    });
    expect(sub.status, sub.text).toBe(200);
    return { id: app.json.id as string, etag: sub.headers.etag as string };
  }

  it('refuses an assessment that names no reason for 無法提供, or a bad block', async () => {
    const a = await submitted('networks-bad');
    const { reviewer } = await decidersOf(ts.server);
    const noReason = await reviewer.call(
      'POST',
      `/applications/${a.id}/review`,
      { assessment: { result: 'cannot-provide' } },
      { 'if-match': a.etag },
    );
    expect(noReason.status).toBe(422);
    expect(noReason.json.pointer).toBe('/assessment/reasons');
    const badBlock = await reviewer.call(
      'POST',
      `/applications/${a.id}/review`,
      { assessment: { ...ASSESSMENT, applicantNetworks: ['203.0.113.0/40'] } },
      { 'if-match': a.etag },
    );
    expect(badBlock.status).toBe(422);
    expect(badBlock.json.pointer).toBe('/assessment/applicantNetworks/0');
    // 無法提供 (line/number mismatch) is recorded, and an approver cannot approve it.
    const cannot = await reviewer.call(
      'POST',
      `/applications/${a.id}/review`,
      { assessment: { result: 'cannot-provide', reasons: ['line-mismatch'] } },
      { 'if-match': a.etag },
    );
    expect(cannot.status, cannot.text).toBe(200);
    const { approver } = await decidersOf(ts.server);
    const approve = await approver.call(
      'POST',
      `/applications/${a.id}/approve`,
      {},
      { 'if-match': cannot.headers.etag as string },
    );
    expect(approve.status).toBe(409);
    expect(approve.json.detail).toContain('無法提供');
  });

  it('carries 提供 with the applicant’s networks into the eService; its applicant account is held to them', async () => {
    const a = await submitted('networks-ok');
    const { reviewer, approver } = await decidersOf(ts.server);
    const rev = await reviewer.call(
      'POST',
      `/applications/${a.id}/review`,
      { note: 'lines checked', assessment: ASSESSMENT },
      { 'if-match': a.etag },
    );
    expect(rev.status, rev.text).toBe(200);
    expect(rev.json.assessment).toMatchObject({ ...ASSESSMENT, reasons: [] });
    const ok = await approver.call(
      'POST',
      `/applications/${a.id}/approve`,
      {},
      { 'if-match': rev.headers.etag as string },
    );
    expect(ok.status, ok.text).toBe(200);
    const es = await admin.call('GET', '/eservices/networks-ok');
    expect(es.json).toMatchObject({ status: 'active', networks: ['203.0.113.0/24'] });

    const applicant = await adminClient(ts.server, { roles: ['applicant'], eServices: ['networks-ok'] });
    const refused = await applicant.call('GET', '/eservices/networks-ok');
    expect(refused.status).toBe(403);
    expect(refused.json.type).toBe('urn:tw:neid:admin:problem:address-not-registered');
    expect(refused.json.detail).toContain('networks-ok');
    expect(
      logs.find('admin API call from an address the eService has not registered; refused').at(-1),
    ).toMatchObject({ eService: 'networks-ok', outcome: 'refused' });

    // Behind the trusted proxy: the rightmost address it did not add is the caller's.
    const via = (xff: string) =>
      applicant.call('GET', '/eservices/networks-ok', undefined, { 'x-forwarded-for': xff });
    expect((await via('198.51.100.7, 203.0.113.5')).status).toBe(200);
    expect((await via('203.0.113.5, 198.51.100.7')).status).toBe(403);

    // The security officer adds the block the calls come from (PATCH networks): accepted.
    const patched = await admin.call(
      'PATCH',
      '/eservices/networks-ok',
      { networks: ['203.0.113.0/24', '127.0.0.1'] },
      { 'if-match': es.headers.etag as string },
    );
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.networks).toEqual(['203.0.113.0/24', '127.0.0.1/32']);
    expect((await applicant.call('GET', '/eservices/networks-ok')).status).toBe(200);
  });
});
