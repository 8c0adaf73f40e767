/**
 * Typed errors of the virtual card. A command handler throws a CardError with
 * the ISO/IEC 7816-4 status word to answer (§5.6); the dispatcher turns it
 * into the response. Anything else that escapes a handler is a bug and is
 * answered 6F00.
 */
export class CardError extends Error {
  override readonly name = 'CardError';
  constructor(
    readonly sw: number,
    message: string,
  ) {
    super(message);
  }
}

/** A card file (personalisation) that cannot be loaded. */
export class CardFileError extends Error {
  override readonly name = 'CardFileError';
}

/** Status words used by the card that src/apdu/status.ts does not name (ISO/IEC 7816-4 §5.6). */
export const CARD_SW = {
  /** 6883: last command of the chain expected (TR-03110-3 B.13.3). */
  LAST_COMMAND_EXPECTED: 0x6883,
  /** 6884: command chaining not supported (chaining is used for General Authenticate only, B.13). */
  CHAINING_NOT_SUPPORTED: 0x6884,
  /** 6986: command not allowed, no current EF. */
  NO_CURRENT_EF: 0x6986,
} as const;

export const fail = (sw: number, message: string): never => {
  throw new CardError(sw, message);
};
