/** A front-end request that is refused before any card contact. */
export class AuthRequestError extends Error {
  override readonly name = 'AuthRequestError';
  constructor(
    readonly code:
      | 'unknown-eservice'
      | 'not-approved'
      | 'too-many-sessions'
      | 'invalid-request'
      | 'invalid-psk',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Something the request needs is not available right now: the session store cannot be reached,
 * or the server is shutting down and takes no new logins. Not the request's fault, so every
 * front-end answers with its protocol's own internal-error code (PAOS and SOAP
 * common#internalError, SAML Responder, OAuth server_error / temporarily_unavailable) instead of
 * waiting; the dependency recovers on its own (docs/operations.md, "Dependencies").
 */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  constructor(
    /** What is unavailable: 'session-store', 'shutdown', … (a fixed name, safe for logs and metrics). */
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
