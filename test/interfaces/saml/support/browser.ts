/**
 * A minimal browser for SAML tests: HTTPS (or HTTP) requests with a cookie
 * jar, no automatic redirects, and helpers to read the IdP's pages (the
 * activation link, an auto-submitting form).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Page {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly url: string;
}

export class Browser {
  private readonly jar = new Map<string, { value: string; path: string; origin: string }>();

  cookieHeader(url: URL): string {
    return [...this.jar.entries()]
      .filter(([, c]) => c.origin === url.origin && url.pathname.startsWith(c.path))
      .map(([k, c]) => `${k}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, setCookie: string | string[] | undefined): void {
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attrs.some(
        (a) => a.toLowerCase().startsWith('expires=') && Date.parse(a.slice(8)) < Date.now(),
      );
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, { value, path, origin: url.origin });
    }
  }

  request(
    method: 'GET' | 'POST',
    href: string,
    body?: Record<string, string> | string,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    const url = new URL(href);
    const payload =
      body === undefined ? undefined : typeof body === 'string' ? body : new URLSearchParams(body).toString();
    const h: Record<string, string> = { ...headers };
    const cookie = this.cookieHeader(url);
    if (cookie) h.cookie = cookie;
    if (payload !== undefined) {
      h['content-type'] ??= 'application/x-www-form-urlencoded';
      h['content-length'] = String(Buffer.byteLength(payload));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers: h, rejectUnauthorized: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.store(url, res.headers['set-cookie']);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            url: href,
          });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  get(href: string): Promise<Page> {
    return this.request('GET', href);
  }

  post(href: string, form: Record<string, string>): Promise<Page> {
    return this.request('POST', href, form);
  }

  /** GET, following redirects (303/302/301/307) up to `max` hops. */
  async follow(href: string, max = 10): Promise<Page> {
    let page = await this.get(href);
    for (let i = 0; i < max && [301, 302, 303, 307].includes(page.status); i++) {
      page = await this.get(new URL(String(page.headers.location), page.url).href);
    }
    return page;
  }
}

export const htmlDecode = (s: string): string =>
  s
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The tcTokenURL of the activation page's eID-Client link. */
export function tcTokenUrlOf(page: Page): string {
  const m = /href="(http:\/\/127\.0\.0\.1:\d+\/eID-Client\?[^"]+)"/.exec(page.body);
  if (!m) throw new Error(`no eID-Client link on the page (HTTP ${page.status}): ${page.body.slice(0, 300)}`);
  const link = new URL(htmlDecode(m[1]!));
  return link.searchParams.get('tcTokenURL')!;
}

/** The auto-submitting form of a page: action and hidden fields. */
export function formOf(page: Page): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(page.body);
  if (!action) throw new Error(`no form on the page (HTTP ${page.status}): ${page.body.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const m of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = htmlDecode(m[2]!);
  return { action: htmlDecode(action[1]!), fields };
}
