/**
 * A test server with the OpenID Provider mounted, its own eService registry
 * (written to a temp dir) with three OIDC clients — a plain OIDC client, a
 * FAPI 2.0 bank client (private_key_jwt, DPoP, encrypted id_token) and a
 * FAPI 2.0 mTLS client (tls_client_auth, certificate-bound tokens) — and
 * dynamic registration for the bank eService.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oidcClientJwksFile } from '../../../../src/config/eservice/oidc.js';
import { exportPkcs8Pem } from '../../../../src/crypto/keys.js';
import { mountOidc, type OidcFrontEnd } from '../../../../src/interfaces/oidc/mount.js';
import { issueCertificate } from '../../../../src/pki/x509/certificate.js';
import type { NameSpec } from '../../../../src/pki/x509/names.js';
import { pemFromDer } from '../../../../src/pki/x509/pem.js';
import { issueClientCertificate } from '../../../../src/pki/x509/tls.js';
import { startTestServer, type TestServer, webCertificates } from '../../../support/server.js';
import type { TlsTrust } from './http.js';

export const PLAIN = {
  clientId: 'rp-plain',
  secret: 'plain-client-secret-0123456789abcdef',
  redirect: 'https://rp.example/cb',
} as const;
export const BANK = {
  clientId: 'rp-bank',
  redirect: 'https://bank.example/cb',
  eService: 'oidc-bank',
} as const;
export const MTLS = {
  clientId: 'rp-mtls',
  redirect: 'https://mtls.example/cb',
  subject: 'CN=rp-mtls,O=mTLS Test Bank,C=TW',
} as const;
export const INITIAL_ACCESS_TOKEN = 'iat-for-oidc-bank-0123456789abcdef';

const DAY = 86_400_000;

export interface OidcTestServer {
  readonly ts: TestServer;
  readonly oidc: OidcFrontEnd;
  readonly issuer: string;
  /** Trust for the web and mTLS listeners. */
  readonly tls: TlsTrust;
  /** The mTLS client's certificate and key. */
  readonly mtlsClient: { cert: string; key: string };
  /** Issues another certificate from the test's client CA. */
  readonly issueClientCert: (subject: NameSpec) => { cert: string; key: string };
  /** The bank client's private JWKS (from the test PKI). */
  readonly bankJwks: { keys: Record<string, unknown>[] };
  readonly registryFile: string;
  close(): Promise<void>;
}

function registryYaml(caFile: string): string {
  return `eServices:
  - id: oidc-portal
    displayName: { zh: 測試入口網, en: Test portal }
    purpose: { zh: 測試, en: Testing }
    approvedFields: [chineseName, romanizedName, dateOfBirth, householdAddress, householdArea, sex, photo]
    approvedFunctions: [ageVerification, placeVerification]
    terminal: { mnemonic: OIDCPORTL }
    oidc:
      clientId: ${PLAIN.clientId}
      redirectUris: [${PLAIN.redirect}]
      profile: oidc
      tokenEndpointAuthMethod: client_secret_basic
      clientSecret: ${PLAIN.secret}
      idTokenSignedResponseAlg: ES256
  - id: ${BANK.eService}
    displayName: { zh: 測試銀行, en: Test bank }
    purpose: { zh: 開戶, en: Account opening }
    approvedFields: [chineseName, romanizedName, nationalIdNumber, dateOfBirth, householdAddress, cardNumber, issueDate, renewalDueDate]
    approvedFunctions: [ageVerification]
    terminal: { mnemonic: OIDCBANK }
    oidc:
      clientId: ${BANK.clientId}
      redirectUris: [${BANK.redirect}]
      profile: fapi2
      tokenEndpointAuthMethod: private_key_jwt
      idTokenSignedResponseAlg: PS256
      idTokenEncryption: { alg: ECDH-ES, enc: A256GCM }
      registration:
        initialAccessTokenSha256: ${createHash('sha256').update(INITIAL_ACCESS_TOKEN).digest('hex')}
        profile: fapi2
  - id: oidc-mtls
    displayName: { zh: 憑證銀行, en: mTLS bank }
    purpose: { zh: 測試, en: Testing }
    approvedFields: [chineseName, dateOfBirth]
    approvedFunctions: []
    terminal: { mnemonic: OIDCMTLS }
    oidc:
      clientId: ${MTLS.clientId}
      redirectUris: [${MTLS.redirect}]
      profile: fapi2
      tokenEndpointAuthMethod: tls_client_auth
      tlsClientCertificateSubject: "${MTLS.subject}"
      tlsClientCa: ${caFile}
`;
}

function clientCa(dir: string): {
  caFile: string;
  issue: (subject: NameSpec) => { cert: string; key: string };
} {
  const caKey: KeyObject = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const now = Date.now();
  const name = { C: 'TW', O: 'Test client CA', CN: 'Test OIDC client CA' };
  const caDer = issueCertificate({
    subject: name,
    issuer: name,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    subjectPublicKey: caKey,
    issuerKey: caKey,
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const caFile = join(dir, 'client-ca.pem');
  writeFileSync(caFile, pemFromDer(caDer));
  return {
    caFile,
    issue(subject) {
      const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      const der = issueClientCertificate({
        subject,
        publicKey: key,
        issuerKey: caKey,
        issuerCert: caDer,
        days: 30,
      });
      return { cert: pemFromDer(der), key: exportPkcs8Pem(key) };
    },
  };
}

export interface StartOptions {
  readonly store?: 'memory' | 'redis';
  readonly extra?: Record<string, unknown>;
  readonly pkiDir?: string;
  readonly webPort?: number;
  /** Share secrets (and the registry) with another instance. */
  readonly secretsFile?: string;
  readonly shareWith?: OidcTestServer;
  readonly mtls?: boolean;
}

export async function startOidcServer(o: StartOptions = {}): Promise<OidcTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'neid-oidc-'));
  let registryFile: string;
  let mtlsClient: { cert: string; key: string };
  let issueClientCert: (subject: NameSpec) => { cert: string; key: string };
  if (o.shareWith) {
    registryFile = o.shareWith.registryFile;
    mtlsClient = o.shareWith.mtlsClient;
    issueClientCert = o.shareWith.issueClientCert;
  } else {
    const ca = clientCa(dir);
    registryFile = join(dir, 'relying-parties.yaml');
    writeFileSync(registryFile, registryYaml(ca.caFile));
    mtlsClient = ca.issue({ C: 'TW', O: 'mTLS Test Bank', CN: MTLS.clientId });
    issueClientCert = ca.issue;
  }
  let oidc: OidcFrontEnd | undefined;
  const ts = await startTestServer({
    relyingParties: registryFile,
    ...(o.store ? { store: o.store } : {}),
    ...(o.extra ? { extra: o.extra } : {}),
    ...(o.pkiDir ? { pkiDir: o.pkiDir } : {}),
    ...(o.webPort ? { webPort: o.webPort } : {}),
    mount: async (s) => {
      oidc = await mountOidc(s, {
        mtls: o.mtls === false ? false : { port: 0 },
        ...(o.secretsFile ? { secretsFile: o.secretsFile } : {}),
      });
    },
  });
  const bankJwks = JSON.parse(readFileSync(join(ts.pkiDir, oidcClientJwksFile(BANK.eService)), 'utf8'));
  return {
    ts,
    oidc: oidc!,
    issuer: oidc!.issuer,
    tls: { ca: webCertificates(ts.server) },
    mtlsClient,
    issueClientCert,
    bankJwks,
    registryFile,
    close: () => ts.close(),
  };
}
