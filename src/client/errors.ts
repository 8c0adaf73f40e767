/**
 * Why the eID-Client stopped. `minor` is the TR-03124-1 §2.7.4.2 result the
 * browser is sent back with (trustedChannelEstablishmentFailed,
 * cancellationByUser, serverError, clientError) or communicationError
 * (§2.7.4.3) when no refresh URL can be determined.
 */
import { RESULT_MINOR } from '../paos/result.js';

export type ClientMinor =
  | 'trustedChannelEstablishmentFailed'
  | 'cancellationByUser'
  | 'serverError'
  | 'clientError'
  | 'communicationError';

export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly minor: ClientMinor,
    message: string,
    /** eCard-API ResultMinor to report to the server, when the PAOS channel is up. */
    readonly resultMinor?: string,
  ) {
    super(message);
  }
}

/**
 * How a login ends on the citizen's side, and the TR-03112-1 §4.2 ResultMinor
 * the client reports for it in the PAOS message the server waits for. The
 * browser hears `cancellationByUser` for all of them (TR-03124-1 §2.7.4.2:
 * "includes abortion due to entering a wrong PIN or no card present"); the
 * eService learns which one from the server (docs/architecture.md §5).
 *
 * - cancelled: the citizen declined or cancelled (sal#cancellationByUser, as AusweisApp sends it);
 * - wrongPin: the last PIN (or CAN) entered was wrong, or the PIN is suspended and no CAN was given
 *   (sal#securityConditionsNotSatisfied: PACE with the password failed);
 * - pinBlocked: PIN1 is blocked (or deactivated) and was not unblocked (al/common#noPermission, the
 *   code AusweisApp sends for a blocked PUK or a deactivated PIN);
 * - noCard: no card, or the card was removed (ifdl/terminal#noCard);
 * - timeout: the citizen did not answer in time (ifdl/common#timeoutError).
 */
export const ended = {
  cancelled: (message: string) =>
    new ClientError('cancellationByUser', message, RESULT_MINOR.cancellationByUser),
  wrongPin: (message: string) =>
    new ClientError('cancellationByUser', message, RESULT_MINOR.securityConditionsNotSatisfied),
  pinBlocked: (message: string) => new ClientError('cancellationByUser', message, RESULT_MINOR.noPermission),
  noCard: (message: string) => new ClientError('cancellationByUser', message, RESULT_MINOR.noCard),
  timeout: (message: string) => new ClientError('cancellationByUser', message, RESULT_MINOR.ifdTimeout),
} as const;
