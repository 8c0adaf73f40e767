/**
 * Issue 7: openid-client (panva, v6) as the relying party against the OpenID
 * Provider — authorization code + PKCE for a plain OIDC client, and the FAPI
 * 2.0 flow (PAR + DPoP + private_key_jwt, encrypted id_token) — with the
 * in-process eID-Client and a virtual card doing the eID part.
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEid } from '../interfaces/oidc/support/eid.js';
import { Browser, fetchVia } from '../interfaces/oidc/support/http.js';
import { BANK, type OidcTestServer, PLAIN, startOidcServer } from '../interfaces/oidc/support/oidc-server.js';
import {
  bankConfig,
  expectedClaims,
  pkce,
  plainAuthorization,
  plainConfig,
} from '../interfaces/oidc/support/rp.js';
import { writeTestCard } from '../support/card.js';

let s: OidcTestServer;
let card: ReturnType<typeof writeTestCard>;
const subs: { plain?: string; bank?: string } = {};
beforeAll(async () => {
  s = await startOidcServer();
  card = writeTestCard(s.ts.pkiDir);
}, 120_000);
afterAll(async () => s?.close());

/** Browser: authorization URL → activation page → eID → back to the callback. */
async function login(url: URL, stopAt: string, choice: Parameters<typeof runEid>[4] = {}) {
  const browser = new Browser(s.tls);
  const page = await browser.navigate(url.href, stopAt);
  if (page.location) return { callback: page.location, browser };
  expect(page.status, page.body).toBe(200);
  const run = await runEid(browser, page.body, card.file, stopAt, choice);
  return { callback: run.callback, browser, consent: run.consent };
}

describe('OpenID Provider with openid-client', () => {
  it('serves discovery with the FAPI-relevant metadata', async () => {
    const config = await plainConfig(s);
    const m = config.serverMetadata();
    expect(m.issuer).toBe(s.issuer);
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect(m.response_types_supported).toEqual(['code']);
    expect(m.subject_types_supported).toEqual(['pairwise']);
    expect(m.authorization_response_iss_parameter_supported).toBe(true);
    expect(m.pushed_authorization_request_endpoint).toBe(`${s.issuer}/request`);
    expect(m.id_token_signing_alg_values_supported).toEqual(['PS256', 'ES256']);
    expect(m.dpop_signing_alg_values_supported).toContain('ES256');
    expect(m.mtls_endpoint_aliases?.token_endpoint).toBe(`${s.oidc.mtlsUrl}/oidc/token`);
    expect(m.scopes_supported).toContain('neid:national_id');
    expect(m.claims_supported).toEqual(
      expect.arrayContaining(['name', 'birthdate', 'address', 'neid_photo', 'neid_age_over']),
    );
    expect(m.acr_values_supported).toEqual(['urn:tw:neid:loa:high']);
  });

  it('logs a citizen in with code + PKCE (plain client) and releases exactly the requested, approved fields', async () => {
    const config = await plainConfig(s);
    const p = await pkce();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: PLAIN.redirect,
      scope: 'openid profile address',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const { callback, consent } = await login(url, PLAIN.redirect);
    expect(callback).toBeDefined();
    expect(new URL(callback!).searchParams.get('iss')).toBe(s.issuer);
    // The eID-Client was asked for the scope's approved fields, all optional (voluntary claims).
    expect(consent?.required.fields).toEqual([]);
    expect([...(consent?.optional.fields ?? [])].sort()).toEqual(
      ['chineseName', 'dateOfBirth', 'householdAddress', 'romanizedName', 'sex'].sort(),
    );
    const tokens = await client.authorizationCodeGrant(config, new URL(callback!), {
      pkceCodeVerifier: p.verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const id = tokens.claims()!;
    expect(id.iss).toBe(s.issuer);
    expect(id.acr).toBe('urn:tw:neid:loa:high');
    expect(id.amr).toEqual(['sc', 'hwk', 'pin', 'mfa']);
    const want = expectedClaims(card.json.fields, [
      'name',
      'neid_romanized_name',
      'birthdate',
      'gender',
      'address',
    ]);
    expect(pick(id, Object.keys(want))).toEqual(want);
    expect(id.neid_national_id).toBeUndefined();
    expect(id.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    subs.plain = id.sub;
    const info = await client.fetchUserInfo(config, tokens.access_token, id.sub);
    expect(pick(info, Object.keys(want))).toEqual(want);
  });

  it('runs the FAPI 2.0 flow: PAR + DPoP + private_key_jwt, encrypted id_token, essential claims and age verification', async () => {
    const config = await bankConfig(s);
    const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const p = await pkce();
    const state = client.randomState();
    const claims = {
      id_token: { neid_national_id: { essential: true }, neid_age_over: { essential: true, value: 18 } },
    };
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: BANK.redirect,
        scope: 'openid profile neid:card',
        claims: JSON.stringify(claims),
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
        state,
      },
      { DPoP: dpop },
    );
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const { callback, consent } = await login(url, BANK.redirect);
    expect(new URL(callback!).searchParams.get('iss')).toBe(s.issuer);
    expect(consent?.required.fields).toEqual(['nationalIdNumber']);
    expect(consent?.required.functions).toEqual(['ageVerification']);
    // sex is in the profile scope but not approved for the bank: it is not asked for.
    expect([...(consent?.optional.fields ?? [])].sort()).toEqual(
      ['cardNumber', 'chineseName', 'dateOfBirth', 'issueDate', 'renewalDueDate', 'romanizedName'].sort(),
    );

    let rawIdToken = '';
    const seen = fetchVia(s.tls);
    config[client.customFetch] = async (u, o) => {
      const r = await seen(u, o);
      if (u.endsWith('/oidc/token')) rawIdToken = ((await r.clone().json()) as { id_token: string }).id_token;
      return r;
    };
    const tokens = await client.authorizationCodeGrant(
      config,
      new URL(callback!),
      { pkceCodeVerifier: p.verifier, expectedState: state, idTokenExpected: true },
      undefined,
      { DPoP: dpop },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    // The id_token is a JWE (RFC 7516 compact: five parts) to the bank's ECDH-ES key.
    expect(rawIdToken.split('.')).toHaveLength(5);
    expect(JSON.parse(Buffer.from(rawIdToken.split('.')[0]!, 'base64url').toString())).toMatchObject({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
    });
    const id = tokens.claims()!;
    const want = expectedClaims(card.json.fields, [
      'name',
      'neid_romanized_name',
      'birthdate',
      'neid_national_id',
      'neid_card_number',
      'neid_card_issue_date',
      'neid_card_renewal_due_date',
    ]);
    expect(pick(id, [...Object.keys(want), 'gender'])).toEqual(want);
    expect(id.neid_age_over).toBe(true);
    subs.bank = id.sub;
    expect(id.acr).toBe('urn:tw:neid:loa:high');
    const info = await client.fetchUserInfo(config, tokens.access_token, id.sub, { DPoP: dpop });
    expect(
      pick(
        info,
        Object.keys(want).filter((k) => k !== 'neid_national_id'),
      ),
    ).toEqual(Object.fromEntries(Object.entries(want).filter(([k]) => k !== 'neid_national_id')));
    // The access token is sender-constrained: without the DPoP proof it is refused.
    const plainUse = await seen(`${s.issuer}/me`, {
      method: 'GET',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(plainUse.status).toBe(401);
    expect(plainUse.headers.get('www-authenticate')).toMatch(/^DPoP /);
  });

  it('releases the photo as a data: URI and answers place verification', async () => {
    const config = await plainConfig(s);
    const p = await pkce();
    const state = client.randomState();
    const claims = { id_token: { neid_place_verification: { value: '63000' }, neid_photo: null } };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: PLAIN.redirect,
      scope: 'openid',
      claims: JSON.stringify(claims),
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      state,
    });
    const { callback } = await login(url, PLAIN.redirect);
    const tokens = await client.authorizationCodeGrant(config, new URL(callback!), {
      pkceCodeVerifier: p.verifier,
      expectedState: state,
    });
    const id = tokens.claims()!;
    expect(id.neid_photo).toBe(expectedClaims(card.json.fields, ['neid_photo']).neid_photo);
    expect(id.neid_place_verification).toBe(true);
    expect(id.name).toBeUndefined();
  });

  it('gives each client its own stable pairwise sub', async () => {
    const subOf = async (cfg: client.Configuration, redirect: string) => {
      const p = await pkce();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(cfg, {
        redirect_uri: redirect,
        scope: 'openid profile',
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
        state,
      });
      const { callback } = await login(url, redirect);
      return (
        await client.authorizationCodeGrant(cfg, new URL(callback!), {
          pkceCodeVerifier: p.verifier,
          expectedState: state,
        })
      ).claims()!.sub;
    };
    const plain = await plainConfig(s);
    const a = await subOf(plain, PLAIN.redirect);
    const b = await subOf(plain, PLAIN.redirect);
    expect(a).toBe(b);
    expect(a).toBe(subs.plain);
    expect(subs.bank).toBeDefined();
    expect(subs.bank).not.toBe(a);
    expect(a).not.toContain(String(card.json.fields.nationalIdNumber));
  });

  it('reads the card for every authorization, even with a provider session, and shows the transaction info', async () => {
    const config = await plainConfig(s);
    const p = await pkce();
    const params = {
      redirect_uri: PLAIN.redirect,
      scope: 'openid profile',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      state: 'st',
    };
    const browser = new Browser(s.tls);
    const page = await browser.navigate(
      client.buildAuthorizationUrl(config, { ...params, neid_transaction_info: '開戶申請 #42' }).href,
      PLAIN.redirect,
    );
    const run = await runEid(browser, page.body, card.file, PLAIN.redirect);
    expect(run.consent?.transactionInfo).toBe('開戶申請 #42');
    expect(new URL(run.callback!).searchParams.get('code')).toBeTruthy();
    // The same browser again: no silent login (prompt=none fails), and a normal request starts the eID login again.
    const silent = await browser.navigate(
      client.buildAuthorizationUrl(config, { ...params, prompt: 'none' }).href,
      PLAIN.redirect,
    );
    expect(new URL(silent.location!).searchParams.get('error')).toBe('login_required');
    const again = await browser.navigate(client.buildAuthorizationUrl(config, params).href, PLAIN.redirect);
    expect(again.status).toBe(200);
    expect(again.url).toContain('/oidc/interaction/');
  });

  it('omits the optional fields the citizen withholds', async () => {
    const config = await plainConfig(s);
    const { url, verifier } = await plainAuthorization(config);
    const { callback } = await login(url, PLAIN.redirect, { deselect: ['sex', 'romanizedName'] });
    const id = (
      await client.authorizationCodeGrant(config, new URL(callback!), {
        pkceCodeVerifier: verifier,
        expectedState: 'st',
      })
    ).claims()!;
    expect(id.name).toBe(card.json.fields.chineseName);
    expect(id.birthdate).toBeDefined();
    expect(id.gender).toBeUndefined();
    expect(id.neid_romanized_name).toBeUndefined();
  });
});

describe('OpenID Provider refuses', () => {
  async function plainUrl(params: Record<string, string>) {
    const config = await plainConfig(s);
    const p = await pkce();
    return {
      config,
      p,
      url: client.buildAuthorizationUrl(config, {
        redirect_uri: PLAIN.redirect,
        scope: 'openid profile',
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
        state: 'st',
        ...params,
      }),
    };
  }

  it('a scope beyond approval (invalid_scope, before any card contact)', async () => {
    const { url } = await plainUrl({ scope: 'openid neid:national_id' });
    const browser = new Browser(s.tls);
    const r = await browser.navigate(url.href, PLAIN.redirect);
    const cb = new URL(r.location!);
    expect(cb.searchParams.get('error')).toBe('invalid_scope');
    expect(cb.searchParams.get('iss')).toBe(s.issuer);
    expect(browser.visited.some((v) => v.includes('/interaction/'))).toBe(false);
    // and over PAR for the FAPI client
    const bank = await bankConfig(s);
    const p = await pkce();
    const err = await client
      .buildAuthorizationUrlWithPAR(bank, {
        redirect_uri: BANK.redirect,
        scope: 'openid neid:photo',
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.ResponseBodyError);
    expect((err as client.ResponseBodyError).error).toBe('invalid_scope');
  });

  it('a claim beyond approval (invalid_scope)', async () => {
    const { url } = await plainUrl({ claims: JSON.stringify({ userinfo: { neid_national_id: null } }) });
    const r = await new Browser(s.tls).navigate(url.href, PLAIN.redirect);
    expect(new URL(r.location!).searchParams.get('error')).toBe('invalid_scope');
    const { url: u2 } = await plainUrl({
      claims: JSON.stringify({ id_token: { neid_age_over: { value: 'eighteen' } } }),
    });
    const r2 = await new Browser(s.tls).navigate(u2.href, PLAIN.redirect);
    expect(new URL(r2.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('a wrong redirect_uri (an error page, no redirect)', async () => {
    const { url } = await plainUrl({ redirect_uri: 'https://evil.example/cb' });
    const r = await new Browser(s.tls).navigate(url.href, 'https://evil.example/');
    expect(r.location).toBeUndefined();
    expect(r.status).toBe(400);
    expect(r.body).toContain('redirect_uri');
  });

  it('a replayed code (invalid_grant, and the tokens of the first redemption are revoked)', async () => {
    const { config, p, url } = await plainUrl({});
    const { callback } = await login(url, PLAIN.redirect);
    const tokens = await client.authorizationCodeGrant(config, new URL(callback!), {
      pkceCodeVerifier: p.verifier,
      expectedState: 'st',
    });
    const again = await client
      .authorizationCodeGrant(config, new URL(callback!), {
        pkceCodeVerifier: p.verifier,
        expectedState: 'st',
      })
      .catch((e: unknown) => e);
    expect((again as client.ResponseBodyError).error).toBe('invalid_grant');
    const info = await client
      .fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck)
      .catch((e: unknown) => e);
    expect(info).toBeInstanceOf(Error);
  });

  it('a PKCE mismatch (invalid_grant)', async () => {
    const { config, url } = await plainUrl({});
    const { callback } = await login(url, PLAIN.redirect);
    const err = await client
      .authorizationCodeGrant(config, new URL(callback!), {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: 'st',
      })
      .catch((e: unknown) => e);
    expect((err as client.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('an authorization request without PKCE', async () => {
    const config = await plainConfig(s);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: PLAIN.redirect,
      scope: 'openid profile',
      state: 'st',
    });
    const r = await new Browser(s.tls).navigate(url.href, PLAIN.redirect);
    expect(new URL(r.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('a PAR-less request from a FAPI client', async () => {
    const bank = await bankConfig(s);
    const p = await pkce();
    const url = client.buildAuthorizationUrl(bank, {
      redirect_uri: BANK.redirect,
      scope: 'openid profile',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      state: 'st',
    });
    const browser = new Browser(s.tls);
    const r = await browser.navigate(url.href, BANK.redirect);
    const cb = new URL(r.location!);
    expect(cb.searchParams.get('error')).toBe('invalid_request');
    expect(cb.searchParams.get('error_description')).toMatch(/pushed authorization request/i);
    expect(browser.visited.some((v) => v.includes('/interaction/'))).toBe(false);
  });

  it('a FAPI token request without a DPoP proof', async () => {
    const bank = await bankConfig(s);
    const p = await pkce();
    const url = await client.buildAuthorizationUrlWithPAR(bank, {
      redirect_uri: BANK.redirect,
      scope: 'openid profile',
      code_challenge: p.challenge,
      code_challenge_method: 'S256',
      state: 'st',
    });
    const { callback } = await login(url, BANK.redirect);
    const err = await client
      .authorizationCodeGrant(bank, new URL(callback!), { pkceCodeVerifier: p.verifier, expectedState: 'st' })
      .catch((e: unknown) => e);
    expect((err as client.ResponseBodyError).error).toBe('invalid_grant');
    // The code is still unused: the same redemption with a DPoP proof succeeds, so the proof was what was missing.
    const dpop = client.getDPoPHandle(bank, await client.randomDPoPKeyPair('ES256'));
    const tokens = await client.authorizationCodeGrant(
      bank,
      new URL(callback!),
      { pkceCodeVerifier: p.verifier, expectedState: 'st' },
      undefined,
      { DPoP: dpop },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
  });

  it('a login where the citizen withholds an essential claim (access_denied)', async () => {
    const bank = await bankConfig(s);
    const dpop = client.getDPoPHandle(bank, await client.randomDPoPKeyPair('ES256'));
    const p = await pkce();
    const claims = { id_token: { neid_national_id: { essential: true } } };
    const url = await client.buildAuthorizationUrlWithPAR(
      bank,
      {
        redirect_uri: BANK.redirect,
        scope: 'openid profile',
        claims: JSON.stringify(claims),
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
        state: 'st',
      },
      { DPoP: dpop },
    );
    const { callback } = await login(url, BANK.redirect, {
      permissive: true,
      deselect: ['nationalIdNumber'],
    });
    const cb = new URL(callback!);
    expect(cb.searchParams.get('error')).toBe('access_denied');
    // The EAC run ends with the field PROHIBITED (TR-03130-4 C1_1_03); the provider then refuses.
    expect(cb.searchParams.get('error_description')).toContain('essential');
    expect(cb.searchParams.get('state')).toBe('st');
  });

  it('a login the citizen cancels (access_denied)', async () => {
    const { url } = await plainUrl({});
    const { callback } = await login(url, PLAIN.redirect, { accept: false });
    expect(new URL(callback!).searchParams.get('error')).toBe('access_denied');
    expect(new URL(callback!).searchParams.get('error_description')).toContain('cancelled');
  });

  it('a login that ends with a wrong PIN says so (access_denied)', async () => {
    const { url } = await plainUrl({});
    const { callback } = await login(url, PLAIN.redirect, { pin: '000000' });
    const cb = new URL(callback!);
    expect(cb.searchParams.get('error')).toBe('access_denied');
    expect(cb.searchParams.get('error_description')).toBe('the citizen did not enter the right PIN (or CAN)');
  });
});

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}
