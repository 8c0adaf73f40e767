/**
 * The Secure API application workflow (seed 004 第陸章 壹.一–二, 表8; 第拾章 肆):
 * an eService applies for card fields with the form, the Ministry approves or
 * rejects it with a reason, and an approval puts a terminal certificate for
 * exactly the approved fields in force (workflow/terminals.ts). Changing the
 * approved fields is a new application (an amendment) for the same eService;
 * the old approval stays in force until the amendment is active.
 *
 * Every step runs in one transaction with its audit entry (before and after).
 */
import { appendAudit } from '../audit/chain.js';
import type { RegistryContext } from '../context.js';
import { invalid, RegistryError } from '../errors.js';
import type {
  ApplicationForm,
  ApplicationRecord,
  ApplicationStatus,
  ApplicationStep,
  EServiceRecord,
  LocalizedText,
} from '../model.js';
import { assertScope, type Principal } from '../roles.js';
import { addOwnEService } from '../store/accounts.js';
import { getApplication, insertApplication, updateApplication } from '../store/applications.js';
import { defaultMnemonic, getEService, insertEService } from '../store/eservices.js';
import { checkRequest } from './application-checks.js';

export interface EServiceProfile {
  readonly id: string;
  readonly displayName: LocalizedText;
  readonly purpose: LocalizedText;
  readonly url?: string;
  readonly terminalMnemonic?: string;
  readonly terminalSubjectUrl?: string;
  readonly maxOpenSessions?: number;
}

export interface ApplicationInput {
  readonly eServiceId: string;
  /** For a new eService: its profile (created `pending`, live once the application is active). */
  readonly eService?: EServiceProfile;
  readonly form: ApplicationForm;
  readonly requestedFields: readonly string[];
  readonly requestedFunctions: readonly string[];
}

/** A step of `actor` for the history, with an optional note. */
export const stepOf = (
  ctx: RegistryContext,
  actor: Principal,
  step: ApplicationStep['step'],
  note?: string,
): ApplicationStep => ({ step, by: actor.id, at: ctx.now().toISOString(), ...(note ? { note } : {}) });

/** Applications for the server's own eServices (the web console's card login) are the server's. */
export const SYSTEM_FORM = 'admin-console';

export const audit = (
  ctx: RegistryContext,
  q: Parameters<typeof appendAudit>[0],
  actor: Principal,
  action: string,
  app: ApplicationRecord,
  before: Partial<ApplicationRecord> | null,
  extra: Record<string, unknown> = {},
) =>
  appendAudit(
    q,
    [
      {
        actor: actor.id,
        action,
        target: `application:${app.id}`,
        outcome: 'ok',
        details: {
          eService: app.eServiceId,
          before: before ? view(before) : null,
          after: view(app),
          ...extra,
        },
      },
    ],
    ctx.now(),
  );

/** The audited view of an application (the whole record; it holds no citizen's data). */
const view = (a: Partial<ApplicationRecord>) => ({
  status: a.status,
  kind: a.kind,
  form: a.form,
  requestedFields: a.requestedFields,
  requestedFunctions: a.requestedFunctions,
  decision: a.decision,
  // The filing without the signature's bytes (kept on the application; its hash is here).
  filing: a.filing?.method === 'signed' ? { ...a.filing, signature: undefined } : a.filing,
  assessment: a.assessment,
  history: a.history,
});

export async function createApplication(
  ctx: RegistryContext,
  actor: Principal,
  input: ApplicationInput,
): Promise<ApplicationRecord> {
  const { fields, functions } = checkRequest(input.requestedFields, input.requestedFunctions, input.form);
  return ctx.db.tx(async (q) => {
    let created = false;
    let es: EServiceRecord | undefined = await getEService(q, input.eServiceId, true).catch(
      (e: RegistryError) => {
        if (e.code === 'not-found') return undefined;
        throw e;
      },
    );
    if (!es) {
      const p = input.eService;
      if (!p) throw invalid('/eService', `eService ${input.eServiceId} is new: give its profile (eService)`);
      if (p.id !== input.eServiceId) throw invalid('/eService/id', 'must equal eServiceId');
      const mnemonic = p.terminalMnemonic ?? defaultMnemonic(p.id);
      if (!/^[A-Z0-9]{1,9}$/.test(mnemonic))
        throw invalid('/eService/terminalMnemonic', 'must be 1-9 capital letters or digits');
      es = await insertEService(
        q,
        {
          id: p.id,
          displayName: p.displayName,
          purpose: p.purpose,
          ...(p.url ? { url: p.url } : {}),
          terminalMnemonic: mnemonic,
          ...(p.terminalSubjectUrl ? { terminalSubjectUrl: p.terminalSubjectUrl } : {}),
          maxOpenSessions: p.maxOpenSessions ?? 50,
        },
        'pending',
      );
      created = true;
      // An applicant's new eService is its own from now on.
      if (actor.eServices && actor.accountId) await addOwnEService(q, actor.accountId, es.id);
      await appendAudit(
        q,
        [
          {
            actor: actor.id,
            action: 'eservice.create',
            target: `eservice:${es.id}`,
            outcome: 'ok',
            details: { after: es },
          },
        ],
        ctx.now(),
      );
    } else if (es.status === 'revoked') {
      assertScope(actor, es.id);
      throw new RegistryError(
        'wrong-state',
        `eService ${es.id} is revoked; register it under a new id`,
        '/eServiceId',
      );
    } else if (input.eService) {
      assertScope(actor, es.id);
      throw invalid(
        '/eService',
        `eService ${es.id} exists: an amendment carries no profile (change it with PATCH)`,
      );
    }
    if (!created) assertScope(actor, es.id);
    if (es.activeApplication && (await getApplication(q, es.activeApplication)).form.system === SYSTEM_FORM)
      throw new RegistryError('wrong-state', `eService ${es.id} belongs to the server itself`, '/eServiceId');
    const app = await insertApplication(q, {
      eServiceId: es.id,
      kind: es.activeApplication ? 'amendment' : 'initial',
      form: input.form,
      requestedFields: fields,
      requestedFunctions: functions,
      createdBy: actor.id,
      history: [stepOf(ctx, actor, 'create')],
    });
    await audit(ctx, q, actor, 'application.create', app, null);
    return app;
  });
}

/**
 * Steps a locked application from one of `from` to a new state (If-Match: `expected`), after
 * `guard` (the four-eyes rule) has seen it.
 */
export async function step(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected: number | undefined,
  from: readonly ApplicationStatus[],
  action: string,
  change: (a: ApplicationRecord) => Parameters<typeof updateApplication>[2],
  guard: (a: ApplicationRecord) => void = () => {},
): Promise<ApplicationRecord> {
  return ctx.db.tx(async (q) => {
    const before = await getApplication(q, id, true);
    assertScope(actor, before.eServiceId);
    if (expected !== undefined && before.version !== expected)
      throw new RegistryError('stale', `application ${id} is at version ${before.version}, not ${expected}`);
    guard(before);
    if (!from.includes(before.status))
      throw new RegistryError(
        'wrong-state',
        `application ${id} is ${before.status}; ${action} needs ${from.join(' or ')}`,
      );
    const after = await updateApplication(q, id, change(before));
    await audit(ctx, q, actor, `application.${action}`, after, before);
    return after;
  });
}

export function updateDraft(
  ctx: RegistryContext,
  actor: Principal,
  id: string,
  expected: number | undefined,
  patch: {
    form?: ApplicationForm;
    requestedFields?: readonly string[];
    requestedFunctions?: readonly string[];
  },
): Promise<ApplicationRecord> {
  return step(ctx, actor, id, expected, ['draft'], 'update', (a) => {
    const form = patch.form ?? a.form;
    const { fields, functions } = checkRequest(
      patch.requestedFields ?? a.requestedFields,
      patch.requestedFunctions ?? a.requestedFunctions,
      form,
    );
    return {
      form,
      requestedFields: fields,
      requestedFunctions: functions,
      step: stepOf(ctx, actor, 'update'),
    };
  });
}

// Submitting (signed with an organisation certificate, or on paper): workflow/filing.ts.
