/**
 * openid-client (v6) relying-party configurations for the test clients, and
 * the claims a card's fields must yield — computed here independently of
 * the provider's own conversion code.
 */
import { webcrypto } from 'node:crypto';
import * as client from 'openid-client';
import { fetchVia, type TlsTrust } from './http.js';
import { BANK, MTLS, type OidcTestServer, PLAIN } from './oidc-server.js';

type Jwk = Record<string, unknown>;

const bare = (k: Jwk): webcrypto.JsonWebKey => {
  const { kid: _k, alg: _a, use: _u, key_ops: _o, ...rest } = k;
  return rest as webcrypto.JsonWebKey;
};

export async function signingKey(jwks: { keys: Jwk[] }): Promise<client.PrivateKey> {
  const jwk = jwks.keys.find((k) => k.use === 'sig')!;
  const key = await webcrypto.subtle.importKey(
    'jwk',
    bare(jwk),
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  return { key: key as client.CryptoKey, kid: jwk.kid as string };
}

export async function decryptionKey(jwks: { keys: Jwk[] }): Promise<client.DecryptionKey> {
  const jwk = jwks.keys.find((k) => k.use === 'enc')!;
  const key = await webcrypto.subtle.importKey(
    'jwk',
    bare(jwk),
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    ['deriveBits'],
  );
  return { key: key as client.CryptoKey, alg: 'ECDH-ES', kid: jwk.kid as string };
}

export function plainConfig(s: OidcTestServer, tls: TlsTrust = s.tls): Promise<client.Configuration> {
  return client.discovery(
    new URL(s.issuer),
    PLAIN.clientId,
    { id_token_signed_response_alg: 'ES256' },
    client.ClientSecretBasic(PLAIN.secret),
    {
      [client.customFetch]: fetchVia(tls),
    },
  );
}

export async function bankConfig(
  s: OidcTestServer,
  o: { decrypt?: boolean } = {},
): Promise<client.Configuration> {
  const config = await client.discovery(
    new URL(s.issuer),
    BANK.clientId,
    { id_token_signed_response_alg: 'PS256' },
    client.PrivateKeyJwt(await signingKey(s.bankJwks)),
    { [client.customFetch]: fetchVia(s.tls) },
  );
  if (o.decrypt ?? true)
    client.enableDecryptingResponses(config, ['A256GCM'], await decryptionKey(s.bankJwks));
  return config;
}

export async function mtlsConfig(s: OidcTestServer): Promise<client.Configuration> {
  return client.discovery(
    new URL(s.issuer),
    MTLS.clientId,
    { id_token_signed_response_alg: 'PS256', use_mtls_endpoint_aliases: true },
    client.TlsClientAuth(),
    { [client.customFetch]: fetchVia({ ...s.tls, ...s.mtlsClient }) },
  );
}

export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = client.randomPKCECodeVerifier();
  return { verifier, challenge: await client.calculatePKCECodeChallenge(verifier) };
}

/** A code + PKCE authorization URL of the plain client (scope `openid profile`, state `st`). */
export async function plainAuthorization(
  config: client.Configuration,
): Promise<{ url: URL; verifier: string }> {
  const p = await pkce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: PLAIN.redirect,
    scope: 'openid profile',
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
    state: 'st',
  });
  return { url, verifier: p.verifier };
}

const iso = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

/** The claims the card's fields (the card file's JSON) must produce, for the named claims. */
export function expectedClaims(fields: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const a = fields.householdAddress as {
    state: string;
    city: string;
    street: string;
    country: string;
    zipcode?: string;
  };
  const all: Record<string, unknown> = {
    name: fields.chineseName,
    neid_romanized_name: fields.romanizedName,
    birthdate: iso(fields.dateOfBirth as string),
    gender: { M: 'male', F: 'female', X: 'other' }[fields.sex as string],
    address: {
      formatted: `${a.state}${a.city}${a.street}`,
      street_address: a.street,
      locality: a.city,
      region: a.state,
      ...(a.zipcode ? { postal_code: a.zipcode } : {}),
      country: a.country,
    },
    neid_national_id: fields.nationalIdNumber,
    neid_card_number: fields.cardNumber,
    neid_card_issue_date: iso(fields.issueDate as string),
    neid_card_renewal_due_date: iso(fields.renewalDueDate as string),
    neid_household_area: fields.householdArea,
    neid_photo: `data:image/jpeg;base64,${fields.photo as string}`,
  };
  return Object.fromEntries(names.map((n) => [n, all[n]]));
}
