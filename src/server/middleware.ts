/** Koa middleware every listener of the server shares: security headers and the error boundary. */
import type Koa from 'koa';
import type { Logger } from '../interfaces/http/log.js';
import { UnavailableError } from '../workflows/session/errors.js';

export async function securityHeaders(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  await next();
  ctx.set('Strict-Transport-Security', 'max-age=31536000');
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (!ctx.response.get('Referrer-Policy')) ctx.set('Referrer-Policy', 'no-referrer');
  if (!ctx.response.get('X-Frame-Options')) ctx.set('X-Frame-Options', 'DENY');
}

/**
 * The last line: a front-end that could not answer in its protocol. An unavailable dependency
 * (session store down, shutting down) is 503 with Retry-After and one warning line; anything
 * else is 500 with the stack in the log. Neither body says more than that.
 */
export function errorBoundary(log: Logger) {
  return async (ctx: Koa.Context, next: Koa.Next): Promise<void> => {
    try {
      await next();
    } catch (e) {
      ctx.type = 'text/plain';
      if (e instanceof UnavailableError) {
        log.warn(
          { path: ctx.path, dependency: e.dependency, reason: e.message },
          'request failed: unavailable',
        );
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = 'temporarily unavailable; try again later\n';
        return;
      }
      log.error(
        { path: ctx.path, err: { message: (e as Error).message, stack: (e as Error).stack } },
        'unhandled error',
      );
      ctx.status = 500;
      ctx.body = 'internal error\n';
    }
  };
}
