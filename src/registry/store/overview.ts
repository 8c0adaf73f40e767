/** Counts and dates for the console's dashboard: eServices by state, open applications, live certificates. */
import { validUntil } from '../../pki/cvc/dates.js';
import type { Queryable } from '../db/database.js';
import type { ApplicationStatus, EServiceStatus } from '../model.js';

const scopeSql = (col: string, n: number) => `($${n}::jsonb IS NULL OR $${n}::jsonb ? ${col})`;
const scopeParam = (within?: readonly string[]) => (within ? JSON.stringify(within) : null);

export async function eServicesByStatus(
  q: Queryable,
  within?: readonly string[],
): Promise<Record<EServiceStatus, number>> {
  const out: Record<EServiceStatus, number> = { pending: 0, active: 0, suspended: 0, revoked: 0 };
  const rows = await q.query<{ status: EServiceStatus; n: string | number }>(
    `SELECT status, count(*) AS n FROM neid.eservices WHERE ${scopeSql('id', 1)} GROUP BY status`,
    [scopeParam(within)],
  );
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

export async function applicationsByStatus(
  q: Queryable,
  within?: readonly string[],
): Promise<Partial<Record<ApplicationStatus, number>>> {
  const rows = await q.query<{ status: ApplicationStatus; n: string | number }>(
    `SELECT status, count(*) AS n FROM neid.applications WHERE ${scopeSql('eservice_id', 1)} GROUP BY status`,
    [scopeParam(within)],
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export interface LiveCertificate {
  readonly kind: 'terminal' | 'soap-client' | 'soap-signing';
  readonly eServiceId: string;
  readonly name: string;
  readonly notAfter: Date;
}

/** The registry's own certificates in force: active terminal certificates, SOAP client certificates. */
export async function registryCertificates(
  q: Queryable,
  within?: readonly string[],
): Promise<LiveCertificate[]> {
  const terminals = await q.query<{ eservice_id: string; chr: string; expiration_date: string }>(
    `SELECT eservice_id, chr, expiration_date FROM neid.terminals
     WHERE status = 'active' AND expiration_date IS NOT NULL AND ${scopeSql('eservice_id', 1)}`,
    [scopeParam(within)],
  );
  const soap = await q.query<{
    eservice_id: string;
    usage: string;
    subject: string;
    not_after: Date | string;
  }>(
    `SELECT eservice_id, usage, subject, not_after FROM neid.soap_certificates WHERE ${scopeSql('eservice_id', 1)}`,
    [scopeParam(within)],
  );
  return [
    ...terminals.map((t) => ({
      kind: 'terminal' as const,
      eServiceId: t.eservice_id,
      name: t.chr,
      notAfter: validUntil(t.expiration_date),
    })),
    ...soap.map((s) => ({
      kind: s.usage === 'signing' ? ('soap-signing' as const) : ('soap-client' as const),
      eServiceId: s.eservice_id,
      name: s.subject,
      notAfter: new Date(s.not_after),
    })),
  ];
}
