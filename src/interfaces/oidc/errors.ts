/**
 * Errors of the OpenID Provider and their OAuth 2.0 wire codes (RFC 6749
 * §4.1.2.1, OIDC Core §3.1.2.6). Every authentication-session outcome and
 * every request refusal is mapped to the wire here, in one place.
 */
import { errors } from 'oidc-provider';
import type { AuthRequestError } from '../../workflows/session/errors.js';
import type { AuthFailure } from '../../workflows/session/types.js';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'login_required';

/** A request the provider refuses, with its wire code. */
export class OidcRequestError extends Error {
  override readonly name = 'OidcRequestError';
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    readonly scope?: string,
  ) {
    super(message);
  }

  /** The oidc-provider error class for this refusal (rendered by oidc-provider on the wire). */
  toProviderError(): Error {
    switch (this.code) {
      case 'invalid_scope':
        return new errors.InvalidScope(this.message, this.scope);
      case 'access_denied':
        return new errors.AccessDenied(this.message);
      default:
        return new errors.InvalidRequest(this.message);
    }
  }
}

export interface WireError {
  readonly error: OAuthErrorCode;
  readonly error_description: string;
}

/** client-error with what the eID-Client reported (AuthFailure.detail). */
const CLIENT_DETAIL_DESCRIPTION = {
  'wrong-pin': 'the citizen did not enter the right PIN (or CAN)',
  'pin-blocked': "the citizen's PIN is blocked",
  'card-removed': 'no card, or the card was removed',
} as const;

/** An authentication that ended without a result → the authorization error response. */
export function wireErrorOfFailure(f: AuthFailure): WireError {
  switch (f.code) {
    case 'cancelled':
      return { error: 'access_denied', error_description: 'the citizen cancelled the eID authentication' };
    case 'missing-rights':
      return {
        error: 'access_denied',
        error_description: 'the citizen withheld a field the client marked essential',
      };
    case 'client-error':
      return {
        error: 'access_denied',
        error_description: f.detail
          ? CLIENT_DETAIL_DESCRIPTION[f.detail]
          : 'the eID-Client reported an error (card, PIN or network)',
      };
    case 'invalid-document':
      return {
        error: 'access_denied',
        error_description: `the ID card is not valid${f.documentValidity ? ` (${f.documentValidity})` : ''}`,
      };
    case 'timeout':
      return { error: 'access_denied', error_description: 'the eID authentication timed out' };
    case 'channel-error':
    case 'protocol-error':
    case 'internal-error':
      return { error: 'server_error', error_description: 'the eID authentication failed' };
  }
}

/** A session the server would not create → the authorization error response. */
export function wireErrorOfRefusal(e: AuthRequestError): WireError {
  switch (e.code) {
    case 'too-many-sessions':
      return {
        error: 'temporarily_unavailable',
        error_description: 'too many open logins for this client; try again later',
      };
    case 'not-approved':
      return { error: 'invalid_scope', error_description: e.message };
    default:
      return { error: 'invalid_request', error_description: e.message };
  }
}
