/**
 * Repository of the front-end registrations of eServices: SAML SP metadata
 * (uploaded or fetched from a URL), OIDC clients, and SOAP settings with their
 * TLS client and WS-Security signing certificates (several at once).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { Queryable } from '../db/database.js';
import { invalid, notFound, RegistryError } from '../errors.js';
import { date, opt, type Row, text } from './rows.js';

export interface SamlRegistration {
  readonly eServiceId: string;
  readonly settings: {
    readonly nameIdFormat: 'transient' | 'persistent';
    readonly algorithms: 'tr-03116-4' | 'legacy';
    readonly requireSignedRequests: boolean;
    /** docs/saml-idp.md §7; absent in registrations made before the setting existed: 'auto'. */
    readonly resultStyle?: 'auto' | 'tr-03130' | 'status';
  };
  readonly source: 'upload' | 'url';
  readonly metadataUrl?: string;
  readonly metadataXml: string;
  readonly entityId: string;
  readonly validUntil?: Date;
  readonly fetchedAt?: Date;
  readonly refreshError?: string;
  readonly version: number;
  readonly updatedAt: Date;
}

export const samlOf = (r: Row): SamlRegistration => ({
  eServiceId: r.eservice_id as string,
  settings: r.settings as SamlRegistration['settings'],
  source: r.source as SamlRegistration['source'],
  ...opt('metadataUrl', text(r.metadata_url)),
  metadataXml: r.metadata_xml as string,
  entityId: r.entity_id as string,
  ...opt('validUntil', date(r.valid_until)),
  ...opt('fetchedAt', date(r.fetched_at)),
  ...opt('refreshError', text(r.refresh_error)),
  version: r.version as number,
  updatedAt: date(r.updated_at)!,
});

export async function getSaml(q: Queryable, eServiceId: string): Promise<SamlRegistration | undefined> {
  const [row] = await q.query<Row>('SELECT * FROM neid.saml_registrations WHERE eservice_id = $1', [
    eServiceId,
  ]);
  return row ? samlOf(row) : undefined;
}

export async function putSaml(
  q: Queryable,
  s: Omit<SamlRegistration, 'version' | 'updatedAt'>,
): Promise<SamlRegistration> {
  const other = await q.query<Row>(
    'SELECT eservice_id FROM neid.saml_registrations WHERE entity_id = $1 AND eservice_id <> $2',
    [s.entityId, s.eServiceId],
  );
  if (other.length)
    throw new RegistryError(
      'conflict',
      `the SAML entityID ${s.entityId} is registered for eService ${other[0]!.eservice_id as string}`,
      '/metadata',
    );
  const [row] = await q.query<Row>(
    `INSERT INTO neid.saml_registrations AS r (eservice_id, settings, source, metadata_url, metadata_xml, entity_id,
       valid_until, fetched_at, refresh_error)
     VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (eservice_id) DO UPDATE SET settings = EXCLUDED.settings, source = EXCLUDED.source,
       metadata_url = EXCLUDED.metadata_url, metadata_xml = EXCLUDED.metadata_xml, entity_id = EXCLUDED.entity_id,
       valid_until = EXCLUDED.valid_until, fetched_at = EXCLUDED.fetched_at, refresh_error = EXCLUDED.refresh_error,
       version = r.version + 1, updated_at = now()
     RETURNING *`,
    [
      s.eServiceId,
      JSON.stringify(s.settings),
      s.source,
      s.metadataUrl ?? null,
      s.metadataXml,
      s.entityId,
      s.validUntil ?? null,
      s.fetchedAt ?? null,
      s.refreshError ?? null,
    ],
  );
  return samlOf(row!);
}

export async function setSamlRefreshError(q: Queryable, eServiceId: string, error: string): Promise<void> {
  await q.query(
    'UPDATE neid.saml_registrations SET refresh_error = $2, fetched_at = now() WHERE eservice_id = $1',
    [eServiceId, error.slice(0, 1000)],
  );
}

export async function samlToRefresh(
  q: Queryable,
  staleBefore: Date,
  soonUntil: Date,
): Promise<SamlRegistration[]> {
  return (
    await q.query<Row>(
      `SELECT * FROM neid.saml_registrations WHERE source = 'url'
         AND (fetched_at IS NULL OR fetched_at < $1 OR (valid_until IS NOT NULL AND valid_until < $2))`,
      [staleBefore, soonUntil],
    )
  ).map(samlOf);
}

export interface OidcRegistration {
  readonly eServiceId: string;
  readonly clientId?: string;
  /** OidcSettings with the client's JWKS and CA certificates inline (src/config/eservice/oidc.ts). */
  readonly settings: Record<string, unknown>;
  readonly version: number;
  readonly updatedAt: Date;
}

const oidcOf = (r: Row): OidcRegistration => ({
  eServiceId: r.eservice_id as string,
  ...opt('clientId', text(r.client_id)),
  settings: r.settings as Record<string, unknown>,
  version: r.version as number,
  updatedAt: date(r.updated_at)!,
});

export async function getOidc(q: Queryable, eServiceId: string): Promise<OidcRegistration | undefined> {
  const [row] = await q.query<Row>('SELECT * FROM neid.oidc_registrations WHERE eservice_id = $1', [
    eServiceId,
  ]);
  return row ? oidcOf(row) : undefined;
}

export async function putOidc(
  q: Queryable,
  eServiceId: string,
  clientId: string | undefined,
  settings: Record<string, unknown>,
): Promise<OidcRegistration> {
  if (clientId) {
    const other = await q.query<Row>(
      'SELECT eservice_id FROM neid.oidc_registrations WHERE client_id = $1 AND eservice_id <> $2',
      [clientId, eServiceId],
    );
    if (other.length)
      throw new RegistryError(
        'conflict',
        `OIDC client id ${clientId} is registered for eService ${other[0]!.eservice_id as string}`,
        '/clientId',
      );
  }
  const [row] = await q.query<Row>(
    `INSERT INTO neid.oidc_registrations AS r (eservice_id, client_id, settings) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (eservice_id) DO UPDATE SET client_id = EXCLUDED.client_id, settings = EXCLUDED.settings,
       version = r.version + 1, updated_at = now()
     RETURNING *`,
    [eServiceId, clientId ?? null, JSON.stringify(settings)],
  );
  return oidcOf(row!);
}

export interface SoapCertificate {
  readonly eServiceId: string;
  readonly usage: 'tls-client' | 'signing';
  readonly fingerprint: string;
  readonly pem: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface SoapRegistration {
  readonly eServiceId: string;
  readonly settings: { readonly requestCounter: 'strict' | 'increasing' };
  readonly certificates: readonly SoapCertificate[];
  readonly version: number;
}

const certOf = (r: Row): SoapCertificate => ({
  eServiceId: r.eservice_id as string,
  usage: r.usage as SoapCertificate['usage'],
  fingerprint: r.fingerprint as string,
  pem: r.pem as string,
  subject: r.subject as string,
  notBefore: date(r.not_before)!,
  notAfter: date(r.not_after)!,
});

export async function getSoap(q: Queryable, eServiceId: string): Promise<SoapRegistration | undefined> {
  const [row] = await q.query<Row>('SELECT * FROM neid.soap_registrations WHERE eservice_id = $1', [
    eServiceId,
  ]);
  if (!row) return undefined;
  const certs = await q.query<Row>(
    'SELECT * FROM neid.soap_certificates WHERE eservice_id = $1 ORDER BY usage, not_after DESC, fingerprint',
    [eServiceId],
  );
  return {
    eServiceId,
    settings: row.settings as SoapRegistration['settings'],
    certificates: certs.map(certOf),
    version: row.version as number,
  };
}

export async function putSoapSettings(
  q: Queryable,
  eServiceId: string,
  settings: SoapRegistration['settings'],
): Promise<void> {
  await q.query(
    `INSERT INTO neid.soap_registrations AS r (eservice_id, settings) VALUES ($1, $2::jsonb)
     ON CONFLICT (eservice_id) DO UPDATE SET settings = EXCLUDED.settings, version = r.version + 1, updated_at = now()`,
    [eServiceId, JSON.stringify(settings)],
  );
}

/** Parses one PEM certificate, naming `field` when it is not one. */
export function parseCertificatePem(
  pem: string,
  field: string,
): { cert: X509Certificate; pem: string; fingerprint: string } {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!block) throw invalid(field, 'not a PEM certificate');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(block);
  } catch (e) {
    throw invalid(field, `not a certificate: ${(e as Error).message}`);
  }
  return {
    cert,
    pem: `${cert.toString().trim()}\n`,
    fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
  };
}

export async function addSoapCertificate(
  q: Queryable,
  eServiceId: string,
  usage: SoapCertificate['usage'],
  pem: string,
): Promise<SoapCertificate> {
  const { cert, pem: clean, fingerprint } = parseCertificatePem(pem, '/certificate');
  const [other] = await q.query<Row>(
    'SELECT eservice_id FROM neid.soap_certificates WHERE usage = $1 AND fingerprint = $2',
    [usage, fingerprint],
  );
  if (other)
    throw new RegistryError(
      'conflict',
      `this ${usage} certificate is registered already (eService ${other.eservice_id as string})`,
      '/certificate',
    );
  const [row] = await q.query<Row>(
    `INSERT INTO neid.soap_certificates (eservice_id, usage, fingerprint, pem, subject, not_before, not_after)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [
      eServiceId,
      usage,
      fingerprint,
      clean,
      cert.subject.replace(/\n/g, ', '),
      new Date(cert.validFrom),
      new Date(cert.validTo),
    ],
  );
  return certOf(row!);
}

export async function removeSoapCertificate(
  q: Queryable,
  eServiceId: string,
  usage: SoapCertificate['usage'],
  fingerprint: string,
): Promise<SoapCertificate> {
  const [row] = await q.query<Row>(
    'DELETE FROM neid.soap_certificates WHERE eservice_id = $1 AND usage = $2 AND fingerprint = $3 RETURNING *',
    [eServiceId, usage, fingerprint],
  );
  if (!row) throw notFound(`${usage} certificate ${fingerprint} of eService ${eServiceId}`);
  return certOf(row);
}
