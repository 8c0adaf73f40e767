/** Why a BER-TLV structure could not be decoded. */
export type TlvErrorCode =
  | 'truncated'
  | 'invalid-tag'
  | 'invalid-length'
  | 'indefinite-length'
  | 'trailing-data'
  | 'too-deep'
  | 'unexpected-tag'
  | 'missing-element'
  | 'not-constructed';

/** A typed decoding error. Decoders never throw anything else on bad input. */
export class TlvError extends Error {
  override readonly name = 'TlvError';
  constructor(
    readonly code: TlvErrorCode,
    message: string,
  ) {
    super(message);
  }
}
