/**
 * Errors of the OpenID Provider and their OAuth 2.0 wire codes (RFC 6749
 * §4.1.2.1, OIDC Core §3.1.2.6). Authentication outcomes and request
 * refusals take their code from the outcome table (workflows/outcomes/table.ts).
 */
import { errors } from 'oidc-provider';
import { type OutcomeKey, outcomeOf } from '../../workflows/outcomes/table.js';
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

/** An outcome's row of the outcome table (workflows/outcomes/table.ts) as the authorization error response. */
export function wireErrorOf(key: OutcomeKey, description?: string): WireError {
  const row = outcomeOf(key);
  return { error: row.oidc ?? 'server_error', error_description: description ?? row.message };
}

/** An authentication that ended without a result → the authorization error response. */
export const wireErrorOfFailure = (f: AuthFailure): WireError => wireErrorOf(f.code);

/** A session the server would not create → the authorization error response (its own message). */
export const wireErrorOfRefusal = (e: AuthRequestError): WireError => wireErrorOf(e.code, e.message);
