/**
 * The one table from every internal outcome of an authentication to the code
 * each interface puts on the wire (docs/architecture.md §5 renders it):
 *
 * - PAOS: the ResultMinor of StartPAOSResponse to the eID-Client (TR-03112-7
 *   §2.6; TR-03112-1 §4.2, TR-03112-4 §3 for the spellings);
 * - SOAP: the getResult/useID ResultMinor (TR-03130-1 §3.4.1 table 6, plus the
 *   TR-03112-1 codes §3.4 allows);
 * - SAML: the nested StatusCode (saml-core §3.2.2.2) and the N_eID reason
 *   `urn:tw:neid:saml:status:<reason>` (TR-03130-1 §4.7.3), and the
 *   DocumentValidity an assertion carries instead (TR-03130-1 §4.4.3);
 * - OIDC: the OAuth 2.0 `error` (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6).
 *
 * The codes are the ones the TR-03130-4 test specification checks (its case
 * ids are named per row). The interfaces render the rows; none of them maps an
 * outcome on its own. Codes that exist on one interface only (SOAP
 * schemaViolation, a SAML NameIDPolicy, …) stay with that interface.
 */
import { RESULT_MINOR as PAOS } from '../../paos/result.js';
import type { AuthRequestError } from '../session/errors.js';
import type { AuthFailure, DocumentValidity, FailureCode } from '../session/types.js';

const SERVER_MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor';
const ECARD_MINOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/';

/** The eID-Server's own ResultMinor codes, TR-03130-1 §3.4.1 table 6. */
export const SOAP_MINOR = {
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

/** Refusals before any session exists (SessionService.create). */
export type RefusalCode = AuthRequestError['code'];

/**
 * Every internal outcome: the refusals, the failures of an ended
 * authentication, a result that lacks a REQUIRED field the citizen withheld,
 * a session that is gone, and a PAOS message outside its session's channel.
 */
export type OutcomeKey =
  | RefusalCode
  | FailureCode
  | 'required-withheld'
  | 'session-expired'
  | 'foreign-channel';

/** OAuth 2.0 authorization error codes used by the OpenID Provider. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable';

export interface OutcomeRow {
  /** StartPAOSResponse: a ResultMinor; 'client': the eID-Client's own code; 'ok': the exchange ends OK; null: no PAOS. */
  readonly paos: string | 'client' | 'ok' | null;
  /** getResult/useID ResultMinor; 'client': the eID-Client's TR-03112 code; 'ok': Result ok; null: not reachable. */
  readonly soap: string | 'client' | 'ok' | null;
  /** Top and (standard) second-level StatusCode local names; the reason becomes the N_eID code. */
  readonly saml: {
    readonly top: 'Requester' | 'Responder';
    readonly second?: SamlSecond;
    readonly reason: string;
  } | null;
  readonly oidc: OAuthErrorCode | null;
  /** The verdict on the card, when the outcome is one (TR-03130-1 §4.4.3). */
  readonly documentValidity?: Exclude<DocumentValidity, 'valid'>;
  /** English text for ResultMessage, StatusMessage, error_description (never personal data). */
  readonly message: string;
  /** TR-03130-4 test cases that check this row. */
  readonly cases?: string;
}

export type SamlSecond = 'AuthnFailed' | 'RequestDenied' | 'InvalidAttrNameOrValue';

const NOT_AUTHENTIC = {
  soap: SOAP_MINOR.invalidDocument,
  saml: { top: 'Responder', second: 'AuthnFailed', reason: 'documentNotAuthentic' },
  oidc: 'access_denied',
  documentValidity: 'notAuthentic',
} as const;

export const OUTCOMES: { readonly [K in OutcomeKey]: OutcomeRow } = {
  // Refused before any session (and so before any card contact).
  'unknown-eservice': {
    paos: null,
    soap: SOAP_MINOR.internalError,
    saml: { top: 'Requester', second: 'RequestDenied', reason: 'notApproved' },
    oidc: 'invalid_request',
    message: 'the eService is not registered',
  },
  'not-approved': {
    paos: null,
    soap: SOAP_MINOR.missingTerminalRights,
    saml: { top: 'Requester', second: 'RequestDenied', reason: 'notApproved' },
    oidc: 'invalid_scope',
    message: 'the request asks for fields or functions the eService is not approved for',
    cases: 'A1_2_01, B1_2_01, B1_5_01',
  },
  'too-many-sessions': {
    paos: null,
    soap: SOAP_MINOR.tooManyOpenSessions,
    saml: { top: 'Responder', reason: 'tooManyOpenSessions' },
    oidc: 'temporarily_unavailable',
    message: 'the eService has too many open authentication sessions',
    cases: 'A1_4_07, B1_3_09',
  },
  'invalid-request': {
    paos: null,
    soap: SOAP_MINOR.internalError,
    saml: { top: 'Requester', second: 'InvalidAttrNameOrValue', reason: 'invalidAttributeValue' },
    oidc: 'invalid_request',
    message: 'the request is invalid',
  },
  'invalid-psk': {
    paos: null,
    soap: SOAP_MINOR.invalidPSK,
    saml: { top: 'Requester', second: 'InvalidAttrNameOrValue', reason: 'invalidAttributeValue' },
    oidc: 'invalid_request',
    message: 'the pre-shared key is invalid',
    cases: 'A1_4_04, A1_4_05, A1_4_06',
  },

  // The authentication ran and ended without a result. The eID-Client reported it …
  cancelled: {
    paos: 'client',
    soap: `${ECARD_MINOR}sal#cancellationByUser`,
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'cancelled' },
    oidc: 'access_denied',
    message: 'the citizen cancelled the authentication',
  },
  'client-error': {
    paos: 'client',
    soap: 'client',
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'clientError' },
    oidc: 'access_denied',
    message: 'the eID-Client reported an error',
    cases: 'C1_3_11, C1_3_12',
  },
  // … told apart by its ResultMinor (workflows/session/client-outcome.ts), which SOAP passes on.
  'wrong-pin': {
    paos: 'client',
    soap: 'client',
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'wrongPin' },
    oidc: 'access_denied',
    message: 'the citizen did not enter the right PIN (or CAN)',
  },
  'pin-blocked': {
    paos: 'client',
    soap: 'client',
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'pinBlocked' },
    oidc: 'access_denied',
    message: "the citizen's PIN is blocked",
  },
  'card-removed': {
    paos: 'client',
    soap: 'client',
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'cardRemoved' },
    oidc: 'access_denied',
    message: 'no card, or the card was removed',
  },
  timeout: {
    paos: 'client',
    soap: `${ECARD_MINOR}dp#timeout`,
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'timeout' },
    oidc: 'access_denied',
    message: 'the authentication timed out',
  },
  // … or the server's checks of the card failed (nothing is released) …
  'document-not-authentic': {
    paos: PAOS.securityConditionNotSatisfied,
    ...NOT_AUTHENTIC,
    message: 'the document is not authentic',
    cases: 'C1_2_01, C1_2_03, C1_2_04, C1_2_05, A1_2_02, A1_2_03, B1_2_02, B1_2_03',
  },
  'document-signer-revoked': {
    paos: PAOS.internalError,
    ...NOT_AUTHENTIC,
    message: 'the document is not authentic (its Document Signer is revoked or unverifiable)',
    cases: 'C1_2_02, A1_2_02, B1_2_02',
  },
  'chip-authentication-failed': {
    paos: PAOS.internalError,
    ...NOT_AUTHENTIC,
    message: 'the document is not authentic (Chip Authentication failed)',
    cases: 'C1_2_06, A1_2_03, B1_2_03',
  },
  'channel-error': {
    paos: PAOS.internalError,
    ...NOT_AUTHENTIC,
    message: "the card's responses could not be authenticated (secure messaging)",
    cases: 'C1_2_07, C1_2_08, A1_2_06, B1_2_06',
  },
  'document-revoked': {
    paos: 'ok',
    soap: SOAP_MINOR.invalidDocument,
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'documentRevoked' },
    oidc: 'access_denied',
    documentValidity: 'revoked',
    message: 'the document is revoked',
    cases: 'C1_2_09, A1_2_04, A1_4_17, B1_2_04',
  },
  'document-expired': {
    paos: 'ok',
    soap: SOAP_MINOR.invalidDocument,
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'documentExpired' },
    oidc: 'access_denied',
    documentValidity: 'expired',
    message: 'the document is expired',
    cases: 'C1_2_10, A1_2_05, B1_2_05',
  },
  // … or the conversation itself failed.
  'protocol-error': {
    paos: PAOS.incorrectParameter,
    soap: SOAP_MINOR.internalError,
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'protocolError' },
    oidc: 'server_error',
    message: 'the eID-Client or the card sent unexpected data',
    cases: 'C1_3_02 … C1_3_10, A1_2_07, B1_2_07',
  },
  'certificate-path': {
    paos: PAOS.invalidCertificatePath,
    soap: SOAP_MINOR.internalError,
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'certificatePath' },
    oidc: 'server_error',
    message: "the card trusts no CVCA this server's certificate chain leads to",
    cases: 'C1_1_11',
  },
  'missing-rights': {
    paos: PAOS.securityConditionNotSatisfied,
    soap: SOAP_MINOR.internalError,
    saml: { top: 'Responder', second: 'RequestDenied', reason: 'restrictedIdentificationWithheld' },
    oidc: 'access_denied',
    message: 'the eID-Client withheld Restricted Identification, on which the revocation check rests',
  },
  'internal-error': {
    paos: PAOS.internalError,
    soap: SOAP_MINOR.internalError,
    saml: { top: 'Responder', reason: 'internalError' },
    oidc: 'server_error',
    message: 'internal error',
  },

  // A result without a REQUIRED field the citizen withheld: the eService decides (the SAML answer
  // depends on saml.resultStyle: an assertion without the attribute, or this status).
  'required-withheld': {
    paos: 'ok',
    soap: 'ok',
    saml: { top: 'Responder', second: 'RequestDenied', reason: 'requiredAttributeWithheld' },
    oidc: 'access_denied',
    message: 'the citizen did not release a required field',
    cases: 'A1_1_03, B1_1_04, B1_4_04, C1_1_03',
  },
  // The session is unknown, expired or was already answered.
  'session-expired': {
    paos: null,
    soap: SOAP_MINOR.invalidSession,
    saml: { top: 'Responder', second: 'AuthnFailed', reason: 'sessionExpired' },
    oidc: 'access_denied',
    message: 'the authentication session expired or was already used',
    cases: 'A1_4_08, A1_4_09, A1_4_14',
  },
  // A PAOS message for an unknown session, or outside the session's channel: the session is untouched.
  'foreign-channel': {
    paos: PAOS.noPermission,
    soap: null,
    saml: null,
    oidc: null,
    message: 'no session of this channel',
    cases: 'C1_1_13, C1_1_14',
  },
};

/** The row of a failure; an unknown code (e.g. from an older instance) reads as an internal error. */
export function outcomeOf(code: OutcomeKey): OutcomeRow {
  return OUTCOMES[code] ?? OUTCOMES['internal-error'];
}

/** StartPAOSResponse's ResultMinor for a failure; undefined: the exchange ended OK. */
export function paosMinorOf(f: AuthFailure): string | undefined {
  const row = outcomeOf(f.code);
  if (row.paos === 'client') return f.clientMinor || PAOS.internalError;
  if (row.paos === 'ok' || row.paos === null) return undefined;
  return row.paos;
}

/** An outcome as the interfaces see it: its row, and the eID-Client's code when the client reported it. */
export interface OutcomeOf {
  readonly code: OutcomeKey;
  readonly clientMinor?: string;
}

/** getResult/useID's ResultMinor: the eID-Client's own TR-03112 code where the row says so. */
export function soapMinorOf(f: OutcomeOf): string {
  const row = outcomeOf(f.code);
  if (row.soap === 'client')
    return f.clientMinor?.startsWith(ECARD_MINOR) ? f.clientMinor : SOAP_MINOR.internalError;
  return row.soap === 'ok' || row.soap === null ? SOAP_MINOR.internalError : row.soap;
}

/** The verdict on the card a failure carries (revoked, expired, not authentic), if any. */
export const documentValidityOf = (f: AuthFailure): DocumentValidity | undefined =>
  outcomeOf(f.code).documentValidity;
