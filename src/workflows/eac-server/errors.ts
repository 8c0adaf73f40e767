/**
 * An EAC conversation that cannot continue. Carries the session failure (for
 * the front-end) and the ResultMinor the server reports in
 * StartPAOSResponse (TR-03112-7 §2.6 note: the Server-SAL ends an aborted
 * process with StartPAOSResponse).
 */
import type { AuthFailure } from '../session/types.js';

export class EacServerError extends Error {
  override readonly name = 'EacServerError';
  constructor(
    readonly failure: AuthFailure,
    /**
     * ResultMinor for StartPAOSResponse, so the eID-Client tells the citizen the login failed
     * (TR-03124-1 §2.7.4.2 serverError); undefined: the exchange itself ended OK.
     */
    readonly resultMinor: string | undefined,
  ) {
    super(failure.reason);
  }
}
