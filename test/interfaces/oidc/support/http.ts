/**
 * HTTPS for OIDC tests over node:https, trusting the test server's own
 * certificate (and presenting a client certificate for mTLS): a plain request
 * function, a Fetch-API shim for openid-client's customFetch, and a browser
 * with a cookie jar that follows redirects.
 */
import { request as httpRequestPlain } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TlsTrust {
  /** PEM of the server certificate(s) to trust. */
  readonly ca: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  readonly cert?: string;
  readonly key?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export function httpRequest(
  url: string,
  tls: TlsTrust,
  o: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    };
    // Plain http only for a loopback relying party (Apache in the interop test).
    const req = url.startsWith('http:')
      ? httpRequestPlain(
          url,
          { method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false },
          onResponse,
        )
      : httpsRequest(
          url,
          {
            method: o.method ?? 'GET',
            headers: o.headers ?? {},
            ca: tls.ca,
            ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}),
            agent: false,
            // The test server's certificate names 127.0.0.1/localhost; an mTLS listener on another port has the same one.
            checkServerIdentity: () => undefined,
          },
          onResponse,
        );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** A Fetch-API implementation for openid-client (`[client.customFetch]`). */
export function fetchVia(tls: TlsTrust) {
  return async (
    url: string,
    options: { method: string; headers: Record<string, string>; body?: unknown },
  ): Promise<Response> => {
    let body: string | Buffer | undefined;
    if (options.body instanceof URLSearchParams) body = options.body.toString();
    else if (typeof options.body === 'string') body = options.body;
    else if (options.body instanceof Uint8Array) body = Buffer.from(options.body);
    else if (options.body instanceof ArrayBuffer) body = Buffer.from(options.body);
    const r = await httpRequest(url, tls, {
      method: options.method,
      headers: options.headers,
      ...(body !== undefined ? { body } : {}),
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(r.headers)) {
      if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      else if (v !== undefined) headers.set(k, v);
    }
    const nullBody = [101, 204, 205, 304].includes(r.status);
    return new Response(nullBody ? null : new Uint8Array(r.body), { status: r.status, headers });
  };
}

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly host: string;
  readonly expires?: number;
}

/** A browser: cookie jar (RFC 6265 subset: host-only, path, expiry) and redirects. */
export class Browser {
  private cookies: Cookie[] = [];
  /** Every URL the browser was sent to. */
  readonly visited: string[] = [];

  constructor(private readonly tls: TlsTrust) {}

  private cookieHeader(u: URL): string {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies
      .filter(
        (c) =>
          c.host === u.host &&
          (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(u: URL, setCookie: string | string[] | undefined): void {
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      let path = u.pathname.replace(/\/[^/]*$/, '') || '/';
      let expires: number | undefined;
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        const key = k!.trim().toLowerCase();
        if (key === 'path') path = v.trim();
        if (key === 'expires') expires = Date.parse(v.trim());
        if (key === 'max-age') expires = Date.now() + Number(v.trim()) * 1000;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path && c.host === u.host));
      if (expires === undefined || expires > Date.now())
        this.cookies.push({ name, value, path, host: u.host, ...(expires !== undefined ? { expires } : {}) });
    }
  }

  /** One request, no redirect following. */
  async fetch(
    url: string,
    o: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<HttpResponse & { url: string }> {
    const u = new URL(url);
    this.visited.push(url);
    const cookie = this.cookieHeader(u);
    const r = await httpRequest(url, this.tls, {
      ...o,
      headers: {
        accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
        'user-agent': 'neid-test-browser',
        ...(o.headers ?? {}),
        ...(cookie ? { cookie } : {}),
      },
    });
    this.store(u, r.headers['set-cookie']);
    return { ...r, url };
  }

  /**
   * GETs `url` and follows redirects until a response is not a redirect, or
   * the next location starts with `stopAt` (the relying party's callback).
   */
  async navigate(
    url: string,
    stopAt?: string,
  ): Promise<{ url: string; status: number; body: string; location?: string }> {
    let current = url;
    for (let hops = 0; hops < 20; hops++) {
      const r = await this.fetch(current);
      const loc = r.headers.location;
      if (r.status >= 300 && r.status < 400 && typeof loc === 'string') {
        const next = new URL(loc, current).href;
        if (stopAt && next.startsWith(stopAt))
          return { url: current, status: r.status, body: r.body.toString('utf8'), location: next };
        current = next;
        continue;
      }
      return { url: current, status: r.status, body: r.body.toString('utf8') };
    }
    throw new Error('too many redirects');
  }
}

/** The tcTokenURL of the activation page's eID-Client link. */
export function tcTokenUrlOf(activationPage: string): string {
  const m = /href="(http:\/\/127\.0\.0\.1:24727\/eID-Client\?[^"]+)"/.exec(activationPage);
  if (!m) throw new Error('no eID-Client link on the page');
  const href = m[1]!
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');
  const t = new URL(href).searchParams.get('tcTokenURL');
  if (!t) throw new Error('no tcTokenURL');
  return t;
}
