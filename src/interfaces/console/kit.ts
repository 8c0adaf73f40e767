/**
 * What every console page is built with: its routes behind the session check
 * (GET) and the session, origin and CSRF checks (POST); the call of an admin
 * API operation as the signed-in person — the very pipeline the REST API runs,
 * so every role, scope, four-eyes and freshness rule applies — and the one
 * mapping of the API's refusals to pages: a form's errors by field in both
 * languages, a stale record with the advice to reload, a step that needs a
 * fresh authentication (to the step-up page), a forbidden step (403, audited).
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AdminConfig } from '../../config/admin-config.js';
import type { AdminApi } from '../admin/pipeline.js';
import { Problem, toProblem } from '../admin/problem.js';
import type { Reply } from '../admin/route.js';
import type { Logger } from '../http/log.js';
import { type Form, FormError, readForm } from './forms.js';
import { bi, type FieldError, type Html, html, notice, type Text } from './html.js';
import { labelOf, reasonText, refusalText } from './i18n.js';
import { type Assets, type Frame, type PageViewer, render } from './layout.js';
import type { ConsoleSessions } from './session.js';

export interface CallInput {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  /** The record version the page showed (sent as If-Match). */
  readonly version?: number | string;
}

export class ConsoleKit {
  constructor(
    readonly o: {
      readonly router: Router;
      readonly api: AdminApi;
      readonly sessions: ConsoleSessions;
      readonly assets: Assets;
      readonly config: AdminConfig;
      readonly publicOrigin: string;
      readonly log: Logger;
    },
  ) {}

  get api(): AdminApi {
    return this.o.api;
  }

  page(ctx: Context, frame: Frame, body: Html, status = 200): void {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = render(this.o.assets, frame, body);
  }

  /** The viewer of a request, or the way to the login page. */
  async viewer(ctx: Context): Promise<PageViewer | undefined> {
    const v = await this.o.sessions.current(ctx);
    if (!v || 'ended' in v) {
      const next = ctx.method === 'GET' ? `&next=${encodeURIComponent(ctx.path)}` : '';
      ctx.redirect(`/admin/login?${v ? `ended=${v.ended}` : 'signin=1'}${next}`);
      ctx.status = 303;
      return undefined;
    }
    return {
      ...v,
      allows: (op) => this.o.api.allows(v.principal, op),
      fresh: this.o.api.isFresh(v.principal),
    };
  }

  get(path: string, handler: (ctx: Context, v: PageViewer) => Promise<void>): void {
    this.o.router.get(path, async (ctx) => {
      const v = await this.viewer(ctx);
      if (v) await handler(ctx, v);
    });
  }

  /** A browser POST from the console's own pages: same origin, and the session's CSRF token. */
  sameOrigin(ctx: Context): boolean {
    const origin = ctx.get('origin');
    const site = ctx.get('sec-fetch-site');
    // Browsers send Sec-Fetch-Site (no script can set it); Origin may be "null" (privacy settings).
    if (site)
      return site === 'same-origin' && (!origin || origin === 'null' || origin === this.o.publicOrigin);
    return !origin || origin === this.o.publicOrigin;
  }

  post(
    path: string,
    handler: (ctx: Context, v: PageViewer, form: Form) => Promise<void>,
    o: { multipart?: boolean; limit?: number } = {},
  ): void {
    this.o.router.post(path, async (ctx) => {
      if (!this.sameOrigin(ctx))
        return this.fail(ctx, undefined, 403, [
          '跨來源的請求被拒絕。',
          'A cross-origin request was refused.',
        ]);
      const v = await this.viewer(ctx);
      if (!v) return;
      let form: Form;
      try {
        form = await readForm(ctx, o);
      } catch (e) {
        if (e instanceof FormError)
          return this.fail(ctx, v, e.status, ['表單無法讀取。', 'The form could not be read.'], e.message);
        throw e;
      }
      if (!this.o.sessions.csrfOk(v, form.get('_csrf')))
        return this.fail(ctx, v, 403, [
          '表單已過期：請重新載入頁面後再送出。',
          'The form has expired: reload the page and send it again.',
        ]);
      await handler(ctx, v, form);
    });
  }

  /**
   * A step on a record's page (`<base>/:id/<path>`): `run` returns the notice code and the page
   * comes back with it; a refusal is shown by `refuse` (a stale record: reload).
   */
  step(base: string, path: string, run: (v: PageViewer, id: string, f: Form) => Promise<string>): void {
    this.post(`${base}/:id/${path}`, async (ctx, v, f) => {
      const id = ctx.params.id!;
      try {
        this.done(ctx, `${base}/${id}`, await run(v, id, f));
      } catch (e) {
        await this.refuse(ctx, v, e, { back: `${base}/${id}` });
      }
    });
  }

  /** Runs an admin operation as the viewer (throws the API's Problem). */
  call(v: PageViewer, operationId: string, i: CallInput = {}): Promise<Reply> {
    const version = i.version === undefined || i.version === '' ? undefined : String(i.version);
    return this.o.api.invoke(operationId, {
      principal: v.principal,
      ...(i.params ? { params: i.params } : {}),
      ...(i.query ? { query: i.query } : {}),
      ...(i.body !== undefined ? { body: i.body } : {}),
      ...(version !== undefined ? { ifMatch: /^\d{1,9}$/.test(version) ? `"v${version}"` : version } : {}),
    });
  }

  /** A page that says what went wrong (and, for a stale record, to reload it). */
  fail(
    ctx: Context,
    v: PageViewer | undefined,
    status: number,
    text: Text,
    detail?: string,
    back?: string,
    errors: readonly FieldError[] = [],
  ): void {
    const fields = errors.length
      ? html`<ul>${errors.map((e) => html`<li>${bi(e.label)}：${bi(e.message)}</li>`)}</ul>`
      : '';
    const body = html`${notice('error', html`<p>${bi(text)}</p>${fields}${detail ? html`<p class="detail"><code>${detail}</code></p>` : ''}`)}
${back ? html`<p><a class="button primary" id="reload" href="${back}">${bi(['重新載入', 'Reload'])}</a></p>` : html`<p><a href="/admin/">${bi(['回到儀表板', 'Back to the dashboard'])}</a></p>`}`;
    this.page(
      ctx,
      {
        title: status === 403 ? ['不允許', 'Not allowed'] : ['無法完成', 'Could not be done'],
        ...(v ? { viewer: v } : {}),
      },
      body,
      status,
    );
  }

  /** The API's refusal as a page; 422 goes back to the form (`form`), the rest to an error page. */
  async refuse(
    ctx: Context,
    v: PageViewer,
    e: unknown,
    o: { back: string; form?: (errors: FieldError[], status: number) => Promise<void> },
  ): Promise<void> {
    const p = toProblem(e);
    if (p.status >= 500)
      this.o.log.error({ path: ctx.path, err: (e as Error).message }, 'console action failed');
    if (p.kind === 'reauthentication-required') {
      ctx.status = 303;
      ctx.redirect(`/admin/reauth?next=${encodeURIComponent(o.back)}`);
      return;
    }
    const errors = fieldErrors(p);
    if (o.form && errors.length && (p.status === 422 || p.status === 400 || p.status === 409)) {
      await o.form(errors, p.status);
      return;
    }
    const stale = p.kind === 'stale' || p.status === 412;
    this.fail(ctx, v, p.status, refusalText(p.status, p.kind), p.message, stale ? o.back : undefined, errors);
  }

  /** 303 to `path` with a notice code the page shows. */
  done(ctx: Context, path: string, code: string): void {
    ctx.status = 303;
    ctx.redirect(`${path}${path.includes('?') ? '&' : '?'}done=${encodeURIComponent(code)}`);
  }
}

/** The field errors of a Problem, each named in both languages, for the form that sent it. */
export function fieldErrors(p: Problem): FieldError[] {
  const list = p.errors?.length ? p.errors : p.pointer ? [{ pointer: p.pointer, detail: p.message }] : [];
  return list.map((e) => ({
    id: controlOf(e.pointer),
    label: labelOf(e.pointer),
    message: reasonText('keyword' in e ? e.keyword : undefined),
    detail: e.detail,
  }));
}

/** The form control of a JSON pointer: `/form/contact/email` → `f-form-contact-email`. */
export const controlOf = (pointer: string): string =>
  `f-${
    pointer
      .replace(/\/\d+(?=\/|$)/g, '')
      .replace(/^\//, '')
      .replace(/\//g, '-') || 'form'
  }`;

export { Problem };
