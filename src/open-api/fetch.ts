/**
 * GET of one trust document over HTTP(S), conditional on its ETag (RFC 9110
 * §13.1.2): 200 with the bytes, or 304 when the copy held is current. No
 * redirects, a size limit and a timeout. The documents are signed, so the
 * transport adds freshness, not trust; HTTPS is still verified against the
 * system's CAs or `tlsCa` (a test server's self-signed certificate).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { OpenApiError } from './errors.js';

export interface FetchOptions {
  readonly etag?: string;
  readonly tlsCa?: string | Buffer;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
}

export type FetchResult =
  | { readonly status: 200; readonly body: Buffer; readonly etag?: string }
  | { readonly status: 304 };

export function fetchDocument(url: URL, o: FetchOptions = {}): Promise<FetchResult> {
  const max = o.maxBytes ?? 32 * 1024 * 1024;
  const fail = (m: string) => new OpenApiError('trust-unavailable', `${url.href}: ${m}`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return Promise.reject(fail('only http and https URLs are supported'));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: { accept: '*/*', ...(o.etag ? { 'if-none-match': o.etag } : {}) },
        timeout: o.timeoutMs ?? 10_000,
        agent: false,
        ...(url.protocol === 'https:' && o.tlsCa ? { ca: o.tlsCa } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status === 304) {
          res.resume();
          resolve({ status: 304 });
          return;
        }
        if (status !== 200) {
          res.resume();
          reject(fail(`HTTP ${status}`));
          return;
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > max) {
          res.destroy();
          reject(fail(`the document exceeds ${max} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > max) res.destroy(fail(`the document exceeds ${max} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
          resolve({ status: 200, body: Buffer.concat(chunks), ...(etag ? { etag } : {}) });
        });
      },
    );
    req.on('timeout', () => req.destroy(fail('timed out')));
    req.on('error', (e) => reject(e instanceof OpenApiError ? e : fail(e.message)));
    req.end();
  });
}
