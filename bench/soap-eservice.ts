/**
 * The SOAP eService of the load benchmark (bench/load.ts). In the SOAP profile (TR-03130-1 §3.1)
 * the eService itself calls `useID` and serves the TC Token, from its own origin, over TLS with a
 * certificate its CertificateDescription names (subjectURL, commCertificates); the eID-Client
 * checks both. So every load client process is one eService of its own: `soapEServices` (in the
 * benchmark, before the test PKI is made) gives each a TLS key and certificate, a port and a
 * registry entry; `startSoapEService` (in the load client) runs its HTTPS server there and logs
 * citizens in. Its work — signing the requests, verifying the answers, its TLS server — is done
 * in the load client process, not in the N_eID-Server.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EacClient } from '../src/client/eac-client.js';
import { runOnlineAuthentication } from '../src/client/paos-client.js';
import { exportPkcs8Pem, loadPrivateKey } from '../src/crypto/keys.js';
import { EidInterfaceClient } from '../src/interfaces/soap/client.js';
import { SOAP_PATH } from '../src/interfaces/soap/namespaces.js';
import type { AttributeRequest, OperationId } from '../src/interfaces/soap/operations.js';
import { RESULT_MAJOR } from '../src/interfaces/soap/result-codes.js';
import { buildTcToken } from '../src/paos/messages/tctoken.js';
import { PKI_FILES, soapClientFiles } from '../src/pki/layout.js';
import { pemFromDer } from '../src/pki/x509/pem.js';
import { selfSignedTlsCertificate } from '../src/pki/x509/tls.js';
import { freePort } from '../test/support/server.js';

/** What a SOAP login asks for: what the demo portal's SAML AuthnRequest asks for. */
const OPERATIONS: Partial<Record<OperationId, AttributeRequest>> = {
  chineseName: 'REQUIRED',
  ageVerification: 'REQUIRED',
  romanizedName: 'ALLOWED',
  photo: 'ALLOWED',
};
const FIELDS = ['chineseName', 'romanizedName', 'photo'] as const;
const AGE = 18;

/** One load client's eService: registry id, the port of its HTTPS server, its TLS key and certificate. */
export interface SoapEServiceSetup {
  readonly id: string;
  readonly port: number;
  readonly keyPem: string;
  readonly certPem: string;
}

/** `n` SOAP eServices and their registry entries (YAML list items), for the benchmark's registry only. */
export async function soapEServices(
  n: number,
): Promise<{ eServices: SoapEServiceSetup[]; registry: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-bench-soap-'));
  const eServices: SoapEServiceSetup[] = [];
  let registry = '';
  for (let i = 0; i < n; i++) {
    const id = `bench-soap-${i}`;
    const port = await freePort();
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const certPem = pemFromDer(
      selfSignedTlsCertificate({
        commonName: `Load benchmark eService ${i}`,
        key,
        ips: ['127.0.0.1'],
        days: 2,
      }),
    );
    const certFile = join(dir, `${id}.pem`);
    writeFileSync(certFile, certPem);
    eServices.push({ id, port, keyPem: exportPkcs8Pem(key), certPem });
    registry += `  - id: ${id}
    displayName: { zh: 負載測試服務 ${i}, en: Load benchmark eService ${i} }
    purpose: { zh: 負載測試, en: Load benchmark }
    approvedFields: [${FIELDS.join(', ')}]
    approvedFunctions: [ageVerification]
    terminal: { mnemonic: BENCH${i}, subjectUrl: "https://127.0.0.1:${port}", commCertificates: ["${certFile}"] }
    maxOpenSessions: 1000
    soap: {}
`;
  }
  return { eServices, registry };
}

/** A login in progress, by the token in its TC Token URL. */
interface Plan {
  tcToken?: string;
  sessionId?: string;
  /** What the eService answered other than 200 (the eID-Client only reports the HTTP status). */
  error?: string;
}

export interface SoapEService {
  /** One complete login of the citizen whose eID-Client is `eac`; throws what went wrong. */
  login(eac: EacClient): Promise<void>;
}

/**
 * The eService's HTTPS server: GET /tctoken?t= calls useID and answers the TC Token (Session,
 * the eID-Server's address, the PSK); GET /refresh?t=, where the eID-Client sends the citizen's
 * browser afterwards, calls getResult and answers 200 only when ResultMajor is ok and every
 * requested attribute is there.
 */
export async function startSoapEService(o: {
  readonly eService: SoapEServiceSetup;
  /** The server's SOAP listener, https://host:port. */
  readonly soapUrl: string;
  readonly pkiDir: string;
}): Promise<SoapEService> {
  const read = (f: string) => (existsSync(join(o.pkiDir, f)) ? readFileSync(join(o.pkiDir, f), 'utf8') : '');
  const files = soapClientFiles(o.eService.id);
  const keyPem = read(files.key);
  const certPem = read(files.cert);
  const eidInterface = new EidInterfaceClient({
    url: `${o.soapUrl}${SOAP_PATH}`,
    tls: { key: keyPem, cert: certPem },
    serverTlsCert: read(PKI_FILES.tlsCert) + read(PKI_FILES.tlsEcCert),
    signing: { key: loadPrivateKey(keyPem), certPem },
    serverSigningCert: read(PKI_FILES.soapSigningCert),
  });
  const origin = `https://127.0.0.1:${o.eService.port}`;
  const plans = new Map<string, Plan>();

  async function tcToken(t: string, plan: Plan): Promise<{ status: number; body: string }> {
    if (!plan.tcToken) {
      const r = await eidInterface.useId({ operations: OPERATIONS, age: AGE });
      if (!r.granted) return { status: 502, body: `useID: ${r.result.minor ?? r.result.major}` };
      plan.sessionId = r.granted.sessionId;
      plan.tcToken = buildTcToken({
        serverAddress: r.granted.eCardServerAddress,
        sessionIdentifier: r.granted.psk.id,
        refreshAddress: `${origin}/refresh?t=${t}`,
        psk: r.granted.psk.key,
      });
    }
    return { status: 200, body: plan.tcToken };
  }

  async function refresh(url: URL, plan: Plan): Promise<{ status: number; body: string }> {
    if (url.searchParams.get('ResultMajor') !== 'ok')
      return { status: 502, body: `the eID-Client reported ${url.searchParams.get('ResultMinor')}` };
    // TR-03130-1 §3.1.2 steps 5-7; the first getResult of a session carries RequestCounter 1.
    const r = await eidInterface.getResult(plan.sessionId!, 1);
    if (r.result.major !== RESULT_MAJOR.ok)
      return { status: 502, body: `getResult: ${r.result.minor ?? r.result.major}` };
    const missing = [
      ...FIELDS.filter((f) => r.outcome?.fields[f] === undefined),
      ...(typeof r.outcome?.ageVerification === 'boolean' ? [] : ['ageVerification']),
    ];
    if (missing.length) return { status: 502, body: `getResult without ${missing.join(', ')}` };
    return { status: 200, body: 'logged in' };
  }

  const server = createServer(
    { key: o.eService.keyPem, cert: o.eService.certPem, minVersion: 'TLSv1.2' },
    (req, res) => {
      const url = new URL(req.url ?? '/', origin);
      const t = url.searchParams.get('t') ?? '';
      const plan = plans.get(t);
      const answer =
        url.pathname === '/tctoken' && plan
          ? tcToken(t, plan)
          : url.pathname === '/refresh' && plan?.sessionId
            ? refresh(url, plan)
            : Promise.resolve({ status: 404, body: 'no such login' });
      answer
        .catch((e: Error) => ({ status: 500, body: e.message }))
        .then(({ status, body }) => {
          if (plan && status !== 200) plan.error ??= body;
          const xml = status === 200 && url.pathname === '/tctoken';
          res.writeHead(status, {
            'content-type': xml ? 'text/xml; charset=utf-8' : 'text/plain; charset=utf-8',
          });
          res.end(body);
        });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.eService.port, '127.0.0.1', () => resolve());
  });
  server.unref();

  /** The citizen's browser on the eService's pages (it trusts the eService's certificate). */
  const browse = (href: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(href, { ca: o.eService.certPem, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  return {
    async login(eac) {
      const t = randomBytes(16).toString('hex');
      const plan: Plan = {};
      plans.set(t, plan);
      try {
        const outcome = await runOnlineAuthentication(`${origin}/tctoken?t=${t}`, eac);
        if (!outcome.ok)
          throw new Error(`eID: ${outcome.error?.message}${plan.error ? ` (eService: ${plan.error})` : ''}`);
        const page = await browse(outcome.redirectUrl!);
        if (page.status !== 200)
          throw new Error(`the eService did not log in (${page.status}: ${page.body})`);
      } finally {
        plans.delete(t);
      }
    },
  };
}
