/**
 * The Open API trust material on the web listener (docs/open-api.md §3),
 * unauthenticated and cacheable, so a verifier needs nothing else from the
 * server and never sends it anything about a card:
 *
 *   GET /trust/ , /trust/index.json   what is published, with each document's validity
 *   GET /trust/csca-master-list.ml    CSCA Master List (ICAO 9303-12 §9), application/cms
 *   GET /trust/csca.crl               the CSCA's CRL (RFC 5280), application/pkix-crl
 *   GET /trust/card-revocation.cms    public card revocation list, application/cms
 *
 * Every answer carries a strong ETag (SHA-256 of the bytes), Last-Modified and
 * Cache-Control: public, max-age=`trust.cacheSeconds`; a matching
 * If-None-Match (or If-Modified-Since) is answered 304 (RFC 9110 §13, 9111).
 * The documents are read and verified by provisioning/trust-material.ts.
 */
import type Koa from 'koa';
import { TrustMaterial } from '../../provisioning/trust-material.js';
import type { MountContext } from '../mount-context.js';

function cacheable(ctx: Koa.Context, o: { etag: string; lastModified: Date; maxAge: number }): boolean {
  ctx.status = 200;
  ctx.set('ETag', o.etag);
  ctx.set('Last-Modified', o.lastModified.toUTCString());
  ctx.set('Cache-Control', `public, max-age=${o.maxAge}, no-transform`);
  ctx.set('Access-Control-Allow-Origin', '*');
  if (!ctx.fresh) return false;
  ctx.status = 304;
  return true;
}

/** Mounts the routes; returns the material (undefined when `trust.publish` is off). */
export function mountTrust(s: MountContext): TrustMaterial | undefined {
  if (!s.config.trust.publish) return undefined;
  const material = new TrustMaterial(s.pki.dir, s.pki.cscaCerts, s.log);
  material.watch();
  s.onClose(async () => material.stop());
  const maxAge = s.config.trust.cacheSeconds;
  const base = `${s.urls.web}/trust/`;

  const index = (ctx: Koa.Context) => {
    const docs = material.all();
    const body = Buffer.from(
      `${JSON.stringify(
        {
          version: 1,
          documents: docs.map((d) => ({
            name: d.name,
            url: `${base}${d.name}`,
            kind: d.kind,
            mediaType: d.mediaType,
            size: d.bytes.length,
            sha256: d.sha256,
            ...d.details,
          })),
        },
        null,
        2,
      )}\n`,
    );
    const etag = `"${docs.map((d) => d.sha256.slice(0, 16)).join('.')}"`;
    const lastModified = new Date(Math.max(0, ...docs.map((d) => d.lastModified.getTime())));
    if (cacheable(ctx, { etag, lastModified, maxAge })) return;
    ctx.type = 'application/json';
    ctx.body = body;
  };
  s.webRouter.get('/trust/', index);
  s.webRouter.get('/trust/index.json', index);
  s.webRouter.get('/trust/:name', (ctx) => {
    const doc = material.get(ctx.params.name ?? '');
    if (!doc) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'no such trust document\n';
      return;
    }
    if (cacheable(ctx, { etag: doc.etag, lastModified: doc.lastModified, maxAge })) return;
    ctx.type = doc.mediaType;
    ctx.body = doc.bytes;
  });
  return material;
}
