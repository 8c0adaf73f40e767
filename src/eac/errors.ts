/**
 * Typed failures of the terminal side of TR-03110 (PACE, TA, CA, RI, auxiliary
 * data verification, reading data groups). Every defect in what the card (or
 * the eID-Client relaying it) returns becomes an EacError; nothing else is
 * thrown for bad card data.
 */

export type EacErrorCode =
  /** PACE: the password was wrong; `retriesLeft` says how many tries remain (63Cx, x ≥ 2). */
  | 'wrong-password'
  /** The password is suspended (RC = 1): it must be resumed with the CAN first (TR-03110-2 §2.2.3). */
  | 'password-suspended'
  /** The password is blocked (RC = 0 or 6983): it must be unblocked with the PUK. */
  | 'password-blocked'
  /** The PIN is deactivated (6283 on MSE:Set AT, 6984 on General Authenticate). */
  | 'password-deactivated'
  /** Any other status word the protocol step does not allow; `sw` holds it. */
  | 'card-error'
  /** The chip's authentication token (PACE T_PICC or CA T_PICC) is wrong. */
  | 'bad-token'
  /** A secure-messaging response MAC is wrong; the channel is closed. */
  | 'bad-mac'
  /** The response is not what the TR prescribes (TLV, lengths, missing objects, dropped SM). */
  | 'malformed-response'
  /** A point sent by the chip is not on the curve, or equals the terminal's own. */
  | 'invalid-point'
  /** The card offers no protocol, curve or key this terminal supports. */
  | 'unsupported-protocol'
  /** EF.CardAccess and EF.CardSecurity disagree (TR-03110-3 A.1.2.2). */
  | 'inconsistent-security-infos'
  /** 6982: security status not satisfied (no right in the effective CHAT, or no EAC). */
  | 'access-denied'
  /** The card could not perform an auxiliary-data verification (e.g. 6A88: nothing committed for that OID). */
  | 'verification-failed'
  /** Terminal or Chip Authentication was refused (6300 on External Authenticate, …). */
  | 'authentication-failed'
  /** PSO:Verify Certificate or MSE:Set DST refused a certificate of the chain. */
  | 'certificate-rejected'
  /** No certificate of the chain is issued by a CVCA key the card names in CAR_curr / CAR_prev. */
  | 'no-trust-point'
  /** 6A82: the file does not exist. */
  | 'file-not-found'
  /** The caller passed something the protocol cannot carry. */
  | 'invalid-argument';

export interface EacErrorDetails {
  /** The status word that caused the error, if any. */
  readonly sw?: number;
  /** Remaining password tries (63Cx), for the PIN dialogue. */
  readonly retriesLeft?: number;
}

export class EacError extends Error {
  override readonly name = 'EacError';
  readonly sw?: number;
  readonly retriesLeft?: number;

  constructor(
    readonly code: EacErrorCode,
    message: string,
    details: EacErrorDetails = {},
  ) {
    super(message);
    if (details.sw !== undefined) this.sw = details.sw;
    if (details.retriesLeft !== undefined) this.retriesLeft = details.retriesLeft;
  }
}
