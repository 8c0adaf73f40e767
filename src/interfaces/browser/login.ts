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
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { SessionService, Outcome } from '../../workflows/session/service.js';
import type { AuthRequest } from '../../workflows/session/types.js';
import { activationPage } from './pages.js';

export const CLIENT_URL = 'http://127.0.0.1:24727/eID-Client';
const COOKIE = 'neid_login';

export interface LoginContinuation {
  /** Renders the front-end's answer (SAML Response, OIDC redirect …) for the outcome. */
  (ctx: Context, outcome: Exclude<Outcome, { kind: 'pending' }> | undefined, context: Readonly<Record<string, string>>): Promise<void>;
}

interface Pending {
  readonly sessionId: string;
  readonly binding: string;
  readonly frontEnd: string;
  readonly context: Readonly<Record<string, string>>;
  readonly expiresAt: number;
}

export interface BrowserLoginOptions {
  readonly sessions: SessionService;
  readonly webUrl: string;
  readonly ttlMs: number;
  readonly clientUrl?: string;
}

export class BrowserLogins {
  private readonly pending = new Map<string, Pending>();
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
  async begin(ctx: Context, req: Omit<AuthRequest, 'refreshAddress' | 'communicationErrorAddress' | 'channel'> & { channel?: AuthRequest['channel'] }, view: { title: string; eServiceName: string }): Promise<void> {
    const ref = randomBytes(24).toString('base64url');
    const binding = randomBytes(24).toString('base64url');
    const created = await this.o.sessions.create({
      ...req,
      channel: req.channel ?? 'psk',
      refreshAddress: `${this.o.webUrl}/eid/return/${ref}`,
      communicationErrorAddress: `${this.o.webUrl}/eid/return/${ref}`,
    });
    this.sweep();
    this.pending.set(ref, { sessionId: created.sessionId, binding, frontEnd: req.frontEnd, context: req.context ?? {}, expiresAt: created.expiresAt });
    ctx.cookies.set(`${COOKIE}_${ref.slice(0, 8)}`, binding, { secure: true, httpOnly: true, sameSite: 'lax', path: `/eid/`, expires: new Date(created.expiresAt) });
    const clientUrl = `${this.o.clientUrl ?? CLIENT_URL}?tcTokenURL=${encodeURIComponent(created.tcTokenUrl)}`;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'");
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = activationPage({ ...view, clientUrl, statusUrl: `/eid/status/${ref}`, returnUrl: `/eid/return/${ref}` });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(k);
  }

  private lookup(ctx: Context): [string, Pending] | undefined {
    const ref = ctx.params.ref ?? '';
    const p = this.pending.get(ref);
    if (!p || p.expiresAt <= Date.now()) return undefined;
    const cookie = ctx.cookies.get(`${COOKIE}_${ref.slice(0, 8)}`) ?? '';
    const a = Buffer.from(cookie);
    const b = Buffer.from(p.binding);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    return [ref, p];
  }

  private async status(ctx: Context): Promise<void> {
    ctx.set('Cache-Control', 'no-store');
    const hit = this.lookup(ctx);
    if (!hit) {
      ctx.status = 404;
      ctx.body = { state: 'unknown' };
      return;
    }
    const s = await this.o.sessions.get(hit[1].sessionId);
    ctx.body = { state: !s ? 'gone' : s.state === 'completed' || s.state === 'failed' ? 'done' : 'running' };
  }

  private async finish(ctx: Context): Promise<void> {
    ctx.set('Cache-Control', 'no-store');
    const hit = this.lookup(ctx);
    if (!hit) {
      ctx.status = 400;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'This login is unknown, expired, or was started in another browser.\n';
      return;
    }
    const [ref, p] = hit;
    const outcome = await this.o.sessions.consume(p.sessionId);
    if (outcome?.kind === 'pending') {
      // The eID-Client reported an error before the server ended the session (e.g. no card): end it now.
      await this.o.sessions.fail(p.sessionId, { code: 'client-error', reason: `the eID-Client returned ${ctx.query.ResultMinor ?? 'without a result'}` });
    }
    this.pending.delete(ref);
    ctx.cookies.set(`${COOKIE}_${ref.slice(0, 8)}`, '', { secure: true, httpOnly: true, path: '/eid/', expires: new Date(0) });
    const final = outcome?.kind === 'pending' ? await this.o.sessions.consume(p.sessionId) : outcome;
    const cont = this.continuations.get(p.frontEnd);
    if (!cont) throw new Error(`no continuation for front-end ${p.frontEnd}`);
    await cont(ctx, final?.kind === 'pending' ? undefined : final, p.context);
  }
}
