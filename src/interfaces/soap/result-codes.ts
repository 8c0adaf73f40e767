/**
 * Result codes of the eID-Interface (TR-03130-1 §3.4, table 6) and the one
 * place where the product's internal outcomes — AuthRequestError codes of
 * session creation, AuthFailure codes of an ended authentication — become
 * ResultMinor URIs on the wire.
 *
 * ResultMajor is one of TR-03112-1 §4.1.2; the eID-Server's own ResultMinor
 * codes live under http://www.bsi.bund.de/eid/server/2.0/resultminor/, and the
 * TR-03112-1 codes may be used in addition (§3.4): the citizen's cancellation
 * and eID-Client errors are reported with them.
 */
import type { AuthRequestError } from '../../workflows/session/errors.js';
import type { AuthFailure } from '../../workflows/session/types.js';

const MAJOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#';
const SERVER_MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor';
const ECARD_MINOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/';

export const RESULT_MAJOR = { ok: `${MAJOR}ok`, error: `${MAJOR}error` } as const;

/** TR-03130-1 table 6. */
export const RESULT_MINOR = {
  internalError: `${SERVER_MINOR}/common#internalError`,
  schemaViolation: `${SERVER_MINOR}/common#schemaViolation`,
  invalidPSK: `${SERVER_MINOR}/useID#invalidPSK`,
  tooManyOpenSessions: `${SERVER_MINOR}/useID#tooManyOpenSessions`,
  missingArgument: `${SERVER_MINOR}/useID#missingArgument`,
  missingTerminalRights: `${SERVER_MINOR}/useID#missingTerminalRights`,
  noResultYet: `${SERVER_MINOR}/getResult#noResultYet`,
  invalidSession: `${SERVER_MINOR}/getResult#invalidSession`,
  invalidCounter: `${SERVER_MINOR}/getResult#invalidCounter`,
  deniedDocument: `${SERVER_MINOR}/getResult#deniedDocument`,
  invalidDocument: `${SERVER_MINOR}/getResult#invalidDocument`,
} as const;

/** TR-03112-1 codes used for outcomes the eID-Client reported. */
export const ECARD_RESULT_MINOR = {
  cancellationByUser: `${ECARD_MINOR}sal#cancellationByUser`,
  timeout: `${ECARD_MINOR}dp#timeout`,
  securityConditionsNotSatisfied: `${ECARD_MINOR}sal#securityConditionsNotSatisfied`,
} as const;

export interface SoapResult {
  readonly major: string;
  readonly minor?: string;
  /** English text for the eService's operators; never personal data. */
  readonly message?: string;
}

export const OK: SoapResult = { major: RESULT_MAJOR.ok };

export const errorResult = (minor: string, message?: string): SoapResult => ({
  major: RESULT_MAJOR.error,
  minor,
  ...(message ? { message } : {}),
});

/**
 * A request the eID-Interface answers with an error Result. Thrown anywhere
 * in the SOAP front-end; the endpoint turns it into the response.
 */
export class SoapError extends Error {
  override readonly name = 'SoapError';
  constructor(
    readonly minor: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request that does not validate against the schema (TR-03130-1: common#schemaViolation). */
export const schemaViolation = (message: string): SoapError =>
  new SoapError(RESULT_MINOR.schemaViolation, message);

/** useID: session creation refused before any card contact. */
export function useIdErrorMinor(e: AuthRequestError): string {
  switch (e.code) {
    case 'not-approved':
      return RESULT_MINOR.missingTerminalRights;
    case 'too-many-sessions':
      return RESULT_MINOR.tooManyOpenSessions;
    case 'invalid-psk':
      return RESULT_MINOR.invalidPSK;
    // The SOAP layer checks arguments itself (missingArgument, schemaViolation) before creating a session.
    case 'invalid-request':
    case 'unknown-eservice':
      return RESULT_MINOR.internalError;
  }
}

const DOCUMENT_MESSAGE = {
  expired: 'the document is expired',
  revoked: 'the document is revoked',
  notAuthentic: 'the document is not authentic',
  valid: 'the document is invalid',
} as const;

/** client-error with what the eID-Client reported (AuthFailure.detail). */
const CLIENT_DETAIL_MESSAGE = {
  'wrong-pin': 'the citizen did not enter the right PIN (or CAN)',
  'pin-blocked': "the citizen's PIN is blocked",
  'card-removed': 'no card, or the card was removed',
} as const;

/** getResult: an authentication that ended without a result. */
export function failureResult(f: AuthFailure): SoapResult {
  switch (f.code) {
    case 'invalid-document':
      return errorResult(RESULT_MINOR.invalidDocument, DOCUMENT_MESSAGE[f.documentValidity ?? 'valid']);
    case 'cancelled':
      return errorResult(ECARD_RESULT_MINOR.cancellationByUser, 'the citizen cancelled the authentication');
    case 'client-error':
      // The eID-Client's own TR-03112 code (wrong PIN, card blocked, no card …) tells the eService most.
      return errorResult(
        f.clientMinor?.startsWith(ECARD_MINOR) ? f.clientMinor : RESULT_MINOR.internalError,
        f.detail ? CLIENT_DETAIL_MESSAGE[f.detail] : 'the eID-Client reported an error',
      );
    case 'timeout':
      return errorResult(ECARD_RESULT_MINOR.timeout, 'the authentication timed out');
    case 'channel-error':
      return errorResult(RESULT_MINOR.internalError, 'the secure channel to the card failed');
    case 'protocol-error':
      return errorResult(RESULT_MINOR.internalError, 'the eID-Client violated the protocol');
    case 'missing-rights':
      return errorResult(
        ECARD_RESULT_MINOR.securityConditionsNotSatisfied,
        'the eID-Client withheld rights of the RequiredCHAT (a REQUIRED field or verification)',
      );
    case 'internal-error':
      return errorResult(RESULT_MINOR.internalError, 'internal error');
  }
}
