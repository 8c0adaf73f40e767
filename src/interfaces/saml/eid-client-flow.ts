/**
 * The TR-03130 SAML profile proper (TR-03130-1 §4.2; TR-03124-1 §2.8): the
 * eService answers the eID-Client's call of its "presumed tcTokenURL" with a
 * redirect to this IdP carrying the AuthnRequest (HTTP-Redirect binding). The
 * eID-Client follows it to GET /saml/tctoken, which verifies the request
 * exactly like /saml/sso, creates the authentication session and sends the
 * client on to its TC Token. The TC Token's RefreshAddress is
 * /saml/refresh/<ref> (192 random bits): after the EAC run the eID-Client (or
 * the browser it hands the URL to) calls it and receives the Response for
 * the ACS — a redirect in the Redirect binding, as the profile prescribes,
 * or the POST form when the ACS only speaks POST.
 *
 * The reference is the session's return reference in the session store, so
 * any instance sharing the store can answer the return. Unlike a browser
 * login (interfaces/browser/login.ts) there is no binding cookie: the
 * eID-Client, not a browser, started the login, and the unguessable
 * reference it received over TLS is the capability.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { CreatedSession, SessionService } from '../../workflows/session/service.js';
import type { AuthRequest } from '../../workflows/session/types.js';
import type { LoginContinuation } from '../browser/login.js';
import { outcomeOnReturn } from '../browser/outcome.js';
import { LOGIN_UNKNOWN, sendErrorPage } from '../browser/pages.js';

export class EidClientLogins {
  constructor(
    private readonly sessions: SessionService,
    private readonly refreshBase: string,
  ) {}

  /** Creates the session of an eID-Client login, its RefreshAddress pointing at …/refresh/<ref>. */
  async create(
    req: Omit<AuthRequest, 'refreshAddress' | 'communicationErrorAddress'>,
  ): Promise<CreatedSession> {
    const ref = randomBytes(24).toString('base64url');
    const refreshAddress = `${this.refreshBase}/${ref}`;
    return this.sessions.create(
      { ...req, refreshAddress, communicationErrorAddress: refreshAddress },
      { returnRef: ref },
    );
  }

  /** GET …/refresh/:ref — hands the outcome to `cont` exactly once. */
  async finish(ctx: Context, cont: LoginContinuation): Promise<void> {
    ctx.set('Cache-Control', 'no-store');
    const ref = String(ctx.params.ref ?? '');
    const s = ref ? await this.sessions.getByReturnRef(ref) : undefined;
    // A browser login's reference belongs to /eid/return/ and its cookie check.
    if (!s || s.browserBinding || s.request.frontEnd !== 'saml')
      return sendErrorPage(ctx, 400, LOGIN_UNKNOWN);
    await cont(
      ctx,
      await outcomeOnReturn(this.sessions, s.id, ctx.query.ResultMinor),
      s.request.context ?? {},
    );
  }
}
