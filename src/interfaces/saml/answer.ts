/**
 * Answering the SP (saml-profiles §4.1.4.2–4.1.4.5; TR-03130-1 §4.2.3,
 * §4.7.3–4.7.4, §4.8.2): the outcome of the authentication session becomes a
 * Response — success with a signed, encrypted Assertion, or a status from
 * status.ts — delivered to the ACS the request named, in the ACS's binding:
 * an auto-submitting POST form (signed Response), or a 303 redirect with the
 * DEFLATE-encoded Response and a signed query string (TR-03130-1 §4.1). A
 * response too long for a URL goes by POST when the SP offers POST at the
 * same Location, otherwise the SP gets a short error instead. An invalid card
 * and a withheld REQUIRED attribute are answered as saml.resultStyle says.
 */
import type { Context } from 'koa';
import { documentValidityOf } from '../../workflows/outcomes/table.js';
import type { Outcome } from '../../workflows/session/service.js';
import type { AuthFailure, AuthResult, DocumentValidity } from '../../workflows/session/types.js';
import { LOGIN_UNKNOWN, sendErrorPage } from '../browser/pages.js';
import { attributeOfField, attributeOfFunction } from './attributes/catalogue.js';
import { renderAttributeStatement } from './attributes/values.js';
import { renderPostForm } from './bindings/post.js';
import { redirectUrl } from './bindings/redirect.js';
import type { Signer } from './crypto/keys.js';
import { SamlStatusError } from './errors.js';
import type { SamlLog } from './log.js';
import { buildAssertion, samlId } from './messages/assertion.js';
import { buildResponse, signAssertion, signResponse } from './messages/response.js';
import { type NameId, persistentNameId, transientNameId } from './nameid.js';
import { contextOf, type LoginContext } from './plan.js';
import type { ServiceProvider, ServiceProviders } from './service-providers.js';
import { keyForFailure, STATUS_TABLE, type Status, type StatusKey, SUCCESS, statusOf } from './status.js';

/** Longest Location URL sent over HTTP-Redirect (common server request-line limits are about 8 KiB). */
export const MAX_REDIRECT_URL = 8000;

export interface AnswerDeps {
  readonly entityId: string;
  readonly signers: { readonly ec: Signer; readonly rsa: Signer };
  readonly sps: ServiceProviders;
  readonly log: SamlLog;
  readonly now?: () => number;
  /** A status-only Response was sent: eService and reason code (metrics). */
  readonly failed?: (eService: string, reason: string) => void;
}

export const signerFor = (d: AnswerDeps, sp: ServiceProvider): Signer =>
  sp.outbound.signingKey === 'ec' ? d.signers.ec : d.signers.rsa;

/** What was sent: the binding it went by, and the status when the Response did not fit the URL. */
export interface Delivered {
  readonly binding: 'post' | 'redirect';
  readonly tooLarge?: boolean;
}

/** Builds the Response for `status` (and assertion) and sends it to the context's ACS. */
export function deliver(
  ctx: Context,
  d: AnswerDeps,
  sp: ServiceProvider,
  c: LoginContext,
  status: Status,
  signedAssertion?: string,
): Delivered {
  const now = (d.now ?? Date.now)();
  const signer = signerFor(d, sp);
  const xml = buildResponse(
    {
      idpEntityId: d.entityId,
      destination: c.acs,
      inResponseTo: c.requestId,
      status,
      now,
      ...(signedAssertion ? { signedAssertion } : {}),
    },
    sp,
  );
  const post = (): Delivered => {
    renderPostForm(ctx, c.acs, 'SAMLResponse', signResponse(xml, signer, sp.outbound), c.relayState);
    return { binding: 'post' };
  };
  if (c.binding === 'post') return post();
  const url = redirectUrl(c.acs, 'SAMLResponse', xml, c.relayState, signer);
  if (url.length <= MAX_REDIRECT_URL) {
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect(url);
    return { binding: 'redirect' };
  }
  if (sp.metadata.acs.some((a) => a.location === c.acs && a.binding === 'post')) return post();
  d.log.warn(
    { eService: sp.eService.id, request: c.requestId.slice(0, 16), acs: c.acs, length: url.length },
    'SAML response too long for the HTTP-Redirect ACS',
  );
  return { ...deliver(ctx, d, sp, c, statusOf('response-too-large')), tooLarge: true };
}

/** Sends a status-only Response (a refused request or a failed authentication). */
export function deliverError(
  ctx: Context,
  d: AnswerDeps,
  sp: ServiceProvider,
  c: LoginContext,
  key: StatusKey,
  detail?: string,
): void {
  const sent = deliver(ctx, d, sp, c, statusOf(key, detail));
  d.log.info(
    {
      eService: sp.eService.id,
      request: c.requestId.slice(0, 16),
      acs: c.acs,
      outcome: key,
      binding: sent.binding,
    },
    'SAML error response',
  );
  d.failed?.(sp.eService.id, STATUS_TABLE[key].reason);
}

function withheldRequired(c: LoginContext, r: Extract<Outcome, { kind: 'result' }>['result']): string[] {
  const names = c.requested.required
    .filter((f) => r.operations[f] === 'PROHIBITED')
    .map((f) => attributeOfField(f).friendlyName);
  if (c.ageRequired && r.ageVerification === undefined)
    names.push(attributeOfFunction('ageVerification').friendlyName);
  if (c.placeRequired && r.placeVerification === undefined)
    names.push(attributeOfFunction('placeVerification').friendlyName);
  return names;
}

/** saml.resultStyle of the SP, with 'auto' decided by the request's profile. */
export function resultStyleOf(sp: ServiceProvider, c: LoginContext): 'tr-03130' | 'status' {
  const style = sp.settings.resultStyle ?? 'auto';
  if (style !== 'auto') return style;
  return c.profile === 'tr-03130' ? 'tr-03130' : 'status';
}

/** Signs, encrypts and sends a Success Response with one Assertion. */
function sendAssertion(
  ctx: Context,
  d: AnswerDeps,
  sp: ServiceProvider,
  c: LoginContext,
  a: { nameId: NameId; attributeStatement: string; authnInstant: number; outcome: string },
): void {
  const assertion = buildAssertion({
    id: samlId(),
    idpEntityId: d.entityId,
    spEntityId: sp.entityId,
    nameId: a.nameId,
    inResponseTo: c.requestId,
    recipient: c.acs,
    ...(c.address ? { address: c.address } : {}),
    now: (d.now ?? Date.now)(),
    authnInstant: a.authnInstant,
    attributeStatement: a.attributeStatement,
  });
  const sent = deliver(ctx, d, sp, c, SUCCESS, signAssertion(assertion, signerFor(d, sp), sp.outbound));
  d.log.info(
    {
      eService: sp.eService.id,
      request: c.requestId.slice(0, 16),
      acs: c.acs,
      outcome: sent.tooLarge ? 'response-too-large' : a.outcome,
      binding: sent.binding,
      algorithms: sp.outbound.name,
    },
    'SAML response sent',
  );
}

/**
 * TR-03130-1 §4.4.3, §4.7.4: the verdict on an invalid card as an assertion that carries only
 * DocumentValidity (revoked, expired, notAuthentic) — TR-03130-4 B1_2_02…B1_2_06. The NameID is
 * transient: an invalid card gets no stable identifier, even for an SP with persistent NameIDs.
 */
function sendVerdict(
  ctx: Context,
  d: AnswerDeps,
  sp: ServiceProvider,
  c: LoginContext,
  failure: AuthFailure,
  documentValidity: DocumentValidity,
): void {
  const now = (d.now ?? Date.now)();
  const verdict: AuthResult = { fields: {}, operations: {}, documentValidity, completedAt: now };
  const nothing = { required: [], optional: [], restrictedId: false, notOnChip: [] };
  sendAssertion(ctx, d, sp, c, {
    nameId: transientNameId(),
    attributeStatement: renderAttributeStatement(verdict, nothing),
    authnInstant: now,
    outcome: failure.code,
  });
}

/** The login continuation (BrowserLogins 'saml', and the TR-03130 eID-Client return). */
export function finishLogin(d: AnswerDeps) {
  return async (
    ctx: Context,
    outcome: Exclude<Outcome, { kind: 'pending' }> | undefined,
    record: Readonly<Record<string, string>>,
  ): Promise<void> => {
    const c = contextOf(record);
    const sp = c ? d.sps.get(c.sp) : undefined;
    if (!c || !sp) return sendErrorPage(ctx, 400, LOGIN_UNKNOWN);
    const style = resultStyleOf(sp, c);
    if (!outcome) return deliverError(ctx, d, sp, c, 'session-expired');
    if (outcome.kind === 'failure') {
      const f = outcome.failure;
      const validity = documentValidityOf(f);
      if (validity && style === 'tr-03130') return sendVerdict(ctx, d, sp, c, f, validity);
      return deliverError(
        ctx,
        d,
        sp,
        c,
        keyForFailure(f),
        f.code === 'client-error' && f.clientMinor ? f.clientMinor.slice(0, 200) : undefined,
      );
    }
    const r = outcome.result;
    // A REQUIRED attribute the citizen withheld: in the TR-03130 profile the SP decides (the attribute
    // is absent, TR-03130-1 §4.7.4: an Attribute for each field read); otherwise a status.
    const withheld = withheldRequired(c, r);
    if (withheld.length && style === 'status')
      return deliverError(ctx, d, sp, c, 'required-withheld', withheld.join(', '));
    let nameId: NameId;
    try {
      nameId =
        sp.settings.nameIdFormat === 'persistent'
          ? persistentNameId(sp.entityId, r.restrictedId)
          : transientNameId();
    } catch (e) {
      if (e instanceof SamlStatusError) return deliverError(ctx, d, sp, c, e.key, e.message);
      throw e;
    }
    sendAssertion(ctx, d, sp, c, {
      nameId,
      attributeStatement: renderAttributeStatement(r, c.requested),
      authnInstant: r.completedAt,
      outcome: withheld.length ? 'success, required attributes withheld' : 'success',
    });
  };
}
