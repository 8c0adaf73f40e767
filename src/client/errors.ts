/**
 * Why the eID-Client stopped. `minor` is the TR-03124-1 §2.7.4.2 result the
 * browser is sent back with (trustedChannelEstablishmentFailed,
 * cancellationByUser, serverError, clientError) or communicationError
 * (§2.7.4.3) when no refresh URL can be determined.
 */
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
