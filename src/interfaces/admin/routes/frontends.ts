/** Front-end registrations: SAML SP metadata (upload or URL), the OIDC client, SOAP settings and certificates. */
import { createPublicKey } from 'node:crypto';
import { ConfigError } from '../../../config/errors.js';
import { needsJwks, type OidcSettings, readOidc } from '../../../config/eservice/oidc.js';
import { Reader } from '../../../config/validate.js';
import { invalid, RegistryError } from '../../../registry/errors.js';
import { getEService } from '../../../registry/store/eservices.js';
import { getOidc, getSaml, getSoap, type SamlRegistration } from '../../../registry/store/frontends.js';
import {
  addSoapCert,
  registerOidc,
  registerSaml,
  removeSoapCert,
  setSoapSettings,
  unregisterFrontEnd,
} from '../../../registry/workflow/frontends.js';
import type { AdminDeps } from '../deps.js';
import { type RouteDef, route } from '../route.js';
import { checkMetadata, fetchMetadata, refreshMetadata } from '../saml-metadata.js';
import { samlView, soapView } from '../views.js';
import { pathEService } from './eservices.js';

const TAG = 'Front-end registrations';
const ES = '/eservices/{id}';

interface SamlBody {
  metadataXml?: string;
  metadataUrl?: string;
  nameIdFormat?: SamlRegistration['settings']['nameIdFormat'];
  algorithms?: SamlRegistration['settings']['algorithms'];
  requireSignedRequests?: boolean;
  resultStyle?: SamlRegistration['settings']['resultStyle'];
}

interface OidcBody {
  client?: Record<string, unknown> & { jwks?: { keys: Record<string, unknown>[] }; tlsClientCa?: string };
  registration?: Record<string, unknown>;
}

/** The OIDC body checked with the registry file's own rules (src/config/eservice/oidc.ts). */
function oidcSettings(body: OidcBody): OidcSettings {
  const { jwks, tlsClientCa, ...client } = body.client ?? {};
  let settings: OidcSettings;
  try {
    const doc = {
      ...(body.client ? client : {}),
      ...(body.registration ? { registration: body.registration } : {}),
    };
    settings = readOidc(new Reader('body', 'client', doc), () => '');
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const key = /client\.(\w+)/.exec(e.message)?.[1];
    throw invalid(
      key === 'registration' ? '/registration' : `/client${key ? `/${key}` : ''}`,
      e.message.replace(/^body: /, ''),
    );
  }
  if (!settings.client) return settings;
  for (const [i, k] of (jwks?.keys ?? []).entries()) {
    if ('d' in k || 'k' in k) throw invalid(`/client/jwks/keys/${i}`, 'a client JWKS holds public keys only');
    try {
      createPublicKey({ key: k as never, format: 'jwk' });
    } catch (e) {
      throw invalid(`/client/jwks/keys/${i}`, `not a usable JWK: ${(e as Error).message}`);
    }
  }
  if (needsJwks(settings.client) && !jwks)
    throw invalid(
      '/client/jwks',
      'this client needs its JWKS (keys for private_key_jwt or id_token encryption)',
    );
  if (settings.client.tokenEndpointAuthMethod === 'tls_client_auth' && !tlsClientCa)
    throw invalid('/client/tlsClientCa', 'tls_client_auth needs the CA certificate(s) of the client');
  return {
    ...settings,
    client: {
      ...settings.client,
      ...(jwks ? { jwksDocument: jwks } : {}),
      ...(tlsClientCa ? { tlsClientCaPem: tlsClientCa } : {}),
    },
  };
}

export function frontEndRoutes(d: AdminDeps): RouteDef[] {
  const profile = async (id: string) => {
    const es = await getEService(d.ctx.db, id);
    return { ...es, approvedFields: [...es.approvedFields], approvedFunctions: [...es.approvedFunctions] };
  };
  const remove = (kind: 'saml' | 'oidc' | 'soap') =>
    route({
      method: 'delete',
      path: `${ES}/${kind}`,
      target: pathEService,
      operationId: `delete${kind.toUpperCase()}`,
      summary: `Remove the ${kind.toUpperCase()} registration`,
      tag: TAG,
      permission: 'frontend:write',
      responses: { '204': 'Removed' },
      handler: async (c) => {
        await unregisterFrontEnd(d.ctx, c.principal, c.params.id!, kind);
        return { status: 204 };
      },
    });
  const got = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new RegistryError('not-found', `${what} is not registered`);
    return v;
  };
  return [
    route({
      method: 'get',
      path: `${ES}/saml`,
      target: pathEService,
      operationId: 'getSAML',
      summary: 'The SAML SP registration',
      tag: TAG,
      permission: 'eservice:read',
      handler: async (c) => {
        const s = got(await getSaml(d.ctx.db, c.params.id!), 'SAML');
        return { body: samlView(s), version: s.version };
      },
    }),
    route<SamlBody>({
      method: 'put',
      path: `${ES}/saml`,
      target: pathEService,
      operationId: 'putSAML',
      summary:
        'Register SP metadata, uploaded (metadataXml) or from a URL (fetched now and refreshed periodically)',
      tag: TAG,
      permission: 'frontend:write',
      body: 'SamlRegistration',
      maxBody: d.metadata.maxBytes * 2 + 65536,
      handler: async (c) => {
        const b = c.body;
        const settings = {
          nameIdFormat: b.nameIdFormat ?? 'transient',
          algorithms: b.algorithms ?? 'tr-03116-4',
          requireSignedRequests: b.requireSignedRequests ?? true,
          resultStyle: b.resultStyle ?? 'auto',
        };
        const xml = b.metadataXml ?? (await fetchMetadata(b.metadataUrl!, d.metadata));
        const field = b.metadataXml ? '/metadataXml' : '/metadataUrl';
        const checked = checkMetadata(
          xml,
          await profile(c.params.id!),
          settings,
          d.metadata,
          d.ctx.now(),
          field,
        );
        const s = await registerSaml(
          d.ctx,
          c.principal,
          {
            eServiceId: c.params.id!,
            settings,
            source: b.metadataUrl ? 'url' : 'upload',
            ...(b.metadataUrl ? { metadataUrl: b.metadataUrl, fetchedAt: d.ctx.now() } : {}),
            metadataXml: xml,
            entityId: checked.entityId,
            ...(checked.validUntil ? { validUntil: checked.validUntil } : {}),
          },
          c.ifMatch,
        );
        return { body: samlView(s), version: s.version };
      },
    }),
    route({
      method: 'post',
      path: '/saml/refresh',
      operationId: 'refreshSAML',
      summary: 'Fetch every URL-registered SP metadata that is due now (also done periodically)',
      tag: TAG,
      permission: 'frontend:write',
      handler: async () => ({
        body: { changed: await refreshMetadata(d.ctx, d.metadata, profile, { info() {}, warn() {} }) },
      }),
    }),
    remove('saml'),
    route({
      method: 'get',
      path: `${ES}/oidc`,
      target: pathEService,
      operationId: 'getOIDC',
      summary: 'The OIDC client registration',
      tag: TAG,
      permission: 'eservice:read',
      handler: async (c) => {
        const o = got(await getOidc(d.ctx.db, c.params.id!), 'OIDC');
        return { body: { ...o.settings, version: o.version }, version: o.version };
      },
    }),
    route<OidcBody>({
      method: 'put',
      path: `${ES}/oidc`,
      target: pathEService,
      operationId: 'putOIDC',
      summary: 'Register the OIDC client (and/or dynamic registration with an initial access token hash)',
      tag: TAG,
      permission: 'frontend:write',
      body: 'OidcRegistration',
      handler: async (c) => {
        const settings = oidcSettings(c.body);
        const o = await registerOidc(d.ctx, c.principal, c.params.id!, settings as never, c.ifMatch);
        return { body: { ...o.settings, version: o.version }, version: o.version };
      },
    }),
    remove('oidc'),
    route({
      method: 'get',
      path: `${ES}/soap`,
      target: pathEService,
      operationId: 'getSOAP',
      summary: 'SOAP settings and certificates, with their validity now',
      tag: TAG,
      permission: 'eservice:read',
      handler: async (c) => {
        const s = got(await getSoap(d.ctx.db, c.params.id!), 'SOAP');
        return { body: soapView(s, d.ctx.now()), version: s.version };
      },
    }),
    route<{ requestCounter: 'strict' | 'increasing' }>({
      method: 'put',
      path: `${ES}/soap`,
      target: pathEService,
      operationId: 'putSOAP',
      summary: 'SOAP settings (getResult RequestCounter rule)',
      tag: TAG,
      permission: 'frontend:write',
      body: 'SoapSettings',
      handler: async (c) => {
        const s = await setSoapSettings(d.ctx, c.principal, c.params.id!, c.body);
        return { body: soapView(s, d.ctx.now()), version: s.version };
      },
    }),
    route<{ usage: 'tls-client' | 'signing'; certificate: string }>({
      method: 'post',
      path: `${ES}/soap/certificates`,
      target: pathEService,
      operationId: 'addSOAPCertificate',
      summary: 'Add a TLS client or WS-Security signing certificate (several at once for a rollover)',
      tag: TAG,
      permission: 'frontend:write',
      body: 'SoapCertificateAdd',
      responses: { '201': 'Added' },
      handler: async (c) => {
        await addSoapCert(d.ctx, c.principal, c.params.id!, c.body.usage, c.body.certificate);
        return { status: 201, body: soapView((await getSoap(d.ctx.db, c.params.id!))!, d.ctx.now()) };
      },
    }),
    route({
      method: 'delete',
      path: `${ES}/soap/certificates/{usage}/{fingerprint}`,
      target: pathEService,
      operationId: 'removeSOAPCertificate',
      summary: 'Remove a certificate (by usage and SHA-256 fingerprint)',
      tag: TAG,
      permission: 'frontend:write',
      responses: { '204': 'Removed' },
      handler: async (c) => {
        const usage = c.params.usage;
        if (usage !== 'tls-client' && usage !== 'signing')
          throw invalid('/usage', 'must be tls-client or signing');
        await removeSoapCert(d.ctx, c.principal, c.params.id!, usage, c.params.fingerprint!);
        return { status: 204 };
      },
    }),
    remove('soap'),
  ];
}
