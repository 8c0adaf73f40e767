/**
 * A verified AuthnRequest that cannot be served because a dependency is down (the session store
 * for the replay check or the session, or the server is shutting down): the SP gets a Response
 * with the top-level status Responder and reason internalError (saml-core §3.2.2.2), at once,
 * instead of a hang or an HTTP error page. Kept apart from the status table (status.ts).
 */
import { UnavailableError } from '../../workflows/session/errors.js';
import type { ReceivedRequest } from './intake.js';

/** Thrown by the intake when the request was verified but its replay check could not run. */
export class SamlUnavailable extends Error {
  override readonly name = 'SamlUnavailable';
  constructor(
    readonly received: ReceivedRequest,
    override readonly cause: UnavailableError,
  ) {
    super(cause.message);
  }
}

/** For `.catch()`: an UnavailableError becomes a SamlUnavailable carrying the verified request. */
export const unavailableFor =
  (received: ReceivedRequest) =>
  (e: unknown): never => {
    throw e instanceof UnavailableError ? new SamlUnavailable(received, e) : e;
  };
