/**
 * SAML status codes (saml-core §3.2.2.2; TR-03130-1 §4.7.3, §4.8.2): the SAML
 * column of the outcome table (workflows/outcomes/table.ts) for refusals and
 * authentication outcomes, plus the statuses of SAML features this IdP does
 * not serve (NameIDPolicy, IsPassive, …). A Response carries
 * a top-level code, a standard second-level code where SAML has one, and —
 * as the application-specific subordinate code TR-03130-1 §4.7.3 asks for —
 * an N_eID-Server reason code `urn:tw:neid:saml:status:<reason>`, plus a
 * StatusMessage for the SP's log (never personal data).
 *
 * Requests that are not verifiable or not interpretable never reach this
 * table: they get HTTP 400 and no SAML message (errors.ts, §4.8.1).
 */

import { OUTCOMES, type OutcomeKey } from '../../workflows/outcomes/table.js';
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

/** Statuses of requests for SAML features this IdP will not serve: they exist on the SAML interface only. */
const SAML_ONLY = {
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
  'response-too-large': {
    top: STATUS.responder,
    reason: 'responseTooLarge',
    message: 'the response does not fit the HTTP-Redirect binding of the ACS',
  },
} as const satisfies Record<string, StatusRow>;

const SECOND = {
  AuthnFailed: STATUS.authnFailed,
  RequestDenied: STATUS.requestDenied,
  InvalidAttrNameOrValue: STATUS.invalidAttrNameOrValue,
} as const;

/** Every status this IdP sends: the SAML-only ones and the SAML column of the outcome table. */
export const STATUS_TABLE: Readonly<Record<StatusKey, StatusRow>> = {
  ...(Object.fromEntries(
    (Object.keys(OUTCOMES) as OutcomeKey[]).flatMap((k) => {
      const row = OUTCOMES[k];
      if (!row.saml) return [];
      const { top, second, reason } = row.saml;
      return [
        [
          k,
          {
            top: top === 'Requester' ? STATUS.requester : STATUS.responder,
            ...(second ? { second: SECOND[second] } : {}),
            reason,
            message: row.message,
          },
        ],
      ];
    }),
  ) as Record<OutcomeKey, StatusRow>),
  ...SAML_ONLY,
};

export type StatusKey = Exclude<OutcomeKey, 'foreign-channel'> | keyof typeof SAML_ONLY;

export interface Status {
  /** Nested StatusCode values, outermost first. */
  readonly codes: readonly string[];
  readonly message: string;
}

export function statusOf(key: StatusKey, detail?: string): Status {
  const row: StatusRow = STATUS_TABLE[key] ?? STATUS_TABLE['internal-error'];
  const reason = `${NEID_STATUS_PREFIX}${row.reason}`;
  // Without a standard second-level code, the N_eID reason is the second level.
  const codes = [row.top, ...(row.second ? [row.second] : []), reason];
  return { codes, message: detail ? `${row.message}: ${detail}` : row.message };
}

export const SUCCESS: Status = { codes: [STATUS.success], message: '' };

/** AuthFailure.code (workflows/session/types.ts) → status key; no outcome: the session is gone. */
export const keyForFailure = (f: AuthFailure | undefined): StatusKey => (f ? f.code : 'session-expired');

/** AuthRequestError.code (SessionService.create) → status key. */
export const keyForAuthRequestError = (code: AuthRequestError['code']): StatusKey => code;
