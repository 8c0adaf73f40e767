/**
 * A request id for every HTTP request on every listener: a random id, answered in the
 * `X-Request-Id` header and carried by every log line written while the request is served
 * (log.ts reads it through AsyncLocalStorage). A session remembers the id of the front-end
 * request that created it (`AuthSession.origin`), so the SAML, OIDC or SOAP request, its
 * authentication session and the session's EAC steps can be found together in the logs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

const context = new AsyncLocalStorage<{ readonly id: string }>();

/** The id of the request being served, if any. */
export const currentRequestId = (): string | undefined => context.getStore()?.id;

/** 16 base64url characters (96 bits): unique enough to find one request, short in every line. */
export const newRequestId = (): string => randomBytes(12).toString('base64url');

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Runs the server's request listeners inside a request-id context. Called by `listen()` for
 * every listener of the server, whatever framework (Koa, oidc-provider, plain node) handles it.
 */
export function tagRequests(server: EventEmitter): void {
  const marked = server as EventEmitter & { requestIdsTagged?: boolean };
  if (marked.requestIdsTagged) return;
  marked.requestIdsTagged = true;
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const id = newRequestId();
    res.setHeader('X-Request-Id', id);
    context.run({ id }, () => {
      for (const l of listeners) l.call(server, req, res);
    });
  });
}
