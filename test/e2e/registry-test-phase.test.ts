/**
 * Issue 18, the test phase (seed 004 第陸章 壹.一: "the applicant first develops and tests; only after
 * verification may it go to the production environment"), through the running server with
 * `registry.testPhase` on: approval issues a terminal certificate of the TEST environment's DV; a
 * test card (`neid card create --test-card`) logs in over SOAP (useID → neid-client → getResult), a
 * citizen's production card is refused; the test logins are counted on the eService; a reviewer
 * promotes it — a certificate of the production DV, the test one superseded — and then the
 * production card logs in and the test card is refused. Finally the production eService's SOAP
 * call from an address it has not registered is refused.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPkcs8Pem } from '../../src/crypto/keys.js';
import { mountAdminApi } from '../../src/interfaces/admin/mount.js';
import { EidInterfaceClient } from '../../src/interfaces/soap/client.js';
import { type MountedSoap, mountSoap } from '../../src/interfaces/soap/mount.js';
import { RESULT_MAJOR } from '../../src/interfaces/soap/result-codes.js';
import { buildTcToken } from '../../src/paos/messages/tctoken.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import { pemFromDer } from '../../src/pki/x509/pem.js';
import { issueClientCertificate, selfSignedTlsCertificate } from '../../src/pki/x509/tls.js';
import { type AdminClient, adminClient, decidersOf, submitAndApprove } from '../support/admin.js';
import { writeTestCard } from '../support/card.js';
import { runClient } from '../support/cli.js';
import { FORM } from '../support/registry.js';
import { freePort, LogCapture, startTestServer, type TestServer, testRsaKey } from '../support/server.js';

let ts: TestServer;
let soap: MountedSoap | undefined;
let admin: AdminClient;
let esServer: Server;
let esUrl: string;
const logs = new LogCapture();
const key = testRsaKey();
const clientCert = pemFromDer(
  issueClientCertificate({ subject: { CN: 'lab (TEST)' }, publicKey: key, issuerKey: key, days: 30 }),
);
let citizenCard: ReturnType<typeof writeTestCard>;
let testCard: ReturnType<typeof writeTestCard>;

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ok()).toBe(true);
}

beforeAll(async () => {
  ts = await startTestServer({
    extra: { soap: { port: await freePort() }, registry: { testPhase: true } },
    logs,
    mount: async (s) => {
      mountAdminApi(s);
      soap = await mountSoap(s);
    },
  });
  citizenCard = writeTestCard(ts.pkiDir);
  testCard = writeTestCard(ts.pkiDir, { testCard: true });
  admin = await adminClient(ts.server);
  const esPort = await freePort();
  esUrl = `https://127.0.0.1:${esPort}`;
  const esKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const esCert = pemFromDer(
    selfSignedTlsCertificate({ commonName: 'lab', key: esKey, ips: ['127.0.0.1'], days: 2 }),
  );
  esServer = createServer({ key: exportPkcs8Pem(esKey), cert: esCert, minVersion: 'TLSv1.2' });
  await new Promise<void>((r) => esServer.listen(esPort, '127.0.0.1', () => r()));
  const app = await admin.call('POST', '/applications', {
    eServiceId: 'lab',
    eService: {
      id: 'lab',
      displayName: { zh: '示範檢驗所', en: 'Demo lab' },
      purpose: { zh: '身分核驗', en: 'Identification' },
      url: `${esUrl}/`,
      terminalSubjectUrl: esUrl,
    },
    form: FORM,
    requestedFields: ['chineseName', 'dateOfBirth'],
    requestedFunctions: [],
  });
  expect(app.status, app.text).toBe(201);
  const es = await admin.call('GET', '/eservices/lab');
  await admin.call(
    'PATCH',
    '/eservices/lab',
    { commCertificates: [esCert] },
    { 'if-match': es.headers.etag as string },
  );
  const ok = await submitAndApprove(admin, app.json.id);
  expect(ok.json.status, ok.text).toBe('active');
  expect(ok.json.terminal).toMatchObject({ status: 'active', environment: 'test' });
  for (const usage of ['tls-client', 'signing'] as const) {
    const r = await admin.call('POST', '/eservices/lab/soap/certificates', {
      usage,
      certificate: clientCert,
    });
    expect(r.status, r.text).toBe(201);
  }
  await until(() => ts.server.registry.get('lab')?.soap?.certificates?.length === 2);
}, 180_000);

afterAll(async () => {
  esServer?.closeAllConnections();
  await new Promise<void>((r) => (esServer ? esServer.close(() => r()) : r()));
  await ts?.close();
});

function eService() {
  return new EidInterfaceClient({
    url: soap!.url,
    tls: { key: exportPkcs8Pem(key), cert: clientCert },
    serverTlsCert: ts.server.pki.tls.cert,
    signing: { key, certPem: clientCert },
    serverSigningCert: readFileSync(join(ts.pkiDir, PKI_FILES.soapSigningCert), 'utf8'),
  });
}

/** useID → neid-client (a separate process) with `card` → getResult; the client's verdict and the result. */
async function login(
  card: string,
): Promise<{ ok: boolean; major: string; fields?: Record<string, unknown> }> {
  const client = eService();
  const useId = await client.useId({ operations: { chineseName: 'REQUIRED', dateOfBirth: 'REQUIRED' } });
  expect(useId.result.major, JSON.stringify(useId.result)).toBe(RESULT_MAJOR.ok);
  const g = useId.granted!;
  const tcToken = buildTcToken({
    serverAddress: g.eCardServerAddress,
    sessionIdentifier: g.psk.id,
    refreshAddress: `${esUrl}/done`,
    psk: g.psk.key,
  });
  esServer.removeAllListeners('request');
  esServer.on('request', (req, res) => {
    if (req.url?.startsWith('/tctoken'))
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(tcToken);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('done');
  });
  const run = await runClient([
    'auth',
    '--tctoken-url',
    `${esUrl}/tctoken`,
    '--card',
    card,
    '--pin',
    '123456',
  ]);
  const r = await client.getResult(g.sessionId, 1);
  return {
    ok: JSON.parse(run.stdout).ok === true,
    major: r.result.major,
    ...(r.outcome ? { fields: r.outcome.fields as Record<string, unknown> } : {}),
  };
}

describe('the test phase of a new eService', () => {
  it('its certificate is the test DV’s: a test card logs in, a citizen’s card is refused', async () => {
    const term = ts.server.pki.terminals.get('lab')!;
    expect(term.cert.car).toBe('TWTENVDV00001');
    const test = await login(testCard.file);
    expect(test.ok).toBe(true);
    expect(test.fields?.chineseName).toBe(testCard.json.fields.chineseName);
    const citizen = await login(citizenCard.file);
    expect(citizen.ok).toBe(false);
    expect(citizen.major).toBe(RESULT_MAJOR.error);
  }, 120_000);

  it('counts the test logins on the eService; a promotion needs a fresh reviewer', async () => {
    await ts.server.registryRuntime.trail.flush();
    const es = await admin.call('GET', '/eservices/lab');
    expect(es.json).toMatchObject({
      phase: 'test',
      testPhase: { logins: { ok: 1, failed: 1 }, until: null },
    });
    // An approver may not promote (reviewers check the test logins).
    const { approver } = await decidersOf(ts.server);
    expect((await approver.call('POST', '/eservices/lab/promote')).status).toBe(403);
  });

  it('a reviewer promotes it: a production certificate, the test one superseded; the production card logs in, the test card not', async () => {
    const { reviewer } = await decidersOf(ts.server);
    const before = ts.server.pki.terminals.get('lab')!.cert.chr;
    const r = await reviewer.call('POST', '/eservices/lab/promote');
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ status: 'active', purpose: 'promotion', environment: 'production' });
    await until(() => ts.server.pki.terminals.get('lab')?.cert.chr === r.json.chr);
    expect(ts.server.pki.terminals.get('lab')!.cert.car).toBe('TWTESTDV00001');
    const terminals = await admin.call('GET', '/eservices/lab/terminals');
    expect(terminals.json.items.find((t: { chr: string }) => t.chr === before)).toMatchObject({
      status: 'superseded',
      environment: 'test',
    });
    const citizen = await login(citizenCard.file);
    expect(citizen.ok).toBe(true);
    expect(citizen.fields?.chineseName).toBe(citizenCard.json.fields.chineseName);
    expect((await login(testCard.file)).ok).toBe(false);
    const es = await admin.call('GET', '/eservices/lab');
    expect(es.json.phase).toBe('production');
    expect(es.json.testPhase.until).not.toBeNull();
    // Promoted once: again is refused.
    expect((await reviewer.call('POST', '/eservices/lab/promote')).status).toBe(409);
  }, 120_000);

  it('in production, a SOAP call from an address the eService has not registered is refused', async () => {
    const es = await admin.call('GET', '/eservices/lab');
    const patched = await admin.call(
      'PATCH',
      '/eservices/lab',
      { networks: ['203.0.113.0/24'] },
      { 'if-match': es.headers.etag as string },
    );
    expect(patched.status, patched.text).toBe(200);
    await until(() => (ts.server.registry.get('lab')?.networks ?? []).length === 1);
    await expect(eService().useId({ operations: { chineseName: 'REQUIRED' } })).rejects.toThrow(/HTTP 403/);
    expect(
      logs.find('SOAP call from an address the eService has not registered; refused').at(-1),
    ).toMatchObject({ eService: 'lab', outcome: 'refused' });
  });
});
