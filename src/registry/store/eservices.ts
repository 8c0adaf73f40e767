/** Repository of eServices (neid.eservices). */
import type { FunctionId } from '../../profile/authorization.js';
import type { FieldId } from '../../profile/fields.js';
import type { Queryable } from '../db/database.js';
import { notFound, RegistryError } from '../errors.js';
import type { EServiceRecord, EServiceStatus, LocalizedText } from '../model.js';
import { Assignments, date, opt, type Row, text, updateVersioned } from './rows.js';

export function eServiceOf(r: Row): EServiceRecord {
  return {
    id: r.id as string,
    status: r.status as EServiceStatus,
    displayName: r.display_name as LocalizedText,
    purpose: r.purpose as LocalizedText,
    ...opt('url', text(r.url)),
    terminalMnemonic: r.terminal_mnemonic as string,
    ...opt('terminalSubjectUrl', text(r.terminal_subject_url)),
    commCertificates: r.comm_certificates as string[],
    maxOpenSessions: r.max_open_sessions as number,
    approvedFields: r.approved_fields as FieldId[],
    approvedFunctions: r.approved_functions as FunctionId[],
    networks: (r.networks as string[] | null | undefined) ?? [],
    phase: (r.phase as 'test' | 'production' | undefined) ?? 'production',
    ...opt('activeApplication', text(r.active_application)),
    version: r.version as number,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

export interface NewEService {
  readonly id: string;
  readonly displayName: LocalizedText;
  readonly purpose: LocalizedText;
  readonly url?: string;
  readonly terminalMnemonic: string;
  readonly terminalSubjectUrl?: string;
  readonly commCertificates?: readonly string[];
  readonly maxOpenSessions: number;
}

/** The mnemonic of a new eService's CHR: its id without dashes, 9 capitals at most. */
export const defaultMnemonic = (id: string): string =>
  id
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 9)
    .toUpperCase();

export async function insertEService(
  q: Queryable,
  e: NewEService,
  status: EServiceStatus,
): Promise<EServiceRecord> {
  const clash = await q.query<Row>(
    'SELECT id, terminal_mnemonic FROM neid.eservices WHERE id = $1 OR terminal_mnemonic = $2',
    [e.id, e.terminalMnemonic],
  );
  if (clash.some((c) => c.id === e.id))
    throw new RegistryError('conflict', `eService ${e.id} exists already`, '/eService/id');
  if (clash.length)
    throw new RegistryError(
      'conflict',
      `terminal mnemonic ${e.terminalMnemonic} is used by eService ${clash[0]!.id as string}`,
      '/eService/terminalMnemonic',
    );
  const [row] = await q.query<Row>(
    `INSERT INTO neid.eservices (id, status, display_name, purpose, url, terminal_mnemonic, terminal_subject_url,
       comm_certificates, max_open_sessions)
     VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8::jsonb, $9) RETURNING *`,
    [
      e.id,
      status,
      JSON.stringify(e.displayName),
      JSON.stringify(e.purpose),
      e.url ?? null,
      e.terminalMnemonic,
      e.terminalSubjectUrl ?? null,
      JSON.stringify(e.commCertificates ?? []),
      e.maxOpenSessions,
    ],
  );
  return eServiceOf(row!);
}

export async function getEService(q: Queryable, id: string, lock = false): Promise<EServiceRecord> {
  const [row] = await q.query<Row>(`SELECT * FROM neid.eservices WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
    id,
  ]);
  if (!row) throw notFound(`eService ${id}`);
  return eServiceOf(row);
}

export async function listEServices(
  q: Queryable,
  page: {
    after?: string;
    limit: number;
    status?: EServiceStatus;
    /** Only these (an applicant's own). */
    within?: readonly string[];
  },
): Promise<EServiceRecord[]> {
  const rows = await q.query<Row>(
    `SELECT * FROM neid.eservices WHERE id > $1 AND ($2::text IS NULL OR status = $2)
       AND ($4::jsonb IS NULL OR $4::jsonb ? id) ORDER BY id LIMIT $3`,
    [page.after ?? '', page.status ?? null, page.limit, page.within ? JSON.stringify(page.within) : null],
  );
  return rows.map(eServiceOf);
}

/** The profile fields an admin may edit directly (approvals change only through applications). */
export interface EServicePatch {
  readonly displayName?: LocalizedText;
  readonly purpose?: LocalizedText;
  readonly url?: string | null;
  readonly terminalSubjectUrl?: string | null;
  readonly commCertificates?: readonly string[];
  readonly maxOpenSessions?: number;
  /** Where its SOAP and admin-API calls may come from (CIDR); empty: anywhere. */
  readonly networks?: readonly string[];
}

/** Sets columns and bumps the version; `expected` (If-Match) must be the current version. */
export async function updateEService(
  q: Queryable,
  id: string,
  set: EServicePatch & {
    status?: EServiceStatus;
    approvedFields?: readonly FieldId[];
    approvedFunctions?: readonly FunctionId[];
    activeApplication?: string | null;
    phase?: 'test' | 'production';
  },
  expected?: number,
): Promise<EServiceRecord> {
  const a = new Assignments(id);
  if (set.displayName) a.json('display_name', set.displayName);
  if (set.purpose) a.json('purpose', set.purpose);
  if (set.url !== undefined) a.set('url', set.url);
  if (set.terminalSubjectUrl !== undefined) a.set('terminal_subject_url', set.terminalSubjectUrl);
  if (set.commCertificates) a.json('comm_certificates', set.commCertificates);
  if (set.maxOpenSessions !== undefined) a.set('max_open_sessions', set.maxOpenSessions);
  if (set.status) a.set('status', set.status);
  if (set.approvedFields) a.json('approved_fields', set.approvedFields);
  if (set.approvedFunctions) a.json('approved_functions', set.approvedFunctions);
  if (set.activeApplication !== undefined) a.set('active_application', set.activeApplication);
  if (set.networks) a.json('networks', set.networks);
  if (set.phase) a.set('phase', set.phase);
  const row = await updateVersioned(q, 'eservices', a, expected);
  if (!row) {
    await getEService(q, id);
    throw new RegistryError(
      'stale',
      `eService ${id} was changed meanwhile (version ${expected} is not current)`,
    );
  }
  return eServiceOf(row);
}
