/**
 * A SOAP eID-Interface testbed: a real N_eID-Server with the SOAP listener,
 * and a test eService with its own HTTPS server that serves the TC Token
 * (from useID: Session, eCardServerAddress, PSK) and the RefreshAddress
 * (which calls getResult), as TR-03130-1 §3.1 describes. The eService's TLS
 * certificate is made first, so that the test PKI can put its origin and
 * certificate into the CertificateDescription (subjectURL, commCertificates).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPkcs8Pem, loadPrivateKey } from '../../../../src/crypto/keys.js';
import { EidInterfaceClient } from '../../../../src/interfaces/soap/client.js';
import type { GetResultOutcome, UseIdGranted } from '../../../../src/interfaces/soap/index.js';
import { type MountedSoap, mountSoap } from '../../../../src/interfaces/soap/mount.js';
import type { AttributeRequest, OperationId } from '../../../../src/interfaces/soap/operations.js';
import type { SoapResult } from '../../../../src/interfaces/soap/result-codes.js';
import { buildTcToken } from '../../../../src/paos/messages/tctoken.js';
import { PKI_FILES, soapClientFiles } from '../../../../src/pki/layout.js';
import { pemFromDer } from '../../../../src/pki/x509/pem.js';
import { issueClientCertificate, selfSignedTlsCertificate } from '../../../../src/pki/x509/tls.js';
import {
  freePort,
  type LogCapture,
  startTestServer,
  type TestServer,
  testRsaKey,
} from '../../../support/server.js';

export const ES = { main: 'soap-test', limited: 'soap-limited', ec: 'soap-ec' } as const;

export interface Plan {
  readonly request: Parameters<EidInterfaceClient['useId']>[0];
  granted?: UseIdGranted;
  useIdResult?: SoapResult;
  /** The TC Token served (a second fetch gets the same token: one useID per login). */
  tcToken?: string;
  counter: number;
  final?: { outcome?: GetResultOutcome; result: SoapResult };
}

export interface Testbed {
  readonly ts: TestServer;
  readonly soap: MountedSoap;
  /** The test eService's origin (TC Token, RefreshAddress). */
  readonly eServiceUrl: string;
  readonly dir: string;
  readonly client: (id?: string) => EidInterfaceClient;
  /** Material of a registered eService (PEM). */
  readonly material: (id?: string) => { key: KeyObject; keyPem: string; certPem: string };
  readonly serverSigningCert: string;
  readonly serverTlsCert: string;
  /** Registers a login: the TC Token URL the eID-Client is sent to. */
  prepare(request: Plan['request']): { tcTokenUrl: string; plan: Plan };
  close(): Promise<void>;
}

const MAIN_FIELDS = [
  'chineseName',
  'romanizedName',
  'nationalIdNumber',
  'dateOfBirth',
  'householdAddress',
  'householdArea',
  'renewalDueDate',
  'placeOfBirth',
  'sex',
  'photo',
];

function registry(esPort: number, esCertFile: string, ecSigningFile: string, o: TestbedOptions): string {
  const fields = o.mainFields ?? MAIN_FIELDS;
  const origin = `https://127.0.0.1:${esPort}`;
  return `eServices:
  - id: ${ES.main}
    displayName: { zh: SOAP 測試服務, en: SOAP test eService }
    purpose: { zh: 測試, en: Testing the eID-Interface }
    url: ${origin}/
    approvedFields: [${fields.join(', ')}]
    approvedFunctions: [ageVerification, placeVerification]
    terminal: { mnemonic: SOAPTEST, subjectUrl: "${origin}", commCertificates: ["${esCertFile}"] }
    maxOpenSessions: 200
    soap: {}
  - id: ${ES.limited}
    displayName: { zh: 限量服務, en: Limited eService }
    purpose: { zh: 測試, en: Testing the session cap }
    approvedFields: [${(o.limitedFields ?? ['chineseName']).join(', ')}]
    approvedFunctions: []
    terminal: { mnemonic: SOAPLIM }
    maxOpenSessions: 1
    soap: { requestCounter: increasing }
  - id: ${ES.ec}
    displayName: { zh: ECDSA 簽章服務, en: ECDSA-signing eService }
    purpose: { zh: 測試, en: Testing ECDSA WS-Security signatures }
    approvedFields: [chineseName]
    approvedFunctions: []
    terminal: { mnemonic: SOAPEC }
    soap: { signingCertificate: "${ecSigningFile}" }
`;
}

export interface TestbedOptions {
  /** What the main test eService is approved for (default: ten fields). */
  readonly mainFields?: readonly string[];
  /** What the limited test eService is approved for (default: chineseName). */
  readonly limitedFields?: readonly string[];
  readonly beforeStart?: (pkiDir: string) => void | Promise<void>;
  /** Server settings merged into the test server's configuration. */
  readonly config?: Record<string, unknown>;
  /** Collects the server's log lines. */
  readonly logs?: LogCapture;
}

export async function startTestbed(o: TestbedOptions = {}): Promise<Testbed> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-soap-'));
  const esPort = await freePort();
  const soapPort = await freePort();
  const esKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const esCert = pemFromDer(
    selfSignedTlsCertificate({ commonName: 'SOAP test eService', key: esKey, ips: ['127.0.0.1'], days: 2 }),
  );
  const esCertFile = join(dir, 'eservice-tls.pem');
  writeFileSync(esCertFile, esCert);
  // The ECDSA eService signs with a P-256 key (its TLS client certificate stays the RSA one).
  const ecSigningKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const ecSigningCert = pemFromDer(
    issueClientCertificate({
      subject: { CN: 'soap-ec (TEST signing)' },
      publicKey: ecSigningKey,
      issuerKey: ecSigningKey,
      days: 2,
    }),
  );
  const ecSigningFile = join(dir, 'eservice-ec-signing.pem');
  writeFileSync(ecSigningFile, ecSigningCert);
  const rp = join(dir, 'relying-parties.yaml');
  writeFileSync(rp, registry(esPort, esCertFile, ecSigningFile, o));
  let soap: MountedSoap | undefined;
  const ts = await startTestServer({
    relyingParties: rp,
    extra: { ...o.config, soap: { port: soapPort } },
    ...(o.beforeStart ? { beforeStart: o.beforeStart } : {}),
    ...(o.logs ? { logs: o.logs } : {}),
    mount: async (s) => {
      soap = await mountSoap(s);
    },
  });
  if (!soap) throw new Error('the SOAP interface did not start');
  const read = (rel: string) => readFileSync(join(ts.pkiDir, rel), 'utf8');
  const serverSigningCert = read(PKI_FILES.soapSigningCert);
  const serverTlsCert = read(PKI_FILES.tlsCert);
  const material = (id: string = ES.main) => {
    const f = soapClientFiles(id);
    const keyPem = read(f.key);
    return { key: loadPrivateKey(keyPem), keyPem, certPem: read(f.cert) };
  };
  const client = (id: string = ES.main) => {
    const m = material(id);
    const signing =
      id === ES.ec ? { key: ecSigningKey, certPem: ecSigningCert } : { key: m.key, certPem: m.certPem };
    return new EidInterfaceClient({
      url: soap!.url,
      tls: { key: m.keyPem, cert: m.certPem },
      serverTlsCert,
      signing,
      serverSigningCert,
    });
  };

  const eServiceUrl = `https://127.0.0.1:${esPort}`;
  const plans = new Map<string, Plan>();
  const es = client(ES.main);
  const server: Server = createServer(
    { key: exportPkcs8Pem(esKey), cert: esCert, minVersion: 'TLSv1.2' },
    (req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', eServiceUrl);
        const plan = plans.get(url.searchParams.get('t') ?? '');
        if (url.pathname === '/tctoken' && plan?.tcToken) {
          res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(plan.tcToken);
          return;
        }
        if (url.pathname === '/tctoken' && plan) {
          const r = await es.useId(plan.request);
          plan.useIdResult = r.result;
          if (!r.granted) {
            res.writeHead(500).end();
            return;
          }
          plan.granted = r.granted;
          plan.tcToken = buildTcToken({
            serverAddress: r.granted.eCardServerAddress,
            sessionIdentifier: r.granted.psk.id,
            refreshAddress: `${eServiceUrl}/refresh?t=${url.searchParams.get('t')}`,
            psk: r.granted.psk.key,
          });
          res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(plan.tcToken);
          return;
        }
        if (url.pathname === '/refresh' && plan?.granted) {
          // TR-03130-1 §3.1.2 step 5-7: the eService's RefreshAddress triggers getResult.
          const r = await es.getResult(plan.granted.sessionId, ++plan.counter);
          plan.final = r;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ result: r.result, fields: Object.keys(r.outcome?.fields ?? {}).sort() }));
          return;
        }
        res.writeHead(404).end();
      })().catch((e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(e.message);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(esPort, '127.0.0.1', () => resolve()));
  let n = 0;
  return {
    ts,
    soap,
    eServiceUrl,
    dir,
    client,
    material,
    serverSigningCert,
    serverTlsCert,
    prepare(request) {
      const t = `login${++n}`;
      const plan: Plan = { request, counter: 0 };
      plans.set(t, plan);
      return { tcTokenUrl: `${eServiceUrl}/tctoken?t=${t}`, plan };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await ts.close();
    },
  };
}

/** UseOperations shorthand: ops('REQUIRED', 'chineseName', …). */
export function ops(
  v: AttributeRequest,
  ...names: OperationId[]
): Partial<Record<OperationId, AttributeRequest>> {
  return Object.fromEntries(names.map((n) => [n, v]));
}

export { testRsaKey };
