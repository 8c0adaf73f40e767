/** OpenID Connect client settings of an eService in config/relying-parties.yaml. */
import { ConfigError } from '../errors.js';
import type { Reader } from '../validate.js';

export interface OidcSettings {
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly profile: 'oidc' | 'fapi2';
  readonly tokenEndpointAuthMethod: 'private_key_jwt' | 'tls_client_auth' | 'client_secret_basic' | 'none';
  /** JWKS file of the client (private_key_jwt, id_token encryption). */
  readonly jwks?: string;
  readonly clientSecret?: string;
  readonly idTokenSignedResponseAlg: 'PS256' | 'ES256';
  readonly idTokenEncryption?: { readonly alg: string; readonly enc: string };
  readonly tlsClientCertificateSubject?: string;
  /** Sector identifier for pairwise subjects; defaults to the eService id. */
  readonly sector?: string;
}

export function readOidc(r: Reader, file: (x: Reader) => string): OidcSettings {
  r.only([
    'clientId',
    'redirectUris',
    'profile',
    'tokenEndpointAuthMethod',
    'jwks',
    'clientSecret',
    'idTokenSignedResponseAlg',
    'idTokenEncryption',
    'tlsClientCertificateSubject',
    'sector',
  ]);
  const redirectUris = r.at('redirectUris').list().map((u) => u.url(undefined, ['https:', 'http:']));
  if (redirectUris.length === 0) throw new ConfigError(`${r.path}.redirectUris must list at least one URI`);
  const enc = r.at('idTokenEncryption');
  const profile = r.at('profile').oneOf(['oidc', 'fapi2'] as const, 'oidc');
  const method = r
    .at('tokenEndpointAuthMethod')
    .oneOf(['private_key_jwt', 'tls_client_auth', 'client_secret_basic', 'none'] as const, profile === 'fapi2' ? 'private_key_jwt' : 'client_secret_basic');
  if (profile === 'fapi2' && method !== 'private_key_jwt' && method !== 'tls_client_auth') {
    throw new ConfigError(`${r.path}: a FAPI 2.0 client must use private_key_jwt or tls_client_auth`);
  }
  const jwks = r.at('jwks');
  const secret = r.at('clientSecret').optionalString();
  const subject = r.at('tlsClientCertificateSubject').optionalString();
  const sector = r.at('sector').optionalString();
  return {
    clientId: r.at('clientId').string(),
    redirectUris,
    profile,
    tokenEndpointAuthMethod: method,
    ...(jwks.present ? { jwks: file(jwks) } : {}),
    ...(secret ? { clientSecret: secret } : {}),
    idTokenSignedResponseAlg: r.at('idTokenSignedResponseAlg').oneOf(['PS256', 'ES256'] as const, 'PS256'),
    ...(enc.present ? { idTokenEncryption: { alg: enc.at('alg').string(), enc: enc.at('enc').string() } } : {}),
    ...(subject ? { tlsClientCertificateSubject: subject } : {}),
    ...(sector ? { sector } : {}),
  };
}

