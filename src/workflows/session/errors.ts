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
