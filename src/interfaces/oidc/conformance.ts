/**
 * Where oidc-provider's defaults say more, or other, than this provider
 * does, corrected on the wire (post-middleware, as oidc-provider documents
 * for such adjustments):
 *
 * - discovery: `claims_supported` without `sid` (no session management or
 *   logout is offered, so no session id is ever meant for a client);
 * - a `client_assertion` that is not a JWT is a failed client
 *   authentication: `invalid_client` (RFC 7523 §3.2; RFC 6749 §5.2), HTTP
 *   401, where oidc-provider answers `invalid_request`.
 */
import type { Context, Next } from 'koa';
import type { Provider } from 'oidc-provider';

const UNOFFERED_CLAIMS = new Set(['sid']);

export function conformance(provider: Provider): void {
  provider.use(async (ctx: Context, next: Next) => {
    await next();
    const route = (ctx as Context & { oidc?: { route?: string } }).oidc?.route;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return;
    if (route === 'discovery' && Array.isArray(body.claims_supported)) {
      body.claims_supported = (body.claims_supported as string[]).filter((c) => !UNOFFERED_CLAIMS.has(c));
    }
    if (body.error === 'invalid_request' && body.error_description === 'invalid client_assertion format') {
      ctx.status = 401;
      ctx.body = {
        error: 'invalid_client',
        error_description: 'client authentication failed: the client_assertion is not a JWT',
      };
    }
  });
}
