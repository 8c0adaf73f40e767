/**
 * Answering the SP (saml-profiles §4.1.4.2–4.1.4.5; TR-03130-1 §4.2.3,
 * §4.7.3–4.7.4, §4.8.2): the outcome of the authentication session becomes a
 * Response — success with a signed, encrypted Assertion, or a status from
 * status.ts — delivered to the ACS the request named, in the ACS's binding:
 * an auto-submitting POST form (signed Response), or a 303 redirect with the
 * DEFLATE-encoded Response and a signed query string (TR-03130-1 §4.1). A
 * response too long for a URL goes by POST when the SP offers POST at the
 * same Location, otherwise the SP gets a short error instead.
 */
import type { Context } from 'koa';
import type { Outcome } from '../../workflows/session/service.js';
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
import { keyForFailure, type Status, type StatusKey, SUCCESS, statusOf } from './status.js';

/** Longest Location URL sent over HTTP-Redirect (common server request-line limits are about 8 KiB). */
export const MAX_REDIRECT_URL = 8000;

export interface AnswerDeps {
  readonly entityId: string;
  readonly signers: { readonly ec: Signer; readonly rsa: Signer };
  readonly sps: ServiceProviders;
  readonly log: SamlLog;
  readonly now?: () => number;
}

export const signerFor = (d: AnswerDeps, sp: ServiceProvider): Signer =>
  sp.outbound.signingKey === 'ec' ? d.signers.ec : d.signers.rsa;

/** Builds the Response for `status` (and assertion) and sends it to the context's ACS. */
export function deliver(
  ctx: Context,
  d: AnswerDeps,
  sp: ServiceProvider,
  c: LoginContext,
  status: Status,
  signedAssertion?: string,
): void {
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
  const post = () =>
    renderPostForm(ctx, c.acs, 'SAMLResponse', signResponse(xml, signer, sp.outbound), c.relayState);
  if (c.binding === 'post') {
    post();
    return;
  }
  const url = redirectUrl(c.acs, 'SAMLResponse', xml, c.relayState, signer);
  if (url.length <= MAX_REDIRECT_URL) {
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect(url);
    return;
  }
  if (sp.metadata.acs.some((a) => a.location === c.acs && a.binding === 'post')) {
    post();
    return;
  }
  d.log.warn(
    { eService: sp.eService.id, length: url.length },
    'SAML response too long for the HTTP-Redirect ACS',
  );
  deliver(ctx, d, sp, c, statusOf('response-too-large'));
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
  d.log.info(
    { eService: sp.eService.id, request: c.requestId.slice(0, 16), outcome: key },
    'SAML error response',
  );
  deliver(ctx, d, sp, c, statusOf(key, detail));
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
    if (!outcome) return deliverError(ctx, d, sp, c, 'session-expired');
    if (outcome.kind === 'failure') {
      const f = outcome.failure;
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
    if (r.documentValidity !== 'valid') {
      return deliverError(
        ctx,
        d,
        sp,
        c,
        keyForFailure({ code: 'invalid-document', reason: '', documentValidity: r.documentValidity }),
      );
    }
    const withheld = withheldRequired(c, r);
    if (withheld.length) return deliverError(ctx, d, sp, c, 'required-withheld', withheld.join(', '));
    const now = (d.now ?? Date.now)();
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
    const assertion = buildAssertion({
      id: samlId(),
      idpEntityId: d.entityId,
      spEntityId: sp.entityId,
      nameId,
      inResponseTo: c.requestId,
      recipient: c.acs,
      ...(c.address ? { address: c.address } : {}),
      now,
      authnInstant: r.completedAt,
      attributeStatement: renderAttributeStatement(r, c.requested),
    });
    deliver(ctx, d, sp, c, SUCCESS, signAssertion(assertion, signerFor(d, sp), sp.outbound));
    d.log.info(
      {
        eService: sp.eService.id,
        request: c.requestId.slice(0, 16),
        outcome: 'success',
        binding: c.binding,
        algorithms: sp.outbound.name,
      },
      'SAML response sent',
    );
  };
}
