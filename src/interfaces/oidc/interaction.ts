/**
 * The provider's login interaction (OIDC Core §3.1.2.3 "Authorization Server
 * Authenticates End-User") as an EAC online authentication:
 *
 * 1. GET /oidc/interaction/:uid plans the card request from the authorization
 *    request (scopes, claims, within the approval) and starts the browser
 *    login (BrowserLogins.begin: activation page for the eID-Client).
 * 2. When the browser comes back, the continuation turns the consumed result
 *    into the interaction result: login (the eService pseudonym, acr, amr)
 *    and consent — a grant of exactly the requested and approved scopes and
 *    claims; the eID-Client's consent screen is the citizen's consent to
 *    release. The released claims are sealed into LoginClaims under the
 *    grant. The browser then resumes the authorization (the resume cookie
 *    binds it to the request) and the client receives its code.
 */
import { createHmac } from 'node:crypto';
import type { Context } from 'koa';
import type { Interaction, InteractionResults, Provider } from 'oidc-provider';
import type { EService, Registry } from '../../config/relying-parties.js';
import { AuthRequestError, UnavailableError } from '../../workflows/session/errors.js';
import type { Outcome } from '../../workflows/session/service.js';
import type { BrowserLogins, LoginContinuation } from '../browser/login.js';
import { LOGIN_UNKNOWN, sendErrorPage } from '../browser/pages.js';
import type { Logger } from '../http/log.js';
import { shortId } from '../http/log.js';
import { ACR, AGE_CLAIM, AMR, claimOfField, claimsOf, PLACE_CLAIM } from './claims.js';
import { bindingOf } from './clients.js';
import {
  OidcRequestError,
  type WireError,
  wireErrorOf,
  wireErrorOfFailure,
  wireErrorOfRefusal,
} from './errors.js';
import type { LoginClaims } from './login-claims.js';
import { CLAIMS_TTL } from './provider.js';
import { checkTransactionInfo, planRequest, type RequestPlan } from './request.js';

export interface InteractionDeps {
  readonly provider: Provider;
  readonly registry: Registry;
  readonly logins: BrowserLogins;
  readonly claims: LoginClaims;
  readonly pairwiseKey: Buffer;
  readonly log: Logger;
}

/** The eService-specific pseudonym of the card: HMAC over the sector-specific Restricted Identification. */
export function accountIdOf(key: Buffer, eServiceId: string, restrictedId: string): string {
  return createHmac('sha256', key).update(`neid-account\0${eServiceId}\0${restrictedId}`).digest('base64url');
}

async function eServiceOf(d: InteractionDeps, i: Interaction): Promise<EService | undefined> {
  const client = await d.provider.Client.find(String(i.params.client_id ?? ''));
  const b = bindingOf(client);
  return b ? d.registry.get(b.eServiceId) : undefined;
}

/** An essential acr other than this provider's cannot be met (OIDC Core §5.5.1.1). */
function unmetAcr(i: Interaction): boolean {
  try {
    const acr = (
      JSON.parse(String(i.params.claims ?? '{}')) as {
        id_token?: { acr?: { essential?: boolean; value?: string; values?: string[] } };
      }
    ).id_token?.acr;
    if (!acr?.essential) return false;
    const wanted = acr.values ?? (acr.value !== undefined ? [acr.value] : []);
    return wanted.length > 0 && !wanted.includes(ACR);
  } catch {
    return false;
  }
}

async function finishWithError(d: InteractionDeps, ctx: Context, e: WireError): Promise<void> {
  await d.provider.interactionFinished(
    ctx.req,
    ctx.res,
    { error: e.error, error_description: e.error_description },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
}

export function interactionHandler(d: InteractionDeps) {
  return async (ctx: Context): Promise<void> => {
    ctx.set('Cache-Control', 'no-store');
    const i = await d.provider.interactionDetails(ctx.req, ctx.res).catch(() => undefined);
    if (!i || i.uid !== ctx.params.uid) return sendErrorPage(ctx, 400, LOGIN_UNKNOWN);
    const es = await eServiceOf(d, i);
    if (!es)
      return finishWithError(d, ctx, {
        error: 'invalid_request',
        error_description: 'the client is not bound to an eService',
      });
    if (i.prompt.name !== 'login') {
      // Consent is granted together with the login; any other prompt is not one this provider can satisfy.
      d.log.warn(
        { interaction: shortId(i.uid), eService: es.id, prompt: i.prompt.name },
        'unexpected OIDC prompt',
      );
      return finishWithError(d, ctx, {
        error: 'access_denied',
        error_description: `prompt ${i.prompt.name} is not supported`,
      });
    }
    if (unmetAcr(i))
      return finishWithError(d, ctx, {
        error: 'access_denied',
        error_description: `the only acr of this provider is ${ACR}`,
      });
    let plan: RequestPlan;
    let transactionInfo: string | undefined;
    try {
      plan = planRequest(es, i.params.scope, i.params.claims);
      transactionInfo = checkTransactionInfo(i.params.neid_transaction_info);
    } catch (e) {
      if (e instanceof OidcRequestError)
        return finishWithError(d, ctx, { error: e.code, error_description: e.message });
      throw e;
    }
    try {
      await d.logins.begin(
        ctx,
        {
          eServiceId: es.id,
          frontEnd: 'oidc',
          ...plan.card,
          ...(transactionInfo ? { transactionInfo } : {}),
          context: { uid: i.uid },
        },
        {
          title: '以新一代身分證登入 / Log in with the New eID',
          eServiceName: `${es.displayName.zh} (${es.displayName.en})`,
        },
      );
      d.log.info(
        {
          interaction: shortId(i.uid),
          eService: es.id,
          required: plan.card.required.length,
          optional: plan.card.optional.length,
        },
        'OIDC login started',
      );
    } catch (e) {
      if (e instanceof AuthRequestError) {
        d.log.info({ interaction: shortId(i.uid), eService: es.id, outcome: e.code }, 'OIDC login refused');
        return finishWithError(d, ctx, wireErrorOfRefusal(e));
      }
      // No session could be created (store down, shutting down): RFC 6749 §4.1.2.1 temporarily_unavailable.
      if (e instanceof UnavailableError) {
        d.log.warn(
          { interaction: shortId(i.uid), eService: es.id, reason: e.message },
          'OIDC login unavailable',
        );
        return finishWithError(d, ctx, {
          error: 'temporarily_unavailable',
          error_description: 'the eID login is temporarily unavailable; try again later',
        });
      }
      throw e;
    }
  };
}

/** Required rights the citizen withheld (the EAC result marks them PROHIBITED). */
function withheld(plan: RequestPlan, operations: Readonly<Record<string, string | undefined>>): string[] {
  const out = plan.card.required.filter((f) => operations[f] === 'PROHIBITED').map(claimOfField);
  if (plan.card.ageVerification?.required && operations.ageVerification === 'PROHIBITED') out.push(AGE_CLAIM);
  if (plan.card.placeVerification?.required && operations.placeVerification === 'PROHIBITED')
    out.push(PLACE_CLAIM);
  return out;
}

async function resultOf(
  d: InteractionDeps,
  i: Interaction,
  outcome: Exclude<Outcome, { kind: 'pending' }> | undefined,
): Promise<InteractionResults> {
  if (!outcome) return { ...wireErrorOf('session-expired') };
  if (outcome.kind === 'failure') return { ...wireErrorOfFailure(outcome.failure) };
  const es = await eServiceOf(d, i);
  const clientId = String(i.params.client_id ?? '');
  if (!es || es.id !== outcome.session.request.eServiceId)
    return { error: 'server_error', error_description: 'the login does not belong to this client' };
  const plan = planRequest(es, i.params.scope, i.params.claims);
  const missing = withheld(plan, outcome.result.operations);
  if (missing.length)
    return {
      ...wireErrorOf('required-withheld', `the citizen withheld essential claims: ${missing.join(', ')}`),
    };
  const ri = outcome.result.restrictedId;
  if (!ri)
    return { error: 'server_error', error_description: 'the card returned no restricted identification' };
  const accountId = accountIdOf(d.pairwiseKey, es.id, ri);
  const grant = new d.provider.Grant({ accountId, clientId });
  grant.addOIDCScope(plan.scopes.join(' '));
  if (plan.claims.length) grant.addOIDCClaims([...plan.claims]);
  const grantId = await grant.save();
  const authTime = Math.floor(outcome.result.completedAt / 1000);
  await d.claims.put(
    grantId,
    { accountId, clientId, eServiceId: es.id, claims: claimsOf(outcome.result), authTime },
    CLAIMS_TTL,
  );
  return {
    login: { accountId, acr: ACR, amr: [...AMR], remember: false, ts: authTime },
    consent: { grantId },
  };
}

export function loginContinuation(d: InteractionDeps): LoginContinuation {
  return async (ctx, outcome, context) => {
    const i = context.uid ? await d.provider.Interaction.find(context.uid) : undefined;
    if (!i) return sendErrorPage(ctx, 400, LOGIN_UNKNOWN);
    const result = await resultOf(d, i, outcome);
    d.log.info(
      {
        interaction: shortId(i.uid),
        eService: outcome?.session.request.eServiceId,
        outcome: result.error ?? 'ok',
      },
      'OIDC login finished',
    );
    i.result = result;
    await i.save(Math.max(1, i.exp - Math.floor(Date.now() / 1000)));
    ctx.status = 303;
    ctx.redirect(i.returnTo);
  };
}
