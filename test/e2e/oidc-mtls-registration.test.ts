/**
 * Issue 7: mutual-TLS client authentication (tls_client_auth, RFC 8705) with
 * certificate-bound access tokens over the mTLS endpoint aliases, and dynamic
 * client registration (RFC 7591) behind a per-eService initial access token —
 * openid-client as the relying party.
 */
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPkcs8Pem } from '../../src/crypto/keys.js';
import { pemFromDer } from '../../src/pki/x509/pem.js';
import { issueClientCertificate } from '../../src/pki/x509/tls.js';
import { runEid } from '../interfaces/oidc/support/eid.js';
import { Browser, fetchVia, httpRequest } from '../interfaces/oidc/support/http.js';
import {
  BANK,
  INITIAL_ACCESS_TOKEN,
  MTLS,
  type OidcTestServer,
  startOidcServer,
} from '../interfaces/oidc/support/oidc-server.js';
import { bankConfig, expectedClaims, mtlsConfig, pkce } from '../interfaces/oidc/support/rp.js';
import { writeTestCard } from '../support/card.js';

let s: OidcTestServer;
let card: ReturnType<typeof writeTestCard>;
beforeAll(async () => {
  s = await startOidcServer();
  card = writeTestCard(s.ts.pkiDir);
}, 120_000);
afterAll(async () => s?.close());

async function login(url: URL, stopAt: string): Promise<string> {
  const browser = new Browser(s.tls);
  const page = await browser.navigate(url.href, stopAt);
  if (page.location) return page.location;
  expect(page.status, page.body).toBe(200);
  const run = await runEid(browser, page.body, card.file, stopAt);
  return run.callback!;
}

describe('mTLS client authentication and certificate-bound tokens', () => {
  it('completes the FAPI 2.0 flow with tls_client_auth over the mTLS aliases', async () => {
    const config = await mtlsConfig(s);
    expect(config.serverMetadata().mtls_endpoint_aliases?.pushed_authorization_request_endpoint).toBe(
      `${s.oidc.mtlsUrl}/oidc/request`,
    );
    const p = await pkce();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: MTLS.redirect,
      scope: 'openid profile',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      state: 'st',
    });
    const callback = await login(url, MTLS.redirect);
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: p.verifier,
      expectedState: 'st',
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const id = tokens.claims()!;
    expect(id.name).toBe(expectedClaims(card.json.fields, ['name']).name);
    expect(id.birthdate).toBe(expectedClaims(card.json.fields, ['birthdate']).birthdate);
    // userinfo over the mTLS alias with the client certificate works …
    const info = await client.fetchUserInfo(config, tokens.access_token, id.sub);
    expect(info.name).toBe(id.name);
    // … but the certificate-bound token is refused without the certificate.
    const bare = await httpRequest(`${s.issuer}/me`, s.tls, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(bare.status).toBe(401);
    // … and with another client's certificate.
    const other = s.issueClientCert({ C: 'TW', O: 'Other', CN: 'someone-else' });
    const wrong = await httpRequest(
      `${s.oidc.mtlsUrl}/oidc/me`,
      { ...s.tls, ...other },
      { headers: { authorization: `Bearer ${tokens.access_token}` } },
    );
    expect(wrong.status).toBe(401);
  });

  it('refuses a certificate with another subject, or one not issued by the client CA (invalid_client)', async () => {
    const tokenCall = (cert: { cert: string; key: string }) =>
      httpRequest(
        `${s.oidc.mtlsUrl}/oidc/request`,
        { ...s.tls, ...cert },
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_id: MTLS.clientId,
            response_type: 'code',
            redirect_uri: MTLS.redirect,
            scope: 'openid profile',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
          }).toString(),
        },
      );
    const ok = await tokenCall(s.mtlsClient);
    expect(ok.status).toBe(201);
    const other = await tokenCall(s.issueClientCert({ C: 'TW', O: 'mTLS Test Bank', CN: 'not-the-client' }));
    expect(other.status).toBe(401);
    expect(JSON.parse(other.body.toString()).error).toBe('invalid_client');
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const selfSigned = {
      cert: pemFromDer(
        issueClientCertificate({
          subject: { C: 'TW', O: 'mTLS Test Bank', CN: MTLS.clientId },
          publicKey: key,
          issuerKey: key,
          days: 1,
        }),
      ),
      key: exportPkcs8Pem(key),
    };
    const forged = await tokenCall(selfSigned);
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body.toString()).error).toBe('invalid_client');
  });
});

describe('dynamic client registration (RFC 7591)', () => {
  async function newKey() {
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const { kty, crv, x, y } = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
    const jwk = { kty: kty!, crv: crv!, x: x!, y: y!, kid: 'dyn-1', alg: 'ES256', use: 'sig' };
    return { pair, jwk };
  }

  it('registers a FAPI 2.0 client bound to the eService of its initial access token, which then logs in', async () => {
    const { pair, jwk } = await newKey();
    // An RSA key for id_token encryption with RSA-OAEP-256 (the bank's static client uses ECDH-ES).
    const enc = (await webcrypto.subtle.generateKey(
      { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['encrypt', 'decrypt'],
    )) as webcrypto.CryptoKeyPair;
    const { n, e } = await webcrypto.subtle.exportKey('jwk', enc.publicKey);
    const config = await client.dynamicClientRegistration(
      new URL(s.issuer),
      {
        redirect_uris: ['https://dyn.example/cb'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk, { kty: 'RSA', n: n!, e: e!, kid: 'dyn-enc', alg: 'RSA-OAEP-256', use: 'enc' }] },
        id_token_signed_response_alg: 'PS256',
        id_token_encrypted_response_alg: 'RSA-OAEP-256',
        id_token_encrypted_response_enc: 'A256GCM',
      },
      client.PrivateKeyJwt({ key: pair.privateKey as client.CryptoKey, kid: 'dyn-1' }),
      { initialAccessToken: INITIAL_ACCESS_TOKEN, [client.customFetch]: fetchVia(s.tls) },
    );
    client.enableDecryptingResponses(config, ['A256GCM'], {
      key: enc.privateKey as client.CryptoKey,
      kid: 'dyn-enc',
    });
    const m = config.clientMetadata();
    expect(m.id_token_encrypted_response_alg).toBe('RSA-OAEP-256');
    expect(m.require_pushed_authorization_requests).toBe(true);
    expect(m.dpop_bound_access_tokens).toBe(true);
    expect(m.subject_type).toBe('pairwise');
    expect(String(m.scope).split(' ')).not.toContain('neid:photo');
    expect(m.neid_eservice).toBe(BANK.eService);

    const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const p = await pkce();
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: 'https://dyn.example/cb',
        scope: 'openid neid:national_id',
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
        state: 'st',
      },
      { DPoP: dpop },
    );
    const callback = await login(url, 'https://dyn.example/cb');
    let rawIdToken = '';
    const base = fetchVia(s.tls);
    config[client.customFetch] = async (u, o) => {
      const r = await base(u, o);
      if (u.endsWith('/oidc/token')) rawIdToken = ((await r.clone().json()) as { id_token: string }).id_token;
      return r;
    };
    const tokens = await client.authorizationCodeGrant(
      config,
      new URL(callback),
      { pkceCodeVerifier: p.verifier, expectedState: 'st' },
      undefined,
      { DPoP: dpop },
    );
    expect(JSON.parse(Buffer.from(rawIdToken.split('.')[0]!, 'base64url').toString())).toMatchObject({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid: 'dyn-enc',
    });
    const id = tokens.claims()!;
    expect(id.neid_national_id).toBe(card.json.fields.nationalIdNumber);

    // The same eService sector as the bank's static client: the same pairwise sub.
    const bank = await bankConfig(s);
    const bankDpop = client.getDPoPHandle(bank, await client.randomDPoPKeyPair('ES256'));
    const q = await pkce();
    const bankUrl = await client.buildAuthorizationUrlWithPAR(
      bank,
      {
        redirect_uri: BANK.redirect,
        scope: 'openid profile',
        code_challenge: q.challenge,
        code_challenge_method: 'S256',
        state: 'st',
      },
      { DPoP: bankDpop },
    );
    const bankCallback = await login(bankUrl, BANK.redirect);
    const bankTokens = await client.authorizationCodeGrant(
      bank,
      new URL(bankCallback),
      { pkceCodeVerifier: q.verifier, expectedState: 'st' },
      undefined,
      { DPoP: bankDpop },
    );
    expect(bankTokens.claims()!.sub).toBe(id.sub);
  });

  it('registers a self_signed_tls_client_auth client whose certificate is bound by its JWKS', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const der = issueClientCertificate({
      subject: { CN: 'dyn-mtls' },
      publicKey: key,
      issuerKey: key,
      days: 1,
    });
    const { kty, crv, x, y } = key.export({ format: 'jwk' });
    const reg = await httpRequest(`${s.issuer}/reg`, s.tls, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INITIAL_ACCESS_TOKEN}` },
      body: JSON.stringify({
        redirect_uris: ['https://dyn-mtls.example/cb'],
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: { keys: [{ kty, crv, x, y, use: 'sig', x5c: [der.toString('base64')] }] },
      }),
    });
    expect(reg.status, reg.body.toString()).toBe(201);
    const meta = JSON.parse(reg.body.toString());
    expect(meta.tls_client_certificate_bound_access_tokens).toBe(true);
    const par = (cert: { cert: string; key: string }) =>
      httpRequest(
        `${s.oidc.mtlsUrl}/oidc/request`,
        { ...s.tls, ...cert },
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_id: meta.client_id,
            response_type: 'code',
            redirect_uri: 'https://dyn-mtls.example/cb',
            scope: 'openid profile',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
          }).toString(),
        },
      );
    expect((await par({ cert: pemFromDer(der), key: exportPkcs8Pem(key) })).status).toBe(201);
    expect((await par(s.mtlsClient)).status).toBe(401);
  });

  it('refuses registrations without a valid initial access token, beyond approval, or outside FAPI 2.0', async () => {
    const { jwk } = await newKey();
    const register = (token: string | undefined, body: Record<string, unknown>) =>
      httpRequest(`${s.issuer}/reg`, s.tls, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const good = {
      redirect_uris: ['https://dyn.example/cb'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    };
    expect((await register(undefined, good)).status).toBe(401);
    expect((await register('not-the-token', good)).status).toBe(401);
    const beyond = await register(INITIAL_ACCESS_TOKEN, { ...good, scope: 'openid neid:photo' });
    expect(beyond.status).toBe(400);
    expect(JSON.parse(beyond.body.toString()).error).toBe('invalid_client_metadata');
    const secret = await register(INITIAL_ACCESS_TOKEN, {
      redirect_uris: ['https://dyn.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(secret.status).toBe(400);
    const tls = await register(INITIAL_ACCESS_TOKEN, {
      ...good,
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=x',
    });
    expect(tls.status).toBe(400);
    const http = await register(INITIAL_ACCESS_TOKEN, { ...good, redirect_uris: ['http://dyn.example/cb'] });
    expect(http.status).toBe(400);
    // A client cannot bind itself to another eService.
    const hijack = await register(INITIAL_ACCESS_TOKEN, {
      ...good,
      neid_eservice: 'oidc-portal',
      neid_sector: 'x',
    });
    expect(hijack.status).toBe(201);
    expect(JSON.parse(hijack.body.toString())).toMatchObject({
      neid_eservice: BANK.eService,
      neid_sector: BANK.eService,
    });
  });
});
