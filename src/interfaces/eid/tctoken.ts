/**
 * GET /eid/tctoken?t=… — the TC Token (TR-03124-1 §2.6), served as
 * text/xml; charset=utf-8 and never cached. Its fetch is the moment an
 * eID-Client picks the login up (SessionService.admit): from then on the
 * session counts against its eService's cap and lives its full TTL. The
 * token is bound to that first fetch: in PSK mode (it carries the PSK) it is
 * served exactly once; in attached mode again only over the same TLS
 * session, which the PAOS connection must then continue.
 */

import type { TLSSocket } from 'node:tls';
import type { Context } from 'koa';
import { buildTcToken } from '../../paos/messages/tctoken.js';
import type { SessionService } from '../../workflows/session/service.js';
import { type AuthSession, identityOf } from '../../workflows/session/types.js';
import { shortId } from '../http/log.js';
import { tlsSessionBinding } from '../http/tls.js';

export interface TcTokenDeps {
  readonly sessions: SessionService;
  readonly eidUrl: string;
  readonly pskUrl?: string;
  readonly log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

const PENDING = ['created', 'tctoken-issued'];

/** Why a fetch of `s` is refused (undefined: it may be served), with the HTTP status. */
function refusal(s: AuthSession, binding: string | undefined): [number, string] | undefined {
  if (!PENDING.includes(s.state) || !s.request.refreshAddress)
    return [404, 'unknown, expired or used TC Token'];
  if (s.request.channel === 'psk' && s.claimedAt !== undefined)
    return [409, 'this TC Token was already fetched'];
  if (s.request.channel === 'attached' && s.tlsBinding && s.tlsBinding !== binding)
    return [409, 'this TC Token was already fetched over another TLS session'];
  return undefined;
}

export function tcTokenHandler(d: TcTokenDeps) {
  return async (ctx: Context): Promise<void> => {
    ctx.set('Cache-Control', 'no-store');
    const answer = (status: number, text: string) => {
      ctx.status = status;
      ctx.type = 'text/plain';
      ctx.body = `${text}\n`;
    };
    const t = typeof ctx.query.t === 'string' ? ctx.query.t : '';
    const found = t ? await d.sessions.getByTcToken(t) : undefined;
    if (!found) return answer(404, 'unknown, expired or used TC Token');
    let binding: string | undefined;
    if (found.request.channel === 'attached') {
      binding = tlsSessionBinding(ctx.req.socket as TLSSocket);
      if (!binding) return answer(400, 'attached mode needs TLS 1.2 between eID-Client and eID-Server');
    }
    // Checked again inside the compare-and-set: of two concurrent first fetches only one is served.
    const r = await d.sessions.admit(found.id, (s) =>
      refusal(s, binding)
        ? undefined
        : { ...s, state: 'tctoken-issued', ...(binding ? { tlsBinding: binding } : {}) },
    );
    const log = { session: shortId(found.id), eService: found.request.eServiceId };
    if (r.outcome === 'full') {
      ctx.set('Retry-After', '60');
      return answer(503, 'the eService has too many open sessions; try again later');
    }
    if (r.outcome !== 'admitted') {
      const [status, reason] = (r.session && refusal(r.session, binding)) ?? [
        404,
        'unknown, expired or used TC Token',
      ];
      d.log.warn({ ...log, status, reason }, 'TC Token fetch refused');
      return answer(status, reason);
    }
    const session = r.session!;
    const psk = session.psk;
    ctx.type = 'text/xml; charset=utf-8';
    ctx.body = buildTcToken({
      serverAddress: `${psk ? d.pskUrl : d.eidUrl}/eid/paos`,
      sessionIdentifier: identityOf(session),
      refreshAddress: session.request.refreshAddress!,
      ...(session.request.communicationErrorAddress
        ? { communicationErrorAddress: session.request.communicationErrorAddress }
        : {}),
      ...(psk ? { psk } : {}),
    });
    d.log.info({ ...log, channel: session.request.channel }, 'TC Token issued');
  };
}
