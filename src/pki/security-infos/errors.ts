/** Why SecurityInfos (TR-03110-3 A.1) could not be decoded or encoded. */
export type SecurityInfoErrorCode = 'malformed' | 'unsupported';

/** A typed SecurityInfos error. The codec never throws anything else on bad input. */
export class SecurityInfoError extends Error {
  override readonly name = 'SecurityInfoError';
  constructor(
    readonly code: SecurityInfoErrorCode,
    message: string,
  ) {
    super(message);
  }
}
