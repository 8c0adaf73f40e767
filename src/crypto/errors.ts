/** A cryptographic check failed or an input is not a valid key, point or signature. */
export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code:
      | 'invalid-point'
      | 'invalid-key'
      | 'unsupported-curve'
      | 'bad-signature'
      | 'bad-mac'
      | 'bad-padding'
      | 'invalid-input',
    message: string,
  ) {
    super(message);
  }
}
