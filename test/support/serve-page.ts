/**
 * Drives `neid-client serve` over HTTP the way a browser does: GET the
 * activation URL, follow its redirects on the eID-Client's origin, read the
 * page's form (hidden fields included) and post it. No page is parsed beyond
 * what a browser submits: the `seq` field, the title, the form's action.
 */
import { request } from 'node:http';

export interface Page {
  readonly status: number;
  readonly location?: string;
  readonly body: string;
  readonly path: string;
}

export class ServePage {
  constructor(readonly base: string) {}

  get(path: string): Promise<Page> {
    return this.send('GET', path);
  }

  send(method: 'GET' | 'POST', path: string, form?: string): Promise<Page> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.base}${path}`,
        {
          method,
          headers: form ? { 'content-type': 'application/x-www-form-urlencoded', origin: this.base } : {},
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              ...(res.headers.location ? { location: res.headers.location } : {}),
              body,
              path,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(form);
    });
  }

  /** Follows redirects that stay on the eID-Client's origin (a browser would go on to the eService). */
  async follow(p: Page): Promise<Page> {
    let cur = p;
    for (let i = 0; i < 5 && cur.status === 303 && cur.location?.startsWith('/'); i++)
      cur = await this.get(cur.location);
    return cur;
  }

  /** Polls a job page until it shows a form, a way back, or an error (the wait page refreshes itself). */
  async settle(path: string, limitMs = 120_000): Promise<Page> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const p = await this.follow(await this.get(path));
      const waiting = p.status === 200 && p.body.includes('http-equiv="refresh" content="1;');
      if (!waiting || Date.now() > deadline) return p;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Submits the page's form with `fields`; returns the page after the post (its /next page). */
  async submit(p: Page, fields: Record<string, string | string[]>): Promise<Page> {
    const seq = /name="seq" value="(\d+)"/.exec(p.body)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(p.body)?.[1];
    if (!seq || !action) throw new Error(`no form on the page:\n${p.body.slice(0, 400)}`);
    const form = new URLSearchParams({ seq });
    for (const [k, v] of Object.entries(fields))
      for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
    const posted = await this.send('POST', action, form.toString());
    const next = await this.follow(posted);
    return next.status === 200 && next.body.includes('content="1;') ? this.settle(action) : next;
  }

  /** Where a page sends the browser back to the eService: a 303, or the return page's link. */
  static returnUrl(p: Page): string | undefined {
    if (p.status === 303 && p.location && !p.location.startsWith('/')) return p.location;
    const m = /id="continue" href="([^"]+)"/.exec(p.body);
    return m ? m[1]!.replace(/&amp;/g, '&') : undefined;
  }
}

/** The title (h2) of a page, for assertions. */
export const titleOf = (p: Page): string =>
  /<h2>([\s\S]*?)<\/h2>/.exec(p.body)?.[1]?.replace(/<[^>]+>/g, '') ?? '';
