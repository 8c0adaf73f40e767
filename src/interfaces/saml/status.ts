/**
 * The one table from refusals and authentication failures to SAML status
 * codes (saml-core §3.2.2.2; TR-03130-1 §4.7.3, §4.8.2). A Response carries
 * a top-level code, a standard second-level code where SAML has one, and —
 * as the application-specific subordinate code TR-03130-1 §4.7.3 asks for —
 * an N_eID-Server reason code `urn:tw:neid:saml:status:<reason>`, plus a
 * StatusMessage for the SP's log (never personal data).
 *
 * Requests that are not verifiable or not interpretable never reach this
 * table: they get HTTP 400 and no SAML message (errors.ts, §4.8.1).
 */

import type { AuthRequestError } from '../../workflows/session/errors.js';
import type { AuthFailure } from '../../workflows/session/types.js';
import { STATUS } from './namespaces.js';

export const NEID_STATUS_PREFIX = 'urn:tw:neid:saml:status:';

interface StatusRow {
  readonly top: string;
  readonly second?: string;
  /** Reason code (last segment of the N_eID status URI). */
  readonly reason: string;
  readonly message: string;
}

export const STATUS_TABLE = {
  // The request (verified, interpretable) is refused before any card contact.
  'not-approved': {
    top: STATUS.requester,
    second: STATUS.requestDenied,
    reason: 'notApproved',
    message: 'the request asks for attributes the eService is not approved for',
  },
  'unsupported-request': {
    top: STATUS.requester,
    second: STATUS.requestUnsupported,
    reason: 'unsupportedRequest',
    message: 'the request asks for something this IdP does not support',
  },
  'invalid-attribute-value': {
    top: STATUS.requester,
    second: STATUS.invalidAttrNameOrValue,
    reason: 'invalidAttributeValue',
    message: 'a requested attribute has an invalid name or value',
  },
  'name-id-policy': {
    top: STATUS.requester,
    second: STATUS.invalidNameIdPolicy,
    reason: 'nameIdPolicy',
    message: 'the requested NameID format is not configured for this eService',
  },
  'no-passive': {
    top: STATUS.responder,
    second: STATUS.noPassive,
    reason: 'noPassive',
    message: 'an eID authentication always needs the citizen (IsPassive is not possible)',
  },
  'no-authn-context': {
    top: STATUS.responder,
    second: STATUS.noAuthnContext,
    reason: 'noAuthnContext',
    message: 'the requested authentication context cannot be met',
  },
  'too-many-sessions': {
    top: STATUS.responder,
    second: `${NEID_STATUS_PREFIX}tooManyOpenSessions`,
    reason: 'tooManyOpenSessions',
    message: 'the eService has too many open authentication sessions',
  },
  // The authentication ran and ended without a result.
  cancelled: {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'cancelled',
    message: 'the citizen cancelled the authentication',
  },
  'client-error': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'clientError',
    message: 'the eID-Client reported an error',
  },
  // What the eID-Client reported (AuthFailure.detail, workflows/session/client-outcome.ts).
  'wrong-pin': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'wrongPin',
    message: 'the citizen did not enter the right PIN (or CAN)',
  },
  'pin-blocked': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'pinBlocked',
    message: "the citizen's PIN is blocked",
  },
  'card-removed': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'cardRemoved',
    message: 'no card, or the card was removed',
  },
  timeout: {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'timeout',
    message: 'the authentication timed out',
  },
  'session-expired': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'sessionExpired',
    message: 'the authentication session expired or was already used',
  },
  'document-expired': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'documentExpired',
    message: 'invalid document: expired',
  },
  'document-revoked': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'documentRevoked',
    message: 'invalid document: revoked',
  },
  'document-not-authentic': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'documentNotAuthentic',
    message: 'invalid document: not authentic',
  },
  'channel-error': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'channelError',
    message: 'the secure channel to the card failed',
  },
  'protocol-error': {
    top: STATUS.responder,
    second: STATUS.authnFailed,
    reason: 'protocolError',
    message: 'the eID-Client or card sent unexpected data',
  },
  'required-withheld': {
    top: STATUS.responder,
    second: STATUS.requestDenied,
    reason: 'requiredAttributeWithheld',
    message: 'the citizen did not release a required attribute',
  },
  'response-too-large': {
    top: STATUS.responder,
    second: `${NEID_STATUS_PREFIX}responseTooLarge`,
    reason: 'responseTooLarge',
    message: 'the response does not fit the HTTP-Redirect binding of the ACS',
  },
  'internal-error': { top: STATUS.responder, reason: 'internalError', message: 'internal error' },
} as const satisfies Record<string, StatusRow>;

export type StatusKey = keyof typeof STATUS_TABLE;

export interface Status {
  /** Nested StatusCode values, outermost first. */
  readonly codes: readonly string[];
  readonly message: string;
}

export function statusOf(key: StatusKey, detail?: string): Status {
  const row: StatusRow = STATUS_TABLE[key];
  const reason = `${NEID_STATUS_PREFIX}${row.reason}`;
  const codes = [row.top, ...(row.second ? [row.second] : []), ...(row.second === reason ? [] : [reason])];
  return { codes, message: detail ? `${row.message}: ${detail}` : row.message };
}

export const SUCCESS: Status = { codes: [STATUS.success], message: '' };

/** AuthFailure.code (workflows/session/types.ts) → status key. */
export function keyForFailure(f: AuthFailure | undefined): StatusKey {
  if (!f) return 'session-expired';
  switch (f.code) {
    case 'cancelled':
      return 'cancelled';
    case 'client-error':
      return f.detail ?? 'client-error';
    case 'timeout':
      return 'timeout';
    case 'invalid-document':
      return f.documentValidity === 'expired'
        ? 'document-expired'
        : f.documentValidity === 'revoked'
          ? 'document-revoked'
          : 'document-not-authentic';
    case 'channel-error':
      return 'channel-error';
    case 'protocol-error':
      return 'protocol-error';
    case 'missing-rights':
      return 'required-withheld';
    case 'internal-error':
      return 'internal-error';
  }
}

/** AuthRequestError.code (SessionService.create) → status key. */
export function keyForAuthRequestError(code: AuthRequestError['code']): StatusKey {
  switch (code) {
    case 'not-approved':
    case 'unknown-eservice':
      return 'not-approved';
    case 'too-many-sessions':
      return 'too-many-sessions';
    case 'invalid-request':
    case 'invalid-psk':
      return 'invalid-attribute-value';
  }
}
