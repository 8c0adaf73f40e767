/** Why an X.509 structure (certificate, CRL, CMS) could not be built or parsed. */
export type X509ErrorCode = 'malformed' | 'unsupported' | 'invalid-input';

export class X509Error extends Error {
  override readonly name = 'X509Error';
  constructor(
    readonly code: X509ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Why passive authentication of EF.CardSecurity (ICAO 9303-11 §5.1, TR-03110-3 A.1.2.5) failed. */
export type PassiveAuthErrorCode =
  | 'malformed'
  | 'untrusted-signer'
  | 'bad-signature'
  | 'digest-mismatch'
  | 'revoked'
  | 'expired'
  | 'crl-missing'
  | 'wrong-content-type';

export class PassiveAuthError extends Error {
  override readonly name = 'PassiveAuthError';
  constructor(
    readonly code: PassiveAuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}
