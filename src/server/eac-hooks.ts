/**
 * What the server does on the EAC conversation's events: a log line each
 * (session prefix, eService, outcome; never personal data) and, for every
 * ended authentication, an audit entry of the eService call outcome.
 */
import type { Logger } from '../interfaces/http/log.js';
import { shortId } from '../interfaces/http/log.js';
import type { CallAudit } from '../registry/audit/trail.js';
import type { ConversationEvents } from '../workflows/eac-server/conversation.js';

export function eacHooks(log: Logger, audit: CallAudit): ConversationEvents {
  return {
    step: (s, step) =>
      log.debug({ session: shortId(s.id), eService: s.request.eServiceId, step }, 'EAC step'),
    completed: (s) => {
      log.info(
        { session: shortId(s.id), eService: s.request.eServiceId, outcome: 'ok' },
        'authentication completed',
      );
      audit.call({
        eServiceId: s.request.eServiceId,
        protocol: 'eid',
        operation: 'authentication',
        outcome: 'ok',
        session: shortId(s.id),
      });
    },
    failed: (s, f) => {
      log.info(
        { session: shortId(s.id), eService: s.request.eServiceId, outcome: f.code, reason: f.reason },
        'authentication failed',
      );
      const code = f.documentValidity ?? f.clientMinor;
      audit.call({
        eServiceId: s.request.eServiceId,
        protocol: 'eid',
        operation: 'authentication',
        outcome: f.code,
        ...(code ? { code } : {}),
        session: shortId(s.id),
      });
    },
    error: (s, e) =>
      log.error(
        { session: shortId(s.id), err: { message: e.message, stack: e.stack } },
        'internal error in the EAC conversation',
      ),
  };
}
