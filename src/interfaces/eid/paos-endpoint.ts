/**
 * POST /eid/paos — the PAOS endpoint (TR-03112-7 §2.6; Liberty PAOS v2.0).
 * Finds the session by the `requestid` header (or StartPAOS'
 * SessionIdentifier), checks that the message arrived over that session's
 * trusted channel — the TLS-PSK identity, or in attached mode the TLS session
 * of the TC Token fetch — and hands it to the EAC conversation. A message
 * that fails these checks is refused without touching the session, so a
 * third party who saw a session id cannot end someone else's session.
 */

import type { TLSSocket } from 'node:tls';
import type { Context } from 'koa';
import { type Envelope, newMessageId, parseEnvelope } from '../../paos/envelope.js';
import { buildStartPaosResponse } from '../../paos/messages/start-paos-response.js';
import { NS, PAOS_CONTENT_TYPE } from '../../paos/namespaces.js';
import { RESULT_MAJOR, RESULT_MINOR } from '../../paos/result.js';
import type { EacConversation } from '../../workflows/eac-server/conversation.js';
import { type Meter, NO_METER } from '../../workflows/eac-server/meter.js';
import { OUTCOMES } from '../../workflows/outcomes/table.js';
import { UnavailableError } from '../../workflows/session/errors.js';
import type { SessionService } from '../../workflows/session/service.js';
import type { AuthSession } from '../../workflows/session/types.js';
import { childText } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { BodyTooLargeError, readBody } from '../http/body.js';
import { pskIdentityOf, tlsSessionBinding } from '../http/tls.js';

export const MAX_PAOS_BYTES = 4 * 1024 * 1024;

export interface PaosDeps {
  readonly sessions: SessionService;
  readonly conversation: EacConversation;
  readonly log: { warn(o: object, m: string): void };
  readonly meter?: Meter;
  /** A message refused or failed here, by its ResultMinor (metrics). */
  readonly refused?: (resultMinor: string) => void;
}

function refuse(
  ctx: Context,
  reason: string,
  env?: Envelope,
  minor: string = OUTCOMES['foreign-channel'].paos!,
): void {
  ctx.type = PAOS_CONTENT_TYPE;
  ctx.body = buildStartPaosResponse(
    { major: RESULT_MAJOR.error, minor, message: reason },
    { messageId: newMessageId(), ...(env?.messageId ? { relatesTo: env.messageId } : {}) },
  );
}

function channelOk(session: AuthSession, listener: 'web' | 'psk', socket: TLSSocket): boolean {
  if (listener === 'psk') return session.request.channel === 'psk' && pskIdentityOf(socket) === session.id;
  return (
    session.request.channel === 'attached' &&
    !!session.tlsBinding &&
    tlsSessionBinding(socket) === session.tlsBinding
  );
}

export function paosHandler(d: PaosDeps, listener: 'web' | 'psk') {
  const handle = paosMessage(d, listener);
  return async (ctx: Context): Promise<void> => {
    try {
      await handle(ctx);
    } catch (e) {
      if (!(e instanceof UnavailableError)) throw e;
      // The session store is down (or the session cannot be written): the eID-Client gets the
      // protocol's internal error at once (TR-03112-1 al/common#internalError), not a hang.
      d.log.warn(
        { listener, dependency: e.dependency, reason: e.message },
        'PAOS message failed: unavailable',
      );
      d.refused?.(RESULT_MINOR.internalError);
      refuse(ctx, 'the eID-Server is temporarily unavailable', undefined, RESULT_MINOR.internalError);
    }
  };
}

function paosMessage(d: PaosDeps, listener: 'web' | 'psk') {
  return async (ctx: Context): Promise<void> => {
    const meter = d.meter ?? NO_METER;
    let env: Envelope;
    try {
      const body = await readBody(ctx.req, MAX_PAOS_BYTES);
      env = meter.time('xml-parse', () => parseEnvelope(body, { maxBytes: MAX_PAOS_BYTES, maxDepth: 32 }));
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        ctx.status = 413;
        return;
      }
      if (e instanceof XmlError) {
        ctx.status = 400;
        ctx.type = 'text/plain';
        ctx.body = `malformed PAOS message: ${e.message}\n`;
        return;
      }
      throw e;
    }
    const header = ctx.get('requestid');
    const startId =
      env.body.namespaceURI === NS.iso && env.body.localName === 'StartPAOS'
        ? childText(env.body, NS.iso, 'SessionIdentifier')
        : undefined;
    const id = header || startId || pskIdentityOf(ctx.req.socket) || '';
    if (startId && header && startId !== header) {
      d.refused?.(RESULT_MINOR.noPermission);
      return refuse(ctx, 'requestid and SessionIdentifier differ', env);
    }
    const session = id ? await d.sessions.get(id) : undefined;
    if (!session) {
      d.refused?.(RESULT_MINOR.noPermission);
      return refuse(ctx, 'unknown or expired session', env);
    }
    if (!channelOk(session, listener, ctx.req.socket as TLSSocket)) {
      d.log.warn(
        { session: session.id.slice(0, 12), listener },
        "PAOS message outside the session's trusted channel refused",
      );
      d.refused?.(RESULT_MINOR.noPermission);
      return refuse(ctx, "the message did not arrive over the session's trusted channel", env);
    }
    ctx.type = PAOS_CONTENT_TYPE;
    ctx.body = await meter.timeAsync('conversation', () => d.conversation.handle(session, env));
  };
}
