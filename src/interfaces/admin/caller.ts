/**
 * The caller's address on the admin side, one rule for all of it: the admin
 * API (the check of an eService's registered networks, `admin.denied`), its
 * token endpoint and bearer check (`admin.auth` `remote`), and the web console
 * (its sign-ins, `admin.login` `address`, the sessions). The failed-login
 * lockout counts and locks by this address. It is the TCP peer's (the
 * socket's), unless the peer is one of `admin.trustedProxies`: then the
 * rightmost X-Forwarded-For entry that is not a trusted proxy (`callerAddress`;
 * docs/admin.md §9). Without trusted proxies X-Forwarded-For is never read.
 */
import type { Context } from 'koa';
import { callerAddress, parseCidr, plainAddress } from '../../registry/networks.js';

/** Longer than any address text (IPv6 with a zone): a proxy's entry is cut there. */
const MAX_ADDRESS = 64;

/** The caller's address of a request, or undefined (a closed socket). */
export type CallerAddressOf = (ctx: Context) => string | undefined;

/** The function every admin-side use of the caller's address goes through; `trustedProxies` as configured. */
export function adminCallerAddress(trustedProxies: readonly string[]): CallerAddressOf {
  const proxies = trustedProxies.map((p, i) => parseCidr(p, `admin.trustedProxies[${i}]`));
  return (ctx) => {
    const a = callerAddress(ctx.req.socket.remoteAddress, ctx.get('x-forwarded-for') || undefined, proxies);
    return a ? plainAddress(a).slice(0, MAX_ADDRESS) : undefined;
  };
}
