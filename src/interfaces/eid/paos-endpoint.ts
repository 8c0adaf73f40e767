/**
 * POST /eid/paos — the PAOS endpoint (TR-03112-7 §2.3.2, §2.6; Liberty PAOS
 * v2.0). Bounds every message before spending on it, in this order:
 *
 * 1. Content-Type must be application/vnd.paos+xml (PAOS v2.0 §9.3), with
 *    UTF-8 if a charset is named;
 * 2. the session is looked up by the `requestid` header or the TLS-PSK
 *    identity, and the channel checked — the PSK identity, or in attached
 *    mode the TLS session of the TC Token fetch — before the body is read;
 * 3. only then is the body read, up to what the largest legitimate message
 *    needs, and parsed with depth and node limits enforced while scanning.
 *    A message that names no session (attached mode without `requestid`)
 *    can only be StartPAOS: it is read with a small limit and must name its
 *    session in exactly one SessionIdentifier.
 *
 * A message refused before its session is known gets a StartPAOSResponse
 * with the ResultMinor of the refusal and leaves every session untouched, so
 * a third party who saw a session id cannot end someone else's session; one
 * that arrives on the session's own channel but cannot be read ends the
 * session as a protocol error (al/common#incorrectParameter). Every refusal is
 * logged and counted (metrics). While the session store is unreachable the
 * eID-Client gets al/common#internalError at once, not a hang.
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
import { type AuthSession, identityOf } from '../../workflows/session/types.js';
import { childText } from '../../xml/dom.js';
import { XmlError } from '../../xml/errors.js';
import { BodyTooLargeError, readBody } from '../http/body.js';
import { shortId } from '../http/log.js';
import { pskIdentityOf, tlsSessionBinding } from '../http/tls.js';

/**
 * The largest legitimate message is the TransmitResponse of the batch that reads the photo: 77,494
 * bytes measured for every field at its maximum size with a 32,000-byte photo (short reads; 76,676
 * with extended reads). Twice that, for clients that indent or prefix more generously.
 */
export const MAX_PAOS_BYTES = 160 * 1024;
/** StartPAOS (≈ 1.7 KB) is the only message that may arrive before its session is known. */
export const MAX_START_PAOS_BYTES = 16 * 1024;
/** Such a TransmitResponse has about 300 elements; StartPAOS about 20. */
const LIMITS = { maxDepth: 16, maxNodes: 4096 };
const START_LIMITS = { maxDepth: 16, maxNodes: 256 };

export interface PaosDeps {
  readonly sessions: SessionService;
  readonly conversation: EacConversation;
  readonly log: { warn(o: object, m: string): void };
  readonly meter?: Meter;
  /** A message refused or failed here, by its ResultMinor (metrics). */
  readonly refused?: (resultMinor: string) => void;
}

/** Codes of the refusals made here (workflows/outcomes/table.ts). */
const NO_PERMISSION = OUTCOMES['foreign-channel'].paos!;
const INCORRECT_PARAMETER = OUTCOMES['protocol-error'].paos!;

function channelOk(session: AuthSession, listener: 'web' | 'psk', socket: TLSSocket): boolean {
  if (listener === 'psk')
    return session.request.channel === 'psk' && pskIdentityOf(socket) === identityOf(session);
  return (
    session.request.channel === 'attached' &&
    !!session.tlsBinding &&
    tlsSessionBinding(socket) === session.tlsBinding
  );
}

/** application/vnd.paos+xml, parameters allowed; a named charset must be UTF-8 (the body is read as such). */
function paosContentType(value: string): boolean {
  const [type, ...params] = value.split(';').map((p) => p.trim().toLowerCase());
  if (type !== PAOS_CONTENT_TYPE) return false;
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '');
  return charset === undefined || charset === 'utf-8';
}

/** The SessionIdentifier of a StartPAOS; exactly one, or the message is malformed. */
function startPaosIdentity(env: Envelope): string | undefined {
  if (env.body.namespaceURI !== NS.iso || env.body.localName !== 'StartPAOS') return undefined;
  const id = childText(env.body, NS.iso, 'SessionIdentifier');
  if (!id) throw new XmlError('schema', 'StartPAOS lacks its SessionIdentifier');
  return id;
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
      ctx.type = PAOS_CONTENT_TYPE;
      ctx.body = buildStartPaosResponse(
        {
          major: RESULT_MAJOR.error,
          minor: RESULT_MINOR.internalError,
          message: 'the eID-Server is temporarily unavailable',
        },
        { messageId: newMessageId() },
      );
    }
  };
}

function paosMessage(d: PaosDeps, listener: 'web' | 'psk') {
  return async (ctx: Context): Promise<void> => {
    const meter = d.meter ?? NO_METER;
    const socket = ctx.req.socket as TLSSocket;
    let session: AuthSession | undefined;
    let env: Envelope | undefined;
    let bodyRead = false;
    const refuse = (status: number, minor: string, reason: string): void => {
      d.log.warn(
        {
          listener,
          ...(session ? { session: shortId(session.id), eService: session.request.eServiceId } : {}),
          status,
          reason,
        },
        'PAOS message refused',
      );
      d.refused?.(minor);
      // The body was not read: do not keep the connection for whatever else the sender streams.
      if (!bodyRead) ctx.set('Connection', 'close');
      ctx.status = status;
      ctx.type = PAOS_CONTENT_TYPE;
      ctx.body = buildStartPaosResponse(
        { major: RESULT_MAJOR.error, minor, message: reason },
        { messageId: newMessageId(), ...(env?.messageId ? { relatesTo: env.messageId } : {}) },
      );
    };
    /** A message on the session's own channel that cannot be read ends the session. */
    const malformed = async (reason: string): Promise<void> => {
      if (!session) return refuse(200, INCORRECT_PARAMETER, reason);
      d.log.warn(
        { listener, session: shortId(session.id), eService: session.request.eServiceId, reason },
        'PAOS message refused; the session ends',
      );
      ctx.type = PAOS_CONTENT_TYPE;
      ctx.body = await d.conversation.reject(session, reason, env?.messageId);
    };

    if (!paosContentType(ctx.get('content-type')))
      return refuse(415, INCORRECT_PARAMETER, `Content-Type must be ${PAOS_CONTENT_TYPE}`);
    const header = ctx.get('requestid');
    const pskIdentity = pskIdentityOf(socket);
    if (header && pskIdentity && header !== pskIdentity)
      return refuse(200, NO_PERMISSION, 'requestid and the TLS-PSK identity differ');
    /** The session `identity` names, and the reason to refuse the message for it (none: its channel). */
    const lookUp = async (identity: string | undefined) => {
      const s = identity ? await d.sessions.getByIdentity(identity) : undefined;
      const reason = !s
        ? 'unknown or expired session'
        : channelOk(s, listener, socket)
          ? undefined
          : "the message did not arrive over the session's trusted channel";
      return { s, reason };
    };
    const named = header || pskIdentity;
    if (named) {
      const found = await lookUp(named);
      session = found.s;
      if (found.reason) return refuse(200, NO_PERMISSION, found.reason);
    }

    const maxBytes = session ? MAX_PAOS_BYTES : MAX_START_PAOS_BYTES;
    let startId: string | undefined;
    try {
      const body = await readBody(ctx.req, maxBytes);
      bodyRead = true;
      env = meter.time('xml-parse', () =>
        parseEnvelope(body, { maxBytes, ...(session ? LIMITS : START_LIMITS) }),
      );
      startId = startPaosIdentity(env);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return refuse(413, INCORRECT_PARAMETER, e.message);
      if (e instanceof XmlError) return malformed(`malformed PAOS message: ${e.message}`);
      throw e;
    }
    if (!session) {
      const found = await lookUp(startId);
      session = found.s;
      if (found.reason || !session) return refuse(200, NO_PERMISSION, found.reason ?? '');
    } else if (startId !== undefined && startId !== identityOf(session)) {
      return refuse(200, NO_PERMISSION, 'requestid and SessionIdentifier differ');
    }

    // A TC Token the eService served itself (SOAP) was never fetched here: StartPAOS picks the session up.
    if (session.claimedAt === undefined) {
      const r = await d.sessions.admit(session.id);
      if (r.outcome === 'full') return refuse(503, NO_PERMISSION, 'the eService has too many open sessions');
      if (r.outcome !== 'admitted' || !r.session)
        return refuse(200, NO_PERMISSION, 'unknown or expired session');
      session = r.session;
    }
    const current = session;
    ctx.type = PAOS_CONTENT_TYPE;
    ctx.body = await meter.timeAsync('conversation', () => d.conversation.handle(current, env!));
  };
}
