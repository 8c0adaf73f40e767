/**
 * The Ministry's side of an application (seed 004 表8 受理機關審核資料): a
 * reviewer checks a submitted application and records the findings, or sends
 * it back to the applicant as a draft with the changes to make; an approver
 * approves a reviewed application — which orders its terminal certificate — or
 * rejects a submitted or reviewed one with a reason of 表8.
 *
 * Four eyes (seed 004 第陸章 伍.三.(一).2, docs/admin.md §4): nobody reviews an
 * application they drafted or submitted, and nobody decides on one they
 * drafted, submitted or reviewed. The rule reads the application's history, in
 * the same transaction as the step, so it holds for every caller — the web
 * console, the admin API and scripts alike.
 */
import type { RegistryContext } from '../context.js';
import { forbidden, invalid, RegistryError } from '../errors.js';
import {
  type ApplicationAssessment,
  type ApplicationRecord,
  type ApplicationStep,
  ASSESSMENT_REASONS,
  REJECTION_REASONS,
  type RejectionReason,
  type TerminalRecord,
} from '../model.js';
import { parseCidr } from '../networks.js';
import type { Principal } from '../roles.js';
import { getApplication } from '../store/applications.js';
import { step, stepOf } from './applications.js';
import { orderTerminal } from './terminals.js';

const DRAFTING: readonly ApplicationStep['step'][] = ['create', 'update', 'submit'];
const REVIEWING: readonly ApplicationStep['step'][] = ['review', 'request-changes'];

/** Everyone who took one of `steps` on `a` (its creator always counts as drafting it). */
function took(a: ApplicationRecord, steps: readonly ApplicationStep['step'][]): Set<string> {
  const ids = new Set(a.history.filter((h) => steps.includes(h.step)).map((h) => h.by));
  if (steps.includes('create')) ids.add(a.createdBy);
  return ids;
}

/** The four-eyes rule for `actor` about to `act` on `a`. */
export function fourEyes(actor: Principal, a: ApplicationRecord, act: 'review' | 'decide'): void {
  const drafted = took(a, DRAFTING).has(actor.id);
  const reviewed = act === 'decide' && took(a, REVIEWING).has(actor.id);
  if (drafted || reviewed)
    throw forbidden(
      `four eyes: ${actor.id} ${drafted ? 'drafted or submitted' : 'reviewed'} application ${a.id}, so another person must ${act === 'review' ? 'review' : 'decide on'} it`,
    );
}

/** What a reviewer fills in on 表8 (受理機關審核資料). */
export type AssessmentInput = Omit<
  ApplicationAssessment,
  'by' | 'at' | 'reasons' | 'applicantNetworks' | 'ministryNetworks'
> & {
  readonly reasons?: readonly string[];
  readonly applicantNetworks?: readonly string[];
  readonly ministryNetworks?: readonly string[];
};

/** Checks the reviewer's half of 表8; every refusal names its field. */
export function checkAssessment(
  ctx: RegistryContext,
  actor: Principal,
  i: AssessmentInput,
): ApplicationAssessment {
  const reasons = (i.reasons ?? []) as ApplicationAssessment['reasons'];
  reasons.forEach((r, n) => {
    if (!ASSESSMENT_REASONS.includes(r))
      throw invalid(`/assessment/reasons/${n}`, `unknown reason ${r}`, 'enum');
  });
  if (i.result === 'cannot-provide' && reasons.length === 0)
    throw invalid('/assessment/reasons', '無法提供 needs a reason of 表8', 'reason-required');
  if (i.result === 'provide' && reasons.length > 0)
    throw invalid('/assessment/reasons', '提供 takes no reason', 'no-reason');
  if (reasons.includes('other') && !i.text?.trim())
    throw invalid('/assessment/text', 'the reason "other" needs a text', 'text-required');
  for (const k of ['plannedTestDate', 'plannedConnectionDate'] as const) {
    const d = i[k];
    if (d !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(d))))
      throw invalid(`/assessment/${k}`, `"${d}" is not a date (YYYY-MM-DD)`, 'format');
  }
  if (i.plannedTestDate && i.plannedConnectionDate && i.plannedConnectionDate < i.plannedTestDate)
    throw invalid('/assessment/plannedConnectionDate', 'the connection comes after the test', 'date-order');
  const nets = (k: 'applicantNetworks' | 'ministryNetworks') =>
    (i[k] ?? []).map((n, j) => parseCidr(n, `/assessment/${k}/${j}`));
  const applicantNetworks = nets('applicantNetworks');
  if (i.result === 'provide' && applicantNetworks.length === 0)
    throw invalid(
      '/assessment/applicantNetworks',
      '提供 needs the applicant’s network addresses',
      'required',
    );
  return {
    result: i.result,
    reasons,
    ...(i.text ? { text: i.text } : {}),
    ...(i.plannedTestDate ? { plannedTestDate: i.plannedTestDate } : {}),
    ...(i.plannedConnectionDate ? { plannedConnectionDate: i.plannedConnectionDate } : {}),
    applicantNetworks,
    ministryNetworks: nets('ministryNetworks'),
    by: actor.id,
    at: ctx.now().toISOString(),
  };
}

/** A reviewer's findings (and the reviewer's half of 表8): submitted → reviewed, ready for an approver. */
export function reviewApplication(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected: number | undefined,
  note?: string,
  assessment?: AssessmentInput,
): Promise<ApplicationRecord> {
  const checked = assessment ? checkAssessment(ctx, actor, assessment) : undefined;
  return step(
    ctx,
    actor,
    id,
    expected,
    ['submitted'],
    'review',
    () => ({
      status: 'reviewed',
      ...(checked ? { assessment: checked } : {}),
      step: stepOf(ctx, actor, 'review', note || (checked ? checked.result : undefined)),
    }),
    (a) => fourEyes(actor, a, 'review'),
  );
}

/** A reviewer asks for changes: the application goes back to the applicant as a draft. */
export function requestChanges(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected: number | undefined,
  note: string,
): Promise<ApplicationRecord> {
  if (!note.trim()) throw invalid('/note', 'say which changes are needed');
  return step(
    ctx,
    actor,
    id,
    expected,
    ['submitted', 'reviewed'],
    'request-changes',
    () => ({ status: 'draft', assessment: null, step: stepOf(ctx, actor, 'request-changes', note) }),
    (a) => fourEyes(actor, a, 'review'),
  );
}

export async function rejectApplication(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected: number | undefined,
  reason: RejectionReason,
  text?: string,
) {
  if (!REJECTION_REASONS.includes(reason))
    throw invalid('/reason', `must be one of ${REJECTION_REASONS.join(', ')}`);
  if (reason === 'other' && !text?.trim()) throw invalid('/text', 'the reason "other" needs a text');
  return step(
    ctx,
    actor,
    id,
    expected,
    ['submitted', 'reviewed'],
    'reject',
    () => ({
      status: 'rejected',
      stamp: 'decided_at',
      decision: {
        outcome: 'rejected',
        reason,
        ...(text ? { text } : {}),
        by: actor.id,
        at: ctx.now().toISOString(),
      },
      step: stepOf(ctx, actor, 'reject', text ?? reason),
    }),
    (a) => fourEyes(actor, a, 'decide'),
  );
}

/** A paper filing waits for its paper copy; a reviewer's 無法提供 is rejected or sent back, not approved. */
export function assertApprovable(a: ApplicationRecord): void {
  if (a.filing?.method === 'paper' && !a.filing.received)
    throw new RegistryError(
      'wrong-state',
      `application ${a.id} was filed on paper and its signed paper copy has not arrived; a reviewer records it first`,
    );
  if (a.assessment?.result === 'cannot-provide')
    throw new RegistryError(
      'wrong-state',
      `the reviewer assessed application ${a.id} as 無法提供 (${a.assessment.reasons.join(', ')}): reject it, or ask for changes`,
    );
}

export interface Approval {
  readonly application: ApplicationRecord;
  readonly terminal: TerminalRecord;
}

/**
 * Approves a reviewed application and orders its terminal certificate. When that step fails the
 * application stays `approved` (retry with `issueForApplication`) and the error says so.
 */
export async function approveApplication(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected?: number,
  text?: string,
): Promise<Approval> {
  await step(
    ctx,
    actor,
    id,
    expected,
    ['reviewed'],
    'approve',
    () => ({
      status: 'approved',
      stamp: 'decided_at',
      decision: { outcome: 'approved', ...(text ? { text } : {}), by: actor.id, at: ctx.now().toISOString() },
      step: stepOf(ctx, actor, 'approve', text),
    }),
    (a) => {
      fourEyes(actor, a, 'decide');
      assertApprovable(a);
    },
  );
  return issueForApplication(ctx, actor, id);
}

/** Orders the terminal certificate of an approved application (again, after a failure). */
export async function issueForApplication(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
): Promise<Approval> {
  const app = await getApplication(ctx.db, id);
  if (app.status !== 'approved')
    throw new RegistryError(
      'wrong-state',
      `application ${id} is ${app.status}; a certificate is ordered for approved ones`,
    );
  try {
    const terminal = await orderTerminal(ctx, actor, {
      eServiceId: app.eServiceId,
      purpose: app.kind,
      application: app,
    });
    return { application: await getApplication(ctx.db, id), terminal };
  } catch (e) {
    const err = e as RegistryError;
    if (err.code === 'conflict') throw err;
    throw new RegistryError(
      'certificate-failed',
      `application ${id} is approved, but its terminal certificate failed: ${err.message}; retry when the cause is fixed`,
    );
  }
}
