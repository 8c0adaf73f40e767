/**
 * An authorization request that fails because a dependency is down (the Redis store of
 * interactions and sessions): oidc-provider treats the adapter's error as server_error and, at
 * the authorization endpoint, renders a page. When the client and its redirect_uri are known
 * and registered, the client is told instead, as RFC 6749 §4.1.2.1 provides:
 * `temporarily_unavailable`, redirected with state and iss (RFC 9207). Kept apart from the
 * error table (errors.ts).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';

const isUnavailable = (e: unknown): boolean => (e as Error | undefined)?.name === 'UnavailableError';

/** The redirect telling the client, or undefined when this error cannot go to a client. */
export function unavailableRedirect(ctx: KoaContextWithOIDC, err: unknown): URL | undefined {
  if (!isUnavailable(err) || ctx.oidc?.route !== 'authorization') return undefined;
  const params = (ctx.oidc.params ?? ctx.query) as Record<string, unknown>;
  const uri = typeof params.redirect_uri === 'string' ? params.redirect_uri : undefined;
  const client = ctx.oidc.client as { redirectUriAllowed?(u: string): boolean } | undefined;
  if (!uri || !client?.redirectUriAllowed?.(uri)) return undefined;
  const to = new URL(uri);
  to.searchParams.set('error', 'temporarily_unavailable');
  to.searchParams.set('error_description', 'the eID login is temporarily unavailable; try again later');
  if (typeof params.state === 'string') to.searchParams.set('state', params.state);
  to.searchParams.set('iss', ctx.oidc.issuer ?? ctx.oidc.provider.issuer);
  return to;
}

/** For renderError: redirects and returns true when the client can be told. */
export function redirectUnavailable(ctx: KoaContextWithOIDC, err: unknown): boolean {
  const to = unavailableRedirect(ctx, err);
  if (!to) return false;
  ctx.status = 303;
  ctx.redirect(to.href);
  return true;
}
