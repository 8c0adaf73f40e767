/** Why a CV certificate or chain was refused. */
export type CvcErrorCode =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'broken-chain'
  | 'untrusted'
  | 'wrong-role'
  | 'terminal-type-mismatch';

export class CvcError extends Error {
  override readonly name = 'CvcError';
  constructor(
    readonly code: CvcErrorCode,
    message: string,
  ) {
    super(message);
  }
}
