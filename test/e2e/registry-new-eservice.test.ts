/**
 * Issue 10 acceptance: a new eService applies through the admin API, is approved, registers its
 * SOAP certificates — and a card issued BEFORE all this logs in to it through the running server
 * (useID over mutual TLS, neid-client with the virtual card, getResult), with no restart and no
 * change to the CVCA, the DV or the card. The eService's certificates are checked for validity on
 * every request: an expired signing certificate is refused.
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
import { issueCertificate } from '../../src/pki/x509/certificate.js';
import { pemFromDer } from '../../src/pki/x509/pem.js';
import { issueClientCertificate, selfSignedTlsCertificate } from '../../src/pki/x509/tls.js';
import { markChanged } from '../../src/registry/context.js';
import { parseCertificatePem } from '../../src/registry/store/frontends.js';
import { type AdminClient, adminClient, submitAndApprove } from '../support/admin.js';
import { writeTestCard } from '../support/card.js';
import { runClient } from '../support/cli.js';
import { labelSets, sample, scrape } from '../support/metrics.js';
import { FORM } from '../support/registry.js';
import { freePort, startTestServer, type TestServer, testRsaKey } from '../support/server.js';

let ts: TestServer;
let soap: MountedSoap | undefined;
let admin: AdminClient;
let card: ReturnType<typeof writeTestCard>;
let cvcaBefore: Buffer;
let esServer: Server;
let esUrl: string;
const key = testRsaKey();
const clientCert = pemFromDer(
  issueClientCertificate({ subject: { CN: 'clinic (TEST)' }, publicKey: key, issuerKey: key, days: 30 }),
);

beforeAll(async () => {
  ts = await startTestServer({
    extra: { soap: { port: await freePort() } },
    mount: async (s) => {
      mountAdminApi(s);
      soap = await mountSoap(s);
    },
  });
  // The citizen's card exists before the new eService is even proposed.
  card = writeTestCard(ts.pkiDir);
  cvcaBefore = readFileSync(join(ts.pkiDir, PKI_FILES.cvcaCert));
  admin = await adminClient(ts.server);
  const esPort = await freePort();
  esUrl = `https://127.0.0.1:${esPort}`;
  const esKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const esCert = pemFromDer(
    selfSignedTlsCertificate({ commonName: 'clinic', key: esKey, ips: ['127.0.0.1'], days: 2 }),
  );
  esServer = createServer({ key: exportPkcs8Pem(esKey), cert: esCert, minVersion: 'TLSv1.2' });
  await new Promise<void>((r) => esServer.listen(esPort, '127.0.0.1', () => r()));
  // Apply, with the eService's own origin and TLS certificate for the CertificateDescription.
  const app = await admin.call('POST', '/applications', {
    eServiceId: 'clinic',
    eService: {
      id: 'clinic',
      displayName: { zh: '示範診所', en: 'Demo clinic' },
      purpose: { zh: '病患身分核驗', en: 'Patient identification' },
      url: `${esUrl}/`,
      terminalSubjectUrl: esUrl,
    },
    form: FORM,
    requestedFields: ['chineseName', 'dateOfBirth', 'photo'],
    requestedFunctions: ['ageVerification'],
  });
  expect(app.status, app.text).toBe(201);
  const es = await admin.call('GET', '/eservices/clinic');
  expect(es.json.status).toBe('pending');
  const patched = await admin.call(
    'PATCH',
    '/eservices/clinic',
    { commCertificates: [esCert] },
    { 'if-match': es.headers.etag as string },
  );
  expect(patched.status, patched.text).toBe(200);
  const ok = await submitAndApprove(admin, app.json.id);
  expect(ok.json.status, ok.text).toBe('active');
  for (const usage of ['tls-client', 'signing'] as const) {
    const r = await admin.call('POST', '/eservices/clinic/soap/certificates', {
      usage,
      certificate: clientCert,
    });
    expect(r.status, r.text).toBe(201);
  }
  await until(() => ts.server.registry.get('clinic')?.soap?.certificates?.length === 2);
}, 180_000);

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ok()).toBe(true);
}

afterAll(async () => {
  esServer?.closeAllConnections();
  await new Promise<void>((r) => (esServer ? esServer.close(() => r()) : r()));
  await ts?.close();
});

function eService(signing = { key, certPem: clientCert }) {
  return new EidInterfaceClient({
    url: soap!.url,
    tls: { key: exportPkcs8Pem(key), cert: clientCert },
    serverTlsCert: ts.server.pki.tls.cert,
    signing,
    serverSigningCert: readFileSync(join(ts.pkiDir, PKI_FILES.soapSigningCert), 'utf8'),
  });
}

/** useID → neid-client (a separate process) with the pre-existing card → getResult. */
async function login(): Promise<{ chineseName?: string; photo?: Buffer }> {
  const client = eService();
  const useId = await client.useId({
    operations: { chineseName: 'REQUIRED', dateOfBirth: 'REQUIRED', photo: 'ALLOWED' },
  });
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
    card.file,
    '--pin',
    '123456',
  ]);
  expect(JSON.parse(run.stdout).ok, run.stdout + run.stderr).toBe(true);
  const r = await client.getResult(g.sessionId, 1);
  expect(r.result).toEqual({ major: RESULT_MAJOR.ok });
  return r.outcome!.fields as { chineseName?: string; photo?: Buffer };
}

describe('a new eService approved through the admin API', () => {
  it('logs a citizen in with a card made before the approval (useID → neid-client → getResult), no restart', async () => {
    const fields = await login();
    expect(fields.chineseName).toBe(card.json.fields.chineseName);
    expect(fields.photo?.subarray(0, 3).toString('hex')).toBe('ffd8ff');
    // Nothing above the terminal certificate changed.
    expect(readFileSync(join(ts.pkiDir, PKI_FILES.cvcaCert))).toEqual(cvcaBefore);
    await ts.server.registryRuntime.trail.flush();
    const trail = await admin.call('GET', '/audit?limit=200');
    expect(
      trail.json.items.some(
        (e: { action: string; actor: string }) => e.action === 'soap.useID' && e.actor === 'eservice:clinic',
      ),
    ).toBe(true);
  });

  it('its terminal and SOAP certificates are watched at once: /metrics and the dashboard, no restart', async () => {
    const text = await scrape(ts.server.metricsUrl!);
    const watched = labelSets(text, 'neid_certificate_expiry_seconds').map((l) => `${l.kind}:${l.name}`);
    // The same certificate is both client and signing certificate: it is listed once.
    expect(watched).toEqual(expect.arrayContaining(['terminal:clinic', 'soap-client:clinic']));
    expect(watched).not.toContain('soap-signing:clinic');
    const days =
      sample(text, 'neid_certificate_expiry_seconds', { kind: 'soap-client', name: 'clinic' })! / 86_400;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    const overview = await admin.call('GET', '/overview');
    expect(overview.status, overview.text).toBe(200);
    expect(JSON.stringify(overview.json)).toContain('clinic');
  });

  it('a registered WS-Security signing certificate is accepted only within its validity, on every request', async () => {
    // A second signing key whose registered certificate has expired (as time would have it).
    const old = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const now = Date.now();
    const expiredCert = pemFromDer(
      issueCertificate({
        subject: { CN: 'clinic signing (expired)' },
        issuer: { CN: 'clinic signing (expired)' },
        notBefore: new Date(now - 30 * 86_400_000),
        notAfter: new Date(now - 86_400_000),
        subjectPublicKey: old,
        issuerKey: old,
        keyUsage: ['digitalSignature'],
      }),
    );
    const { fingerprint, cert } = parseCertificatePem(expiredCert, '/certificate');
    const db = ts.server.registryRuntime.ctx.db;
    await db.tx(async (q) => {
      await q.query(
        `INSERT INTO neid.soap_certificates (eservice_id, usage, fingerprint, pem, subject, not_before, not_after)
         VALUES ('clinic', 'signing', $1, $2, 'expired', $3, $4)`,
        [fingerprint, expiredCert, new Date(cert.validFrom), new Date(cert.validTo)],
      );
      await markChanged(q);
    });
    await until(() => ts.server.registry.get('clinic')?.soap?.certificates?.length === 3);
    const refused = await eService({ key: old, certPem: expiredCert }).useId({
      operations: { chineseName: 'REQUIRED' },
    });
    expect(refused.result.minor).toMatch(/internalError/);
    // The valid one still works, and the admin API reports the expired one as not valid.
    const fine = await eService().useId({ operations: { chineseName: 'REQUIRED' } });
    expect(fine.result.major).toBe(RESULT_MAJOR.ok);
    const soap = await admin.call('GET', '/eservices/clinic/soap');
    expect(
      soap.json.certificates.find((c: { fingerprint: string }) => c.fingerprint === fingerprint).valid,
    ).toBe(false);
  });

  it('after a renewal (new key, request signed by the old one too) the same card still logs in', async () => {
    const before = ts.server.pki.terminals.get('clinic')!.cert.chr;
    const r = await admin.call('POST', '/eservices/clinic/terminals/renew');
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({
      status: 'active',
      purpose: 'renewal',
      previousChr: before,
      request: { outerSignature: true },
    });
    await until(() => ts.server.pki.terminals.get('clinic')?.cert.chr === r.json.chr);
    const fields = await login();
    expect(fields.chineseName).toBe(card.json.fields.chineseName);
    expect(readFileSync(join(ts.pkiDir, PKI_FILES.cvcaCert))).toEqual(cvcaBefore);
  });
});
