/** Repository of Secure API applications (neid.applications). */
import { randomUUID } from 'node:crypto';
import type { FunctionId } from '../../profile/authorization.js';
import type { FieldId } from '../../profile/fields.js';
import type { Queryable } from '../db/database.js';
import { notFound, RegistryError } from '../errors.js';
import {
  type ApplicationAssessment,
  type ApplicationDecision,
  type ApplicationFiling,
  type ApplicationForm,
  type ApplicationRecord,
  type ApplicationStatus,
  type ApplicationStep,
  OPEN_STATUSES,
} from '../model.js';
import { Assignments, date, opt, type Row, updateVersioned } from './rows.js';

export function applicationOf(r: Row): ApplicationRecord {
  return {
    id: r.id as string,
    eServiceId: r.eservice_id as string,
    kind: r.kind as ApplicationRecord['kind'],
    status: r.status as ApplicationStatus,
    form: r.form as ApplicationForm,
    requestedFields: r.requested_fields as FieldId[],
    requestedFunctions: r.requested_functions as FunctionId[],
    ...opt('decision', r.decision as ApplicationDecision | null),
    ...opt('filing', r.filing as ApplicationFiling | null),
    ...opt('assessment', r.assessment as ApplicationAssessment | null),
    history: (r.history as ApplicationStep[] | null) ?? [],
    version: r.version as number,
    createdBy: r.created_by as string,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
    ...opt('submittedAt', date(r.submitted_at)),
    ...opt('decidedAt', date(r.decided_at)),
    ...opt('activatedAt', date(r.activated_at)),
  };
}

export interface NewApplication {
  readonly eServiceId: string;
  readonly kind: ApplicationRecord['kind'];
  readonly form: ApplicationForm;
  readonly requestedFields: readonly FieldId[];
  readonly requestedFunctions: readonly FunctionId[];
  readonly createdBy: string;
  readonly status?: ApplicationStatus;
  readonly history?: readonly ApplicationStep[];
}

const OPEN_SQL = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

export async function insertApplication(q: Queryable, a: NewApplication): Promise<ApplicationRecord> {
  const open = await q.query<Row>(
    `SELECT id, status FROM neid.applications WHERE eservice_id = $1 AND status IN (${OPEN_SQL})`,
    [a.eServiceId],
  );
  if (open.length)
    throw new RegistryError(
      'conflict',
      `eService ${a.eServiceId} has application ${open[0]!.id as string} in progress (${open[0]!.status as string}); finish or withdraw it first`,
      '/eServiceId',
    );
  const [row] = await q.query<Row>(
    `INSERT INTO neid.applications
       (id, eservice_id, kind, status, form, requested_fields, requested_functions, created_by, history)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9::jsonb) RETURNING *`,
    [
      randomUUID(),
      a.eServiceId,
      a.kind,
      a.status ?? 'draft',
      JSON.stringify(a.form),
      JSON.stringify(a.requestedFields),
      JSON.stringify(a.requestedFunctions),
      a.createdBy,
      JSON.stringify(a.history ?? []),
    ],
  );
  return applicationOf(row!);
}

export async function getApplication(q: Queryable, id: string, lock = false): Promise<ApplicationRecord> {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound(`application ${id}`);
  const [row] = await q.query<Row>(
    `SELECT * FROM neid.applications WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  if (!row) throw notFound(`application ${id}`);
  return applicationOf(row);
}

export async function listApplications(
  q: Queryable,
  f: {
    after?: string;
    limit: number;
    status?: ApplicationStatus;
    eServiceId?: string;
    /** Only these eServices (an applicant's own). */
    within?: readonly string[];
  },
): Promise<ApplicationRecord[]> {
  const rows = await q.query<Row>(
    `SELECT * FROM neid.applications
     WHERE id > $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR eservice_id = $3)
       AND ($5::jsonb IS NULL OR $5::jsonb ? eservice_id)
     ORDER BY id LIMIT $4`,
    [
      f.after ?? '',
      f.status ?? null,
      f.eServiceId ?? null,
      f.limit,
      f.within ? JSON.stringify(f.within) : null,
    ],
  );
  return rows.map(applicationOf);
}

export interface ApplicationChange {
  readonly status?: ApplicationStatus;
  readonly form?: ApplicationForm;
  readonly requestedFields?: readonly FieldId[];
  readonly requestedFunctions?: readonly FunctionId[];
  readonly decision?: ApplicationDecision;
  readonly filing?: ApplicationFiling;
  /** The reviewer's assessment; null clears it (changes requested). */
  readonly assessment?: ApplicationAssessment | null;
  /** Appended to the history. */
  readonly step?: ApplicationStep;
  readonly stamp?: 'submitted_at' | 'decided_at' | 'activated_at';
}

/** Applies a change to an application whose current version is `expected` (when given). */
export async function updateApplication(
  q: Queryable,
  id: string,
  c: ApplicationChange,
  expected?: number,
): Promise<ApplicationRecord> {
  const a = new Assignments(id);
  if (c.status) a.set('status', c.status);
  if (c.form) a.json('form', c.form);
  if (c.requestedFields) a.json('requested_fields', c.requestedFields);
  if (c.requestedFunctions) a.json('requested_functions', c.requestedFunctions);
  if (c.decision) a.json('decision', c.decision);
  if (c.filing) a.json('filing', c.filing);
  if (c.assessment !== undefined) a.json('assessment', c.assessment);
  if (c.step) a.set('history', JSON.stringify([c.step]), '::jsonb', 'history || ');
  if (c.stamp) a.cols.push(`${c.stamp} = now()`);
  const row = await updateVersioned(q, 'applications', a, expected);
  if (!row) {
    await getApplication(q, id);
    throw new RegistryError(
      'stale',
      `application ${id} was changed meanwhile (version ${expected} is not current)`,
    );
  }
  return applicationOf(row);
}
