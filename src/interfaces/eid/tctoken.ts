/**
 * GET /eid/tctoken?t=… — the TC Token (TR-03124-1 §2.6), served as
 * text/xml; charset=utf-8 and never cached. In attached mode the TLS session
 * of this request is recorded: the PAOS connection must continue it.
 */

import type { TLSSocket } from 'node:tls';
import type { Context } from 'koa';
import { buildTcToken } from '../../paos/messages/tctoken.js';
import type { SessionService } from '../../workflows/session/service.js';
import { tlsSessionBinding } from '../http/tls.js';

export interface TcTokenDeps {
  readonly sessions: SessionService;
  readonly eidUrl: string;
  readonly pskUrl?: string;
  readonly log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export function tcTokenHandler(d: TcTokenDeps) {
  return async (ctx: Context): Promise<void> => {
    ctx.set('Cache-Control', 'no-store');
    const t = typeof ctx.query.t === 'string' ? ctx.query.t : '';
    const session = t ? await d.sessions.getByTcToken(t) : undefined;
    if (
      !session ||
      !['created', 'tctoken-issued'].includes(session.state) ||
      !session.request.refreshAddress
    ) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'unknown, expired or used TC Token\n';
      return;
    }
    let binding = session.tlsBinding;
    if (session.request.channel === 'attached') {
      const now = tlsSessionBinding(ctx.req.socket as TLSSocket);
      if (!now) {
        ctx.status = 400;
        ctx.type = 'text/plain';
        ctx.body = 'attached mode needs TLS 1.2 between eID-Client and eID-Server\n';
        return;
      }
      if (binding && binding !== now) {
        d.log.warn({ session: session.id.slice(0, 12) }, 'TC Token requested again over another TLS session');
        ctx.status = 409;
        ctx.type = 'text/plain';
        ctx.body = 'this TC Token was already fetched over another TLS session\n';
        return;
      }
      binding = now;
    }
    const written = await d.sessions.update(session.id, (s) =>
      s.state === 'created' || s.state === 'tctoken-issued'
        ? { ...s, state: 'tctoken-issued', ...(binding ? { tlsBinding: binding } : {}) }
        : undefined,
    );
    if (written?.state !== 'tctoken-issued') {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'unknown, expired or used TC Token\n';
      return;
    }
    const psk = session.psk;
    ctx.type = 'text/xml; charset=utf-8';
    ctx.body = buildTcToken({
      serverAddress: `${psk ? d.pskUrl : d.eidUrl}/eid/paos`,
      sessionIdentifier: session.id,
      refreshAddress: session.request.refreshAddress,
      ...(session.request.communicationErrorAddress
        ? { communicationErrorAddress: session.request.communicationErrorAddress }
        : {}),
      ...(psk ? { psk } : {}),
    });
    d.log.info(
      {
        session: session.id.slice(0, 12),
        eService: session.request.eServiceId,
        channel: session.request.channel,
      },
      'TC Token issued',
    );
  };
}
