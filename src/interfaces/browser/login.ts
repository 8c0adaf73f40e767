/**
 * The browser part of a login (TR-03124-1 §2.2, §2.7.4) shared by the SAML
 * IdP and the OpenID Provider:
 *
 * 1. `begin()` creates the authentication session, whose RefreshAddress is
 *    https://<server>/eid/return/<ref> with a random `ref`, sets a cookie
 *    binding the browser to `ref`, and renders the page that starts the
 *    eID-Client (http://127.0.0.1:24727/eID-Client?tcTokenURL=…) and waits.
 * 2. The eID-Client sends the browser to the RefreshAddress. `/eid/return/:ref`
 *    checks the cookie (the same browser that started the login), takes the
 *    outcome exactly once and hands it to the front-end that began the login.
 *
 * The page also polls /eid/status/:ref, so a browser that is not redirected
 * (another device, a client without browser activation) still continues.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Outcome, SessionService } from '../../workflows/session/service.js';
import type { AuthRequest, AuthSession } from '../../workflows/session/types.js';
import { outcomeOnReturn } from './outcome.js';
import { activationPage, LOGIN_UNKNOWN, sendErrorPage } from './pages.js';

export const CLIENT_URL = 'http://127.0.0.1:24727/eID-Client';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const COOKIE = 'neid_login';

/** Renders the front-end's answer (SAML Response, OIDC redirect …) for the outcome of a login. */
export type LoginContinuation = (
  ctx: Context,
  outcome: Exclude<Outcome, { kind: 'pending' }> | undefined,
  context: Readonly<Record<string, string>>,
) => Promise<void>;

export interface BrowserLoginOptions {
  readonly sessions: SessionService;
  readonly webUrl: string;
  readonly ttlMs: number;
  readonly clientUrl?: string;
  /** The channel of a login that does not choose one: TLS-PSK when the server has the listener. */
  readonly defaultChannel: AuthRequest['channel'];
}

/**
 * Browser logins keep no state of their own: the return reference and the
 * hash of the binding cookie live in the authentication session, so any
 * server instance sharing the session store can finish the login.
 */
export class BrowserLogins {
  private readonly continuations = new Map<string, LoginContinuation>();

  constructor(private readonly o: BrowserLoginOptions) {}

  /** A front-end registers how it finishes a login. */
  register(frontEnd: string, cont: LoginContinuation): void {
    this.continuations.set(frontEnd, cont);
  }

  mount(router: Router): void {
    router.get('/eid/return/:ref', (ctx) => this.finish(ctx));
    router.get('/eid/status/:ref', (ctx) => this.status(ctx));
  }

  /** Starts a login for the browser of `ctx` and renders the activation page. */
  async begin(
    ctx: Context,
    req: Omit<AuthRequest, 'refreshAddress' | 'communicationErrorAddress' | 'channel'> & {
      channel?: AuthRequest['channel'];
    },
    view: { title: string; eServiceName: string },
  ): Promise<void> {
    const ref = randomBytes(24).toString('base64url');
    const binding = randomBytes(24).toString('base64url');
    const created = await this.o.sessions.create(
      {
        ...req,
        channel: req.channel ?? this.o.defaultChannel,
        refreshAddress: `${this.o.webUrl}/eid/return/${ref}`,
        communicationErrorAddress: `${this.o.webUrl}/eid/return/${ref}`,
      },
      { returnRef: ref, bindingHash: sha256(binding) },
    );
    ctx.cookies.set(`${COOKIE}_${ref.slice(0, 8)}`, binding, {
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      path: `/eid/`,
      // The session lives on once an eID-Client picks it up (SessionService.admit): the cookie as long as it can.
      expires: new Date(created.latestExpiresAt),
    });
    const clientUrl = `${this.o.clientUrl ?? CLIENT_URL}?tcTokenURL=${encodeURIComponent(created.tcTokenUrl)}`;
    ctx.set('Cache-Control', 'no-store');
    ctx.set(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'",
    );
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = activationPage({
      ...view,
      clientUrl,
      statusUrl: `/eid/status/${ref}`,
      returnUrl: `/eid/return/${ref}`,
    });
  }

  /** The session of this return reference, if the request comes from the browser that began it. */
  private async lookup(ctx: Context): Promise<[string, AuthSession] | undefined> {
    const ref = ctx.params.ref ?? '';
    const s = ref ? await this.o.sessions.getByReturnRef(ref) : undefined;
    if (!s?.browserBinding) return undefined;
    const cookie = ctx.cookies.get(`${COOKIE}_${ref.slice(0, 8)}`) ?? '';
    const a = Buffer.from(sha256(cookie), 'hex');
    const b = Buffer.from(s.browserBinding, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    return [ref, s];
  }

  private async status(ctx: Context): Promise<void> {
    ctx.set('Cache-Control', 'no-store');
    const hit = await this.lookup(ctx);
    if (!hit) {
      ctx.status = 404;
      ctx.body = { state: 'unknown' };
      return;
    }
    const s = hit[1];
    ctx.body = { state: s.state === 'completed' || s.state === 'failed' ? 'done' : 'running' };
  }

  private async finish(ctx: Context): Promise<void> {
    ctx.set('Cache-Control', 'no-store');
    const hit = await this.lookup(ctx);
    if (!hit) return sendErrorPage(ctx, 400, LOGIN_UNKNOWN);
    const [ref, s] = hit;
    const outcome = await outcomeOnReturn(this.o.sessions, s.id, ctx.query.ResultMinor);
    ctx.cookies.set(`${COOKIE}_${ref.slice(0, 8)}`, '', {
      secure: true,
      httpOnly: true,
      path: '/eid/',
      expires: new Date(0),
    });
    const cont = this.continuations.get(s.request.frontEnd);
    if (!cont) throw new Error(`no continuation for front-end ${s.request.frontEnd}`);
    await cont(ctx, outcome, s.request.context ?? {});
  }
}
