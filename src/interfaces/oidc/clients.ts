/**
 * Clients of the OpenID Provider: the registry's `oidc:` sections become
 * oidc-provider client metadata (OIDC Dynamic Client Registration 1.0 §2
 * names), and dynamic registrations (RFC 7591) are bound to the eService
 * whose initial access token they present. Every client carries its binding
 * — eService, pairwise sector, profile — as extra metadata that only this
 * module sets. The FAPI 2.0 Security Profile (§5.3.2) is applied per client
 * here: PAR required, sender-constrained tokens (DPoP for private_key_jwt,
 * certificate-bound for mTLS), code flow only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Adapter, errors, type Json } from 'oidc-provider';
import {
  FAPI2_AUTH_METHODS,
  ID_TOKEN_ENC_ALGS,
  ID_TOKEN_ENC_ENCS,
  needsJwks,
  type OidcAuthMethod,
  type OidcClientSettings,
  type OidcProfile,
  oidcClientJwksFile,
} from '../../config/eservice/oidc.js';
import type { EService, Registry } from '../../config/relying-parties.js';
import { scopesFor } from './claims.js';

/** Extra client metadata (oidc-provider `extraClientMetadata.properties`). */
export const BINDING_PROPERTIES = ['neid_eservice', 'neid_sector', 'neid_profile'] as const;

export interface ClientBinding {
  readonly eServiceId: string;
  readonly sector: string;
  readonly profile: OidcProfile;
}

/** The binding of an oidc-provider Client instance (extra metadata is camel-cased on the instance). */
export function bindingOf(client: Readonly<Record<string, unknown>> | undefined): ClientBinding | undefined {
  if (!client) return undefined;
  const get = (snake: string, camel: string) => (client[camel] ?? client[snake]) as string | undefined;
  const eServiceId = get('neid_eservice', 'neidEservice');
  const sector = get('neid_sector', 'neidSector');
  const profile = get('neid_profile', 'neidProfile');
  if (!eServiceId || !sector || (profile !== 'oidc' && profile !== 'fapi2')) return undefined;
  return { eServiceId, sector, profile };
}

export class ClientConfigError extends Error {
  override readonly name = 'ClientConfigError';
}

/** The public members of a JWKS file, or of a JWKS held in the registry (private members are dropped). */
export function publicJwks(file: string, held?: { readonly keys: readonly unknown[] }): { keys: Json[] } {
  let doc: unknown = held;
  if (!doc) {
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ClientConfigError(
        `cannot read the client JWKS ${file}: ${(e as Error).message} (set oidc.jwks in the registry, or create the test PKI with "neid pki init")`,
      );
    }
  }
  const keys = (doc as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new ClientConfigError(`${file} is not a JWKS`);
  const PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);
  return {
    keys: keys.map((k: Json) => Object.fromEntries(Object.entries(k).filter(([n]) => !PRIVATE.has(n)))),
  };
}

/**
 * Metadata common to every client of an eService: code flow only, pairwise
 * subjects, the approved scopes, and the FAPI 2.0 constraints for fapi2.
 */
function profileMetadata(
  es: EService,
  profile: OidcProfile,
  method: string,
  redirectUris: readonly string[],
  sector: string,
): Json {
  const hosts = new Set(redirectUris.map((u) => new URL(u).host));
  return {
    response_types: ['code'],
    grant_types: ['authorization_code'],
    subject_type: 'pairwise',
    // oidc-provider wants a sector_identifier_uri for pairwise clients with several redirect hosts; this
    // provider derives subjects from its own sector (pairwiseIdentifier), so the URI is a marker, never fetched.
    ...(hosts.size > 1
      ? { sector_identifier_uri: `https://sector.invalid/${encodeURIComponent(sector)}` }
      : {}),
    scope: scopesFor(es.approvedFields).join(' '),
    neid_eservice: es.id,
    neid_sector: sector,
    neid_profile: profile,
    ...(profile === 'fapi2'
      ? {
          require_pushed_authorization_requests: true,
          ...(method === 'private_key_jwt'
            ? { dpop_bound_access_tokens: true }
            : { tls_client_certificate_bound_access_tokens: true }),
        }
      : {}),
  };
}

/** oidc-provider metadata of the statically registered client of `es`. */
export function staticClientMetadata(es: EService, c: OidcClientSettings, pkiDir: string): Json {
  const sector = c.sector ?? es.id;
  const jwksFile = c.jwks ?? join(pkiDir, oidcClientJwksFile(es.id));
  return {
    client_id: c.clientId,
    client_name: es.displayName.en,
    redirect_uris: [...c.redirectUris],
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    id_token_signed_response_alg: c.idTokenSignedResponseAlg,
    ...(c.idTokenEncryption
      ? {
          id_token_encrypted_response_alg: c.idTokenEncryption.alg,
          id_token_encrypted_response_enc: c.idTokenEncryption.enc,
        }
      : {}),
    ...(needsJwks(c) ? { jwks: publicJwks(jwksFile, c.jwksDocument) } : {}),
    ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
    ...(c.tlsClientCertificateSubject ? { tls_client_auth_subject_dn: c.tlsClientCertificateSubject } : {}),
    ...profileMetadata(es, c.profile, c.tokenEndpointAuthMethod, c.redirectUris, sector),
  };
}

export function staticClients(registry: Registry, pkiDir: string): Json[] {
  const out: Json[] = [];
  const ids = new Set<string>();
  for (const es of registry.eServices) {
    const c = es.oidc?.client;
    if (!c) continue;
    if (ids.has(c.clientId))
      throw new ClientConfigError(`OIDC client id ${c.clientId} appears twice in ${registry.file}`);
    ids.add(c.clientId);
    out.push(staticClientMetadata(es, c, pkiDir));
  }
  return out;
}

/**
 * oidc-provider's Client model: the registry's clients first (looked up at every find, so a
 * registry change applies at once; oidc-provider caches a client by the hash of its metadata),
 * then the dynamically registered ones in `stored`. A registry client cannot be overwritten.
 */
export function registryClients(stored: Adapter, clients: () => readonly Json[]): Adapter {
  const registered = (id: string) => clients().find((c) => c.client_id === id);
  return {
    ...stored,
    find: async (id: string) => registered(id) ?? (await stored.find(id)),
    upsert: async (id: string, payload: Json, expiresIn: number) => {
      if (registered(id)) throw new Error(`client id ${id} belongs to the registry`);
      return stored.upsert(id, payload as never, expiresIn);
    },
    destroy: async (id: string) => (registered(id) ? undefined : stored.destroy(id)),
  };
}

/** The CA certificates (PEM) a tls_client_auth client's certificate must chain to, by client id. */
export function clientCas(registry: Registry, m = new Map<string, string>()): Map<string, string> {
  m.clear();
  for (const es of registry.eServices) {
    const c = es.oidc?.client;
    if (c?.tlsClientCaPem) m.set(c.clientId, c.tlsClientCaPem);
    else if (c?.tlsClientCa) m.set(c.clientId, readFileSync(c.tlsClientCa, 'utf8'));
  }
  return m;
}

// ---------------------------------------------------------------------------
// Dynamic registration (RFC 7591) with per-eService initial access tokens.

export const policyName = (eServiceId: string) => `neid:${eServiceId}`;

const FORBIDDEN_FROM_CLIENT = [...BINDING_PROPERTIES, 'sector_identifier_uri', 'scope', 'subject_type'];

/**
 * The registration policy of an eService's initial access token: binds the
 * client to the eService and applies its profile. Runs on the metadata the
 * client sent, before oidc-provider validates it (RFC 7591 §3.2.2 errors).
 */
export function registrationPolicy(es: EService) {
  const reg = es.oidc!.registration!;
  return async (_ctx: unknown, p: Json): Promise<void> => {
    const requested = typeof p.scope === 'string' ? p.scope.split(' ').filter(Boolean) : undefined;
    for (const k of FORBIDDEN_FROM_CLIENT) delete p[k];
    const allowed = scopesFor(es.approvedFields);
    if (requested) {
      const beyond = requested.filter((s) => !allowed.includes(s));
      if (beyond.length)
        throw new errors.InvalidClientMetadata(`scope ${beyond.join(' ')} is not approved for this eService`);
    }
    const method = (p.token_endpoint_auth_method ??
      (reg.profile === 'fapi2' ? 'private_key_jwt' : 'client_secret_basic')) as OidcAuthMethod;
    if (reg.profile === 'fapi2' && !FAPI2_AUTH_METHODS.includes(method)) {
      throw new errors.InvalidClientMetadata(
        'a FAPI 2.0 client must use private_key_jwt, tls_client_auth or self_signed_tls_client_auth',
      );
    }
    if (method === 'tls_client_auth') {
      // No CA is configured for dynamically registered clients; certificates are bound by thumbprint instead.
      throw new errors.InvalidClientMetadata(
        'tls_client_auth clients are configured in the registry; register with self_signed_tls_client_auth or private_key_jwt',
      );
    }
    p.token_endpoint_auth_method = method;
    const redirectUris = Array.isArray(p.redirect_uris)
      ? (p.redirect_uris as unknown[]).filter((u): u is string => typeof u === 'string')
      : [];
    if (reg.profile === 'fapi2' && redirectUris.some((u) => !u.startsWith('https:'))) {
      throw new errors.InvalidClientMetadata('redirect_uris of a FAPI 2.0 client must use https');
    }
    for (const u of redirectUris) {
      if (!URL.canParse(u)) throw new errors.InvalidClientMetadata('redirect_uris must be absolute URLs');
    }
    if (p.id_token_signed_response_alg !== 'ES256') p.id_token_signed_response_alg = 'PS256';
    if (p.id_token_encrypted_response_alg !== undefined) {
      if (!(ID_TOKEN_ENC_ALGS as readonly unknown[]).includes(p.id_token_encrypted_response_alg)) {
        throw new errors.InvalidClientMetadata(
          `id_token_encrypted_response_alg must be ${ID_TOKEN_ENC_ALGS.join(' or ')}`,
        );
      }
      p.id_token_encrypted_response_enc ??= 'A256GCM';
      if (!(ID_TOKEN_ENC_ENCS as readonly unknown[]).includes(p.id_token_encrypted_response_enc)) {
        throw new errors.InvalidClientMetadata(
          `id_token_encrypted_response_enc must be ${ID_TOKEN_ENC_ENCS.join(' or ')}`,
        );
      }
    }
    Object.assign(p, profileMetadata(es, reg.profile, method, redirectUris, reg.sector ?? es.id));
    if (requested) p.scope = ['openid', ...requested.filter((s) => s !== 'openid')].join(' ');
    // oidc-provider decides on a client_secret before the policies run, from the method the client
    // sent (none: the secret method); a client this policy gave another method must not get one.
    if (method !== 'client_secret_basic') {
      delete p.client_secret;
      delete p.client_secret_expires_at;
    }
  };
}

/**
 * oidc-provider adapter for InitialAccessToken: the tokens are not stored but
 * recognised by their SHA-256 in the registry (constant-time compare); each
 * carries the registration policy of its eService.
 */
export function initialAccessTokens(registry: Registry): Adapter {
  // Read from the registry at each use: a live registry adds and removes tokens.
  const entries = () =>
    registry.eServices
      .filter((es) => es.oidc?.registration)
      .map((es) => ({
        hash: Buffer.from(es.oidc!.registration!.initialAccessTokenSha256, 'hex'),
        policy: policyName(es.id),
      }));
  const none = async () => undefined;
  return {
    async find(id: string) {
      const h = createHash('sha256').update(id).digest();
      let hit: string | undefined;
      for (const e of entries()) if (timingSafeEqual(h, e.hash)) hit = e.policy;
      if (!hit) return undefined;
      return { jti: id, kind: 'InitialAccessToken', iat: Math.floor(Date.now() / 1000), policies: [hit] };
    },
    upsert: async () => {
      throw new Error('initial access tokens are configured in the registry, not created at run time');
    },
    findByUid: none,
    findByUserCode: none,
    consume: async () => undefined,
    destroy: async () => undefined,
    revokeByGrantId: async () => undefined,
  };
}
