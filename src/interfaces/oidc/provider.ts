/**
 * The oidc-provider configuration of N_eID-Server's OpenID Provider
 * (docs/oidc-provider.md): authorization code flow with PKCE S256 for every
 * client, PAR (RFC 9126), private_key_jwt / mTLS (RFC 8705) / client secret
 * client authentication, DPoP (RFC 9449), issuer in the authorization
 * response (RFC 9207), PS256/ES256-signed and optionally encrypted ID Tokens,
 * userinfo, pairwise subjects, dynamic registration (RFC 7591) behind
 * per-eService initial access tokens, and the FAPI 2.0 Security Profile for
 * clients registered with `profile: fapi2`.
 */
import { createHmac } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import Provider, {
  type Adapter,
  type Configuration,
  interactionPolicy,
  type Json,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import type { Registry } from '../../config/relying-parties.js';
import { ERROR_PAGE_CSP, errorPage } from '../browser/pages.js';
import { ACR, claimsConfiguration, SCOPES } from './claims.js';
import {
  BINDING_PROPERTIES,
  bindingOf,
  initialAccessTokens,
  policyName,
  registrationPolicy,
  registryClients,
} from './clients.js';
import { conformance } from './conformance.js';
import { OidcRequestError } from './errors.js';
import type { LoginClaims } from './login-claims.js';
import { dnParts, peerCertificate, splitPem } from './mtls-certificates.js';
import { checkTransactionInfo, planRequest } from './request.js';
import { redirectUnavailable } from './unavailable.js';

const CLOCK_TOLERANCE = 15;

export const TTL = {
  /** FAPI 2.0 §5.3.2.1-14: authorization codes live at most 60 seconds. */
  authorizationCode: 60,
  accessToken: 600,
  idToken: 600,
  session: 600,
} as const;

/** How long the claims of a login are kept: until the last access token it can yield has expired. */
export const CLAIMS_TTL = TTL.authorizationCode + TTL.accessToken + 30;

export interface ProviderOptions {
  readonly issuer: string;
  readonly registry: Registry;
  /** The provider's private JWKS (PKI_FILES.oidcJwks). */
  readonly jwks: { keys: Json[] };
  /** The registry's clients (oidc-provider metadata), read at every lookup: the registry is live. */
  readonly clients: () => readonly Json[];
  readonly cookieKeys: readonly string[];
  readonly pairwiseKey: Buffer;
  readonly claims: LoginClaims;
  /** Adapter factory for oidc-provider's models; undefined: oidc-provider's own in-memory adapter. */
  readonly adapter?: (model: string) => Adapter;
  /** Interaction TTL in seconds (the EAC session lifetime). */
  readonly interactionTtl: number;
  /**
   * The mTLS listener's base URL (RFC 8705 §5 endpoint aliases); undefined: no mTLS endpoints, and
   * then the certificate methods are neither advertised nor accepted.
   */
  readonly mtlsUrl?: string;
  /** CA certificates (PEM) per tls_client_auth client id. */
  readonly clientCas: ReadonlyMap<string, string>;
}

/** Subject identifiers (OIDC Core §8.1): HMAC over the client's sector and the eService pseudonym. */
export function pairwiseSubject(key: Buffer, sector: string, accountId: string): string {
  return createHmac('sha256', key).update(`neid-sub\0${sector}\0${accountId}`).digest('base64url');
}

/** A login must be fresh: every authorization runs the card again (the claims come from it). */
const freshLogin = new interactionPolicy.Check(
  'neid_fresh_login',
  'every authorization reads the ID card',
  'login_required',
  (ctx) => !ctx.oidc.result?.login,
);

export function createProvider(o: ProviderOptions): Provider {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(freshLogin, 0);

  // Registration policies per eService, kept current as the registry changes (oidc-provider reads the object).
  const policies: Record<string, ReturnType<typeof registrationPolicy>> = {};
  const refreshPolicies = () => {
    for (const k of Object.keys(policies)) delete policies[k];
    for (const es of o.registry.eServices)
      if (es.oidc?.registration) policies[policyName(es.id)] = registrationPolicy(es);
  };
  refreshPolicies();
  o.registry.onChange?.(refreshPolicies);
  const iat = initialAccessTokens(o.registry);
  const base = o.adapter ?? createMemoryAdapter(CLOCK_TOLERANCE);
  const adapter = (model: string) =>
    model === 'InitialAccessToken'
      ? iat
      : model === 'Client'
        ? registryClients(base(model), o.clients)
        : base(model);

  const aliases = o.mtlsUrl
    ? {
        mtls_endpoint_aliases: {
          token_endpoint: `${o.mtlsUrl}/oidc/token`,
          pushed_authorization_request_endpoint: `${o.mtlsUrl}/oidc/request`,
          userinfo_endpoint: `${o.mtlsUrl}/oidc/me`,
          revocation_endpoint: `${o.mtlsUrl}/oidc/token/revocation`,
        },
      }
    : {};

  const config: Configuration = {
    adapter,
    clockTolerance: CLOCK_TOLERANCE,
    clients: [],
    jwks: o.jwks,
    cookies: {
      keys: [...o.cookieKeys],
      names: {
        session: 'neid_oidc_session',
        interaction: 'neid_oidc_interaction',
        resume: 'neid_oidc_resume',
      },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    scopes: [...SCOPES],
    claims: claimsConfiguration(),
    conformIdTokenClaims: false,
    acrValues: [ACR],
    subjectTypes: ['pairwise'],
    responseTypes: ['code'],
    clientAuthMethods: [
      'private_key_jwt',
      ...(o.mtlsUrl ? (['tls_client_auth', 'self_signed_tls_client_auth'] as const) : []),
      'client_secret_basic',
      'none',
    ],
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'PS256',
      token_endpoint_auth_method: 'private_key_jwt',
      subject_type: 'pairwise',
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['PS256', 'ES256'],
      idTokenSigningAlgValues: ['PS256', 'ES256'],
      requestObjectSigningAlgValues: ['PS256', 'ES256'],
      userinfoSigningAlgValues: ['PS256', 'ES256'],
      introspectionSigningAlgValues: ['PS256', 'ES256'],
      authorizationSigningAlgValues: ['PS256', 'ES256'],
      idTokenEncryptionAlgValues: ['RSA-OAEP-256', 'ECDH-ES'],
      idTokenEncryptionEncValues: ['A256GCM', 'A128GCM'],
      requestObjectEncryptionAlgValues: ['RSA-OAEP-256', 'ECDH-ES'],
      requestObjectEncryptionEncValues: ['A256GCM', 'A128GCM'],
      userinfoEncryptionAlgValues: ['RSA-OAEP-256', 'ECDH-ES'],
      userinfoEncryptionEncValues: ['A256GCM', 'A128GCM'],
      dPoPSigningAlgValues: ['ES256', 'PS256'],
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      dPoP: { enabled: true },
      encryption: { enabled: true },
      fapi: {
        enabled: true,
        profile: (_ctx: unknown, client: Json | undefined) =>
          bindingOf(client)?.profile === 'fapi2' ? '2.0' : undefined,
      },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      mTLS: {
        enabled: !!o.mtlsUrl,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: peerCertificate,
        certificateAuthorized(ctx: KoaContextWithOIDC): boolean {
          const socket = ctx.req.socket as Partial<TLSSocket>;
          const cert = peerCertificate(ctx);
          if (!cert || socket.authorized !== true) return false;
          // The chain was verified against all configured client CAs; the client's own CA must be the issuer.
          const pem = ctx.oidc.client ? o.clientCas.get(ctx.oidc.client.clientId) : undefined;
          if (!pem) return true;
          return splitPem(pem).some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
        },
        certificateSubjectMatches(ctx: KoaContextWithOIDC, property: string, expected: string): boolean {
          const cert = peerCertificate(ctx);
          if (!cert || property !== 'tls_client_auth_subject_dn') return false;
          const a = dnParts(cert.subject, /\n/);
          const b = dnParts(expected, /(?<!\\),/);
          return a.length === b.length && a.every((x, i) => x === b[i]);
        },
      },
      registration: {
        enabled: !!o.registry.onChange || Object.keys(policies).length > 0,
        initialAccessToken: true,
        policies,
        issueRegistrationAccessToken: false,
      },
      registrationManagement: { enabled: false },
      resourceIndicators: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: true },
    },
    extraClientMetadata: {
      properties: [...BINDING_PROPERTIES],
      validator(_ctx: unknown, key: string, value: unknown): void {
        if (key === 'neid_eservice' && (typeof value !== 'string' || !o.registry.get(value))) {
          throw new TypeError('the client is not bound to a known eService');
        }
      },
    },
    extraParams: {
      // Runs at the pushed authorization and authorization endpoints, after the redirect URI check:
      // everything the request asks of the card is checked against the approval here.
      async neid_transaction_info(
        ctx: KoaContextWithOIDC,
        value: unknown,
        client: Json | undefined,
      ): Promise<void> {
        const b = bindingOf(client);
        const es = b && o.registry.get(b.eServiceId);
        if (!es)
          throw new OidcRequestError(
            'invalid_request',
            'the client is not bound to an eService',
          ).toProviderError();
        try {
          checkTransactionInfo(value);
          const p = ctx.oidc.params ?? {};
          planRequest(es, p.scope as string | undefined, p.claims as string | undefined);
        } catch (e) {
          if (e instanceof OidcRequestError) throw e.toProviderError();
          throw e;
        }
      },
    },
    expiresWithSession: () => false,
    // No refresh tokens: oidc-provider's default issues them only for offline_access, which no scope
    // list here contains, so the refresh_token grant is not even registered (nor advertised).
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grantId = (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    async findAccount(_ctx: unknown, sub: string, token?: { grantId?: string; clientId?: string }) {
      if (!token?.grantId) return { accountId: sub, claims: () => ({ sub }) };
      const rec = await o.claims.get(token.grantId);
      if (!rec || rec.accountId !== sub || rec.clientId !== token.clientId) return undefined;
      return { accountId: sub, claims: () => ({ ...rec.claims, sub }) };
    },
    async pairwiseIdentifier(_ctx: unknown, accountId: string, client: Json) {
      const b = bindingOf(client);
      if (!b) throw new Error('client without eService binding');
      return pairwiseSubject(o.pairwiseKey, b.sector, accountId);
    },
    sectorIdentifierUriValidate: () => false,
    clientBasedCORS: () => false,
    interactions: {
      policy,
      url: (_ctx: unknown, interaction: { uid: string }) => `/oidc/interaction/${interaction.uid}`,
    },
    ttl: {
      AccessToken: TTL.accessToken,
      AuthorizationCode: TTL.authorizationCode,
      IdToken: TTL.idToken,
      Interaction: o.interactionTtl,
      Session: TTL.session,
      Grant: CLAIMS_TTL,
    },
    discovery: { ...aliases, service_documentation: undefined },
    async renderError(
      ctx: KoaContextWithOIDC,
      out: { error?: string; error_description?: string },
      err: unknown,
    ) {
      if (redirectUnavailable(ctx, err)) return;
      // Only when oidc-provider cannot send the error back to the client (e.g. an unregistered redirect_uri).
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Content-Security-Policy', ERROR_PAGE_CSP);
      ctx.body = errorPage({
        title: { zh: '無法登入', en: 'Cannot log in' },
        message: {
          zh: '服務網站送來的登入請求有誤，因此無法在此登入。請回到服務網站重新開始；若問題持續，請聯絡該服務。',
          en: "The service's login request is not valid, so you cannot log in here. Go back to the service and start again; if this keeps happening, contact the service.",
        },
        detail: `${out.error ?? 'error'}: ${out.error_description ?? ''}`,
      });
    },
  };
  const provider = new Provider(o.issuer, config);
  provider.proxy = false;
  conformance(provider);
  return provider;
}
