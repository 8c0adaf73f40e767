/**
 * OpenID Connect settings of an eService in config/relying-parties.yaml
 * (docs/oidc-provider.md §"Client registration"): at most one statically
 * registered client, and optionally dynamic registration (RFC 7591) with an
 * initial access token that binds every client it registers to this eService.
 */
import { ConfigError } from '../errors.js';
import type { Reader } from '../validate.js';

export type OidcProfile = 'oidc' | 'fapi2';
export type OidcAuthMethod =
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth'
  | 'client_secret_basic'
  | 'none';

export const FAPI2_AUTH_METHODS: readonly OidcAuthMethod[] = [
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];
export const ID_TOKEN_ENC_ALGS = ['RSA-OAEP-256', 'ECDH-ES'] as const;
export const ID_TOKEN_ENC_ENCS = ['A256GCM', 'A128GCM'] as const;

export interface OidcClientSettings {
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly profile: OidcProfile;
  readonly tokenEndpointAuthMethod: OidcAuthMethod;
  /**
   * JWKS file of the client (private_key_jwt, self_signed_tls_client_auth, id_token
   * encryption). Only public members are used. Default when needed: the JWKS
   * `neid pki init` writes to the PKI directory (oidcClientJwksFile).
   */
  readonly jwks?: string;
  /** The client's JWKS itself (the registry database holds it); used instead of the `jwks` file. */
  readonly jwksDocument?: { readonly keys: readonly Record<string, unknown>[] };
  readonly clientSecret?: string;
  readonly idTokenSignedResponseAlg: 'PS256' | 'ES256';
  readonly idTokenEncryption?: {
    readonly alg: (typeof ID_TOKEN_ENC_ALGS)[number];
    readonly enc: (typeof ID_TOKEN_ENC_ENCS)[number];
  };
  /** tls_client_auth: the subject DN of the client certificate (RFC 8705 §2.1.2). */
  readonly tlsClientCertificateSubject?: string;
  /** tls_client_auth: PEM file of the CA certificate(s) that issue the client's certificates. */
  readonly tlsClientCa?: string;
  /** tls_client_auth: the CA certificate(s) as PEM (the registry database holds them); used instead of the file. */
  readonly tlsClientCaPem?: string;
  /** Sector identifier for pairwise subjects; defaults to the eService id. */
  readonly sector?: string;
}

export interface OidcRegistrationSettings {
  /** SHA-256 (hex) of the initial access token (the token itself is never stored in the registry). */
  readonly initialAccessTokenSha256: string;
  /** The profile every client registered with this token gets. */
  readonly profile: OidcProfile;
  readonly sector?: string;
}

export interface OidcSettings {
  readonly client?: OidcClientSettings;
  readonly registration?: OidcRegistrationSettings;
}

/** Where `neid pki init` writes an OIDC client's private JWKS (relative to the PKI directory). */
export const oidcClientJwksFile = (eServiceId: string): string => `oidc-clients/${eServiceId}.jwks.json`;

/** Whether a client needs a JWKS (signing or encryption keys). */
export const needsJwks = (
  c: Pick<OidcClientSettings, 'tokenEndpointAuthMethod' | 'idTokenEncryption'>,
): boolean =>
  c.tokenEndpointAuthMethod === 'private_key_jwt' ||
  c.tokenEndpointAuthMethod === 'self_signed_tls_client_auth' ||
  !!c.idTokenEncryption;

const CLIENT_KEYS = [
  'clientId',
  'redirectUris',
  'profile',
  'tokenEndpointAuthMethod',
  'jwks',
  'clientSecret',
  'idTokenSignedResponseAlg',
  'idTokenEncryption',
  'tlsClientCertificateSubject',
  'tlsClientCa',
  'sector',
];

function readClient(r: Reader, file: (x: Reader) => string): OidcClientSettings {
  const redirectUris = r
    .at('redirectUris')
    .list()
    .map((u) => u.url(undefined, ['https:', 'http:']));
  if (redirectUris.length === 0) throw new ConfigError(`${r.path}.redirectUris must list at least one URI`);
  const profile = r.at('profile').oneOf(['oidc', 'fapi2'] as const, 'oidc');
  const method = r
    .at('tokenEndpointAuthMethod')
    .oneOf(
      [
        'private_key_jwt',
        'tls_client_auth',
        'self_signed_tls_client_auth',
        'client_secret_basic',
        'none',
      ] as const,
      profile === 'fapi2' ? 'private_key_jwt' : 'client_secret_basic',
    );
  if (profile === 'fapi2') {
    if (!FAPI2_AUTH_METHODS.includes(method)) {
      throw new ConfigError(
        `${r.path}: a FAPI 2.0 client must use private_key_jwt, tls_client_auth or self_signed_tls_client_auth`,
      );
    }
    if (redirectUris.some((u) => !u.startsWith('https:')))
      throw new ConfigError(`${r.path}: a FAPI 2.0 client needs https redirect URIs`);
  }
  const secret = r.at('clientSecret').optionalString();
  if (method === 'client_secret_basic' && (!secret || secret.length < 32)) {
    throw new ConfigError(
      `${r.path}.clientSecret: client_secret_basic needs a secret of at least 32 characters`,
    );
  }
  if (method !== 'client_secret_basic' && secret)
    throw new ConfigError(`${r.path}.clientSecret is only used with client_secret_basic`);
  const subject = r.at('tlsClientCertificateSubject').optionalString();
  const ca = r.at('tlsClientCa');
  if (method === 'tls_client_auth' && (!subject || !ca.present)) {
    throw new ConfigError(`${r.path}: tls_client_auth needs tlsClientCertificateSubject and tlsClientCa`);
  }
  const encR = r.at('idTokenEncryption').only(['alg', 'enc']);
  const enc = encR.present
    ? {
        alg: encR.at('alg').oneOf(ID_TOKEN_ENC_ALGS, 'RSA-OAEP-256'),
        enc: encR.at('enc').oneOf(ID_TOKEN_ENC_ENCS, 'A256GCM'),
      }
    : undefined;
  const jwks = r.at('jwks');
  const sector = r.at('sector').optionalString();
  return {
    clientId: r.at('clientId').string(),
    redirectUris,
    profile,
    tokenEndpointAuthMethod: method,
    ...(jwks.present ? { jwks: file(jwks) } : {}),
    ...(secret ? { clientSecret: secret } : {}),
    idTokenSignedResponseAlg: r.at('idTokenSignedResponseAlg').oneOf(['PS256', 'ES256'] as const, 'PS256'),
    ...(enc ? { idTokenEncryption: enc } : {}),
    ...(subject ? { tlsClientCertificateSubject: subject } : {}),
    ...(ca.present ? { tlsClientCa: file(ca) } : {}),
    ...(sector ? { sector } : {}),
  };
}

function readRegistration(r: Reader): OidcRegistrationSettings {
  r.only(['initialAccessTokenSha256', 'profile', 'sector']);
  const hash = r.at('initialAccessTokenSha256').string().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash))
    throw new ConfigError(`${r.path}.initialAccessTokenSha256 must be 64 hex digits (SHA-256 of the token)`);
  const sector = r.at('sector').optionalString();
  return {
    initialAccessTokenSha256: hash,
    profile: r.at('profile').oneOf(['oidc', 'fapi2'] as const, 'fapi2'),
    ...(sector ? { sector } : {}),
  };
}

export function readOidc(r: Reader, file: (x: Reader) => string): OidcSettings {
  r.only([...CLIENT_KEYS, 'registration']);
  const reg = r.at('registration');
  const hasClient = r.at('clientId').present || r.at('redirectUris').present;
  if (!hasClient && !reg.present)
    throw new ConfigError(`${r.path} needs clientId and redirectUris, or registration`);
  if (!hasClient) {
    const stray = CLIENT_KEYS.filter((k) => r.at(k).present);
    if (stray.length) throw new ConfigError(`${r.path}: ${stray.join(', ')} need clientId and redirectUris`);
  }
  return {
    ...(hasClient ? { client: readClient(r, file) } : {}),
    ...(reg.present ? { registration: readRegistration(reg) } : {}),
  };
}
