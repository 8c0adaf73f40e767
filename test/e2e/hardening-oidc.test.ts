/**
 * Issue 15 (protocol 9), through the running OpenID Provider on its
 * configured listeners: a dynamically registered self_signed_tls_client_auth
 * client works (the mTLS listener runs in `auto` when an eService accepts
 * dynamic registration), and without the mTLS listener the certificate
 * methods are neither advertised nor accepted; discovery lists no
 * refresh_token grant and no sid claim; a private_key_jwt client gets no
 * client_secret; a malformed client_assertion is invalid_client; an
 * over-long authorization URL gets an OAuth error page and a log line.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPkcs8Pem } from '../../src/crypto/keys.js';
import { mountOidc, type OidcFrontEnd } from '../../src/interfaces/oidc/mount.js';
import { pemFromDer } from '../../src/pki/x509/pem.js';
import { issueClientCertificate } from '../../src/pki/x509/tls.js';
import { httpRequest, type TlsTrust } from '../interfaces/oidc/support/http.js';
import { rawGet } from '../support/raw-http.js';
import {
  freePort,
  LogCapture,
  startTestServer,
  type TestServer,
  webCertificates,
} from '../support/server.js';

const IAT = 'iat-hardening-0123456789abcdef0123';

function registry(): string {
  const dir = mkdtempSync(join(tmpdir(), 'neid-oidc-h-'));
  const file = join(dir, 'relying-parties.yaml');
  writeFileSync(
    file,
    `eServices:
  - id: dyn-bank
    displayName: { zh: 動態銀行, en: Dynamic bank }
    purpose: { zh: 測試, en: Testing }
    approvedFields: [chineseName, dateOfBirth]
    approvedFunctions: []
    terminal: { mnemonic: DYNBANK }
    oidc:
      clientId: dyn-bank-static
      redirectUris: [https://dyn-bank.example/cb]
      profile: fapi2
      tokenEndpointAuthMethod: private_key_jwt
      idTokenSignedResponseAlg: PS256
      registration:
        initialAccessTokenSha256: ${createHash('sha256').update(IAT).digest('hex')}
        profile: fapi2
`,
  );
  return file;
}

interface Started {
  readonly ts: TestServer;
  readonly oidc: OidcFrontEnd;
  readonly tls: TlsTrust;
}

/** A server whose OIDC front-end mounts with the server configuration only (no test overrides). */
async function start(oidcMtls: Record<string, unknown>, logs?: LogCapture): Promise<Started> {
  let oidc: OidcFrontEnd | undefined;
  const ts = await startTestServer({
    relyingParties: registry(),
    extra: { oidcMtls },
    ...(logs ? { logs } : {}),
    mount: async (s) => {
      oidc = await mountOidc(s);
    },
  });
  return { ts, oidc: oidc!, tls: { ca: webCertificates(ts.server) } };
}

const logs = new LogCapture();
let auto: Started;
let off: Started;
beforeAll(async () => {
  const port = await freePort();
  auto = await start({ port, publicUrl: `https://127.0.0.1:${port}` }, logs);
  off = await start({ enabled: false });
}, 180_000);
afterAll(async () => {
  await auto?.ts.close();
  await off?.ts.close();
});

const register = (s: Started, metadata: Record<string, unknown>) =>
  httpRequest(`${s.oidc.issuer}/reg`, s.tls, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${IAT}` },
    body: JSON.stringify({ redirect_uris: ['https://dyn.example/cb'], ...metadata }),
  });

const discovery = async (s: Started) =>
  JSON.parse(
    (await httpRequest(`${s.oidc.issuer}/.well-known/openid-configuration`, s.tls)).body.toString(),
  ) as Record<string, string[]>;

function selfSigned() {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const der = issueClientCertificate({
    subject: { CN: 'dyn-client' },
    publicKey: key,
    issuerKey: key,
    days: 1,
  });
  const jwk = { ...key.export({ format: 'jwk' }), x5c: [der.toString('base64')] };
  delete (jwk as { d?: string }).d;
  return { cert: pemFromDer(der), key: exportPkcs8Pem(key), jwk };
}

describe('self_signed_tls_client_auth for dynamically registered clients', () => {
  it('runs the mTLS listener in auto mode and authenticates the registered client there', async () => {
    expect(auto.oidc.mtlsUrl).toBeDefined();
    const d = await discovery(auto);
    expect(d.token_endpoint_auth_methods_supported).toContain('self_signed_tls_client_auth');
    const c = selfSigned();
    const reg = await register(auto, {
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [c.jwk] },
    });
    expect(reg.status, reg.body.toString()).toBe(201);
    const client = JSON.parse(reg.body.toString()) as { client_id: string; client_secret?: string };
    expect(client.client_secret).toBeUndefined();
    const par = (cert: { cert: string; key: string }) =>
      httpRequest(
        `${auto.oidc.mtlsUrl}/oidc/request`,
        { ...auto.tls, ...cert },
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_id: client.client_id,
            response_type: 'code',
            redirect_uri: 'https://dyn.example/cb',
            scope: 'openid profile',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
          }).toString(),
        },
      );
    const ok = await par(c);
    expect(ok.status, ok.body.toString()).toBe(201);
    const stranger = await par(selfSigned());
    expect(stranger.status).toBe(401);
    expect(JSON.parse(stranger.body.toString()).error).toBe('invalid_client');
  });

  it('without the mTLS listener: neither advertised nor accepted', async () => {
    expect(off.oidc.mtlsUrl).toBeUndefined();
    const d = await discovery(off);
    expect(d.token_endpoint_auth_methods_supported).not.toContain('self_signed_tls_client_auth');
    expect(d.token_endpoint_auth_methods_supported).not.toContain('tls_client_auth');
    expect(d).not.toHaveProperty('mtls_endpoint_aliases');
    const reg = await register(off, {
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [selfSigned().jwk] },
    });
    expect(reg.status).toBe(400);
    expect(JSON.parse(reg.body.toString()).error).toBe('invalid_client_metadata');
  });
});

describe('what discovery and registration say', () => {
  it('discovery lists neither the refresh_token grant nor the sid claim', async () => {
    const d = await discovery(auto);
    expect(d.grant_types_supported).toEqual(['authorization_code']);
    expect(d.claims_supported).not.toContain('sid');
    expect(d.claims_supported).toContain('sub');
  });

  it('a private_key_jwt client (the FAPI default when it names no method) gets no client_secret', async () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const reg = await register(auto, { jwks: { keys: [{ ...jwk, kid: 'k1', alg: 'ES256', use: 'sig' }] } });
    expect(reg.status, reg.body.toString()).toBe(201);
    const client = JSON.parse(reg.body.toString());
    expect(client.token_endpoint_auth_method).toBe('private_key_jwt');
    expect(client).not.toHaveProperty('client_secret');
    expect(client).not.toHaveProperty('client_secret_expires_at');
  });
});

describe('errors on the wire', () => {
  it('a malformed client_assertion is invalid_client (RFC 7523 §3.2)', async () => {
    const r = await httpRequest(`${auto.oidc.issuer}/token`, auto.tls, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'x',
        client_id: 'dyn-bank-static',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'not-a-jwt',
      }).toString(),
    });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body.toString()).error).toBe('invalid_client');
  });

  it('an over-long authorization URL gets an OAuth error page and a log line, not a bare 431', async () => {
    const r = await rawGet(
      `${auto.oidc.issuer}/auth?client_id=dyn-bank-static&request=${'A'.repeat(80 * 1024)}`,
    );
    expect(r.status).toBe(431);
    expect(r.headers).toMatch(/content-type: text\/html/i);
    expect(r.body).toContain('invalid_request');
    expect(r.body).toContain('PAR');
    expect(logs.find('HTTP request refused before routing').at(-1)).toMatchObject({
      status: 431,
      path: '/oidc/auth',
    });
  });
});
