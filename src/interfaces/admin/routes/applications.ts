/**
 * Secure API applications (表8): create, read, edit a draft, submit (the applicant); review or ask
 * for changes (the reviewer); approve or reject (the approver, four eyes); retry the certificate.
 */

import { RegistryError } from '../../../registry/errors.js';
import { canonicalApplication } from '../../../registry/filing/canonical.js';
import type { ApplicationStatus, RejectionReason } from '../../../registry/model.js';
import { getApplication, listApplications } from '../../../registry/store/applications.js';
import { getEService } from '../../../registry/store/eservices.js';
import {
  type ApplicationInput,
  createApplication,
  updateDraft,
} from '../../../registry/workflow/applications.js';
import {
  type AssessmentInput,
  approveApplication,
  issueForApplication,
  rejectApplication,
  requestChanges,
  reviewApplication,
} from '../../../registry/workflow/decisions.js';
import { recordPaperReceived, submitApplication } from '../../../registry/workflow/filing.js';
import type { AdminDeps } from '../deps.js';
import { type Call, pageOf, type RouteDef, route } from '../route.js';
import { applicationView, terminalView } from '../views.js';

const ID = '/applications/{id}';
const TAG = 'Applications';

export function applicationRoutes(d: AdminDeps): RouteDef[] {
  const withTerminal = (r: Awaited<ReturnType<typeof approveApplication>>) => ({
    body: { ...applicationView(r.application), terminal: terminalView(r.terminal) },
    version: r.application.version,
  });
  /** The eService of the application in the path (an applicant's own only). */
  const ofApplication = async (c: Call<never>) => (await getApplication(d.ctx.db, c.params.id!)).eServiceId;
  const reviewStep = (
    action: 'review' | 'request-changes',
    summary: string,
    body: string,
    run: typeof requestChanges,
  ) =>
    route<{ note?: string; assessment?: AssessmentInput }>({
      method: 'post',
      path: `${ID}/${action}`,
      operationId: action === 'review' ? 'reviewApplication' : 'requestChanges',
      summary,
      tag: TAG,
      permission: 'application:review',
      body,
      ifMatch: true,
      handler: async (c) => {
        const a =
          action === 'review'
            ? await reviewApplication(
                d.ctx,
                c.principal,
                c.params.id!,
                c.ifMatch,
                c.body.note,
                c.body.assessment,
              )
            : await run(d.ctx, c.principal, c.params.id!, c.ifMatch, c.body.note ?? '');
        return { body: applicationView(a), version: a.version };
      },
    });
  return [
    route<ApplicationInput>({
      method: 'post',
      path: '/applications',
      operationId: 'createApplication',
      summary: 'Apply for card fields: a new eService (with its profile) or an amendment of an existing one',
      tag: TAG,
      permission: 'application:write',
      body: 'ApplicationCreate',
      responses: { '201': 'The application, as a draft' },
      // An applicant applies for its own eServices, or for a new one (which becomes its own).
      target: async (c: Call<never>) => {
        const id = (c.body as Partial<ApplicationInput> | undefined)?.eServiceId;
        if (typeof id !== 'string') return undefined;
        return (await getEService(d.ctx.db, id).then(
          () => true,
          () => false,
        ))
          ? id
          : undefined;
      },
      handler: async (c) => {
        const a = await createApplication(d.ctx, c.principal, c.body);
        return {
          status: 201,
          body: applicationView(a),
          version: a.version,
          headers: { location: `/admin/api/v1/applications/${a.id}` },
        };
      },
    }),
    route({
      method: 'get',
      path: '/applications',
      operationId: 'listApplications',
      summary: 'List applications',
      tag: TAG,
      permission: 'eservice:read',
      paged: true,
      scoped: true,
      query: [
        {
          name: 'status',
          schema: { $ref: '#/components/schemas/ApplicationStatus' },
          description: 'only this status',
        },
        { name: 'eServiceId', schema: { type: 'string' }, description: 'only this eService' },
      ],
      handler: async (c) => {
        const q = c.query;
        const rows = await listApplications(d.ctx.db, {
          ...(c.page.after ? { after: c.page.after } : {}),
          limit: c.page.limit + 1,
          ...(typeof q.status === 'string' && q.status ? { status: q.status as ApplicationStatus } : {}),
          ...(typeof q.eServiceId === 'string' && q.eServiceId ? { eServiceId: q.eServiceId } : {}),
          ...(c.principal.eServices ? { within: c.principal.eServices } : {}),
        });
        const p = pageOf(rows, c.page.limit, (a) => a.id);
        return { body: { items: p.items.map(applicationView), next: p.next } };
      },
    }),
    route({
      method: 'get',
      path: ID,
      operationId: 'getApplication',
      summary: 'Read an application',
      tag: TAG,
      permission: 'eservice:read',
      target: ofApplication,
      handler: async (c) => {
        const a = await getApplication(d.ctx.db, c.params.id!);
        return { body: applicationView(a), version: a.version };
      },
    }),
    route<Parameters<typeof updateDraft>[4]>({
      method: 'patch',
      path: ID,
      operationId: 'patchApplication',
      summary: 'Change a draft',
      tag: TAG,
      permission: 'application:write',
      body: 'ApplicationPatch',
      ifMatch: true,
      target: ofApplication,
      handler: async (c) => {
        const a = await updateDraft(d.ctx, c.principal, c.params.id!, c.ifMatch, c.body);
        return { body: applicationView(a), version: a.version };
      },
    }),
    route({
      method: 'get',
      path: `${ID}/canonical`,
      operationId: 'getCanonicalApplication',
      summary:
        'The canonical application (RFC 8785 JSON, UTF-8): the exact bytes to sign with the organisation certificate (detached CMS, e.g. openssl cms -sign -binary -outform DER)',
      tag: TAG,
      permission: 'eservice:read',
      target: ofApplication,
      handler: async (c) => {
        const a = await getApplication(d.ctx.db, c.params.id!);
        return { body: canonicalApplication(a), type: 'application/json', version: a.version };
      },
    }),
    route<{ signature?: string } | undefined>({
      method: 'post',
      path: `${ID}/submit`,
      operationId: 'submitApplication',
      summary:
        'Submit a draft for the Ministry’s review and decision: filed online with `signature` (organisation certificate: 工商憑證, 組織憑證, 政府機關憑證; its organisation identifier must be the form’s taxId), or unsigned (a paper filing when registry.filing.unsigned is paper)',
      tag: TAG,
      permission: 'application:write',
      body: 'Submission',
      optionalBody: true,
      maxBody: 128 * 1024,
      ifMatch: true,
      target: ofApplication,
      handler: async (c) => {
        try {
          const a = await submitApplication(d.ctx, c.principal, c.params.id!, c.ifMatch, c.body?.signature);
          return { body: applicationView(a), version: a.version };
        } catch (e) {
          // A refused organisation signature is evidence too: audited with its reason.
          if (e instanceof RegistryError && e.code === 'signature-refused')
            d.trail.enqueue({
              actor: c.principal.id,
              action: 'application.submit',
              target: `application:${c.params.id}`,
              outcome: 'refused',
              details: { reason: e.reason, detail: e.message },
            });
          throw e;
        }
      },
    }),
    route<{ note?: string }>({
      method: 'post',
      path: `${ID}/paper-received`,
      operationId: 'recordPaperReceived',
      summary:
        'Record that the signed, sealed paper copy of a paper filing arrived (an approval waits for it)',
      tag: TAG,
      permission: 'application:review',
      body: 'PaperReceipt',
      ifMatch: true,
      handler: async (c) => {
        const a = await recordPaperReceived(d.ctx, c.principal, c.params.id!, c.ifMatch, c.body.note);
        return { body: applicationView(a), version: a.version };
      },
    }),
    reviewStep(
      'review',
      'Record the review of a submitted application (findings in `note`): it is ready for an approver',
      'Review',
      reviewApplication,
    ),
    reviewStep(
      'request-changes',
      'Send a submitted or reviewed application back to the applicant as a draft, saying what to change',
      'ChangeRequest',
      requestChanges,
    ),
    route<{ text?: string }>({
      method: 'post',
      path: `${ID}/approve`,
      operationId: 'approveApplication',
      summary:
        'Approve a reviewed application (not one you drafted or reviewed): a terminal key and certificate request are made; the test DV issues at once (active), else the request awaits the DV (approved)',
      tag: TAG,
      permission: 'application:decide',
      body: 'Approval',
      ifMatch: true,
      fresh: true,
      handler: async (c) =>
        withTerminal(await approveApplication(d.ctx, c.principal, c.params.id!, c.ifMatch, c.body.text)),
    }),
    route<{ reason: RejectionReason; text?: string }>({
      method: 'post',
      path: `${ID}/reject`,
      operationId: 'rejectApplication',
      summary:
        'Reject with a reason of 表8: incomplete-form, host-address-mismatch, does-not-fit-business, other (text)',
      tag: TAG,
      permission: 'application:decide',
      body: 'Rejection',
      ifMatch: true,
      fresh: true,
      handler: async (c) => {
        const a = await rejectApplication(
          d.ctx,
          c.principal,
          c.params.id!,
          c.ifMatch,
          c.body.reason,
          c.body.text,
        );
        return { body: applicationView(a), version: a.version };
      },
    }),
    route({
      method: 'post',
      path: `${ID}/terminal`,
      operationId: 'retryTerminal',
      summary: 'Order the terminal certificate of an approved application again (after a failure)',
      tag: TAG,
      permission: 'terminal:manage',
      fresh: true,
      handler: async (c) => withTerminal(await issueForApplication(d.ctx, c.principal, c.params.id!)),
    }),
  ];
}
