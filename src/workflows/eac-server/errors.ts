/**
 * An EAC conversation that cannot continue. Carries the session failure (for
 * the front-end); the ResultMinor the server reports in StartPAOSResponse
 * (TR-03112-7 §2.6 note: the Server-SAL ends an aborted process with
 * StartPAOSResponse) is the failure's row of the outcome table.
 */
import { paosMinorOf } from '../outcomes/table.js';
import type { AuthFailure } from '../session/types.js';

export class EacServerError extends Error {
  override readonly name = 'EacServerError';
  constructor(readonly failure: AuthFailure) {
    super(failure.reason);
  }

  /** ResultMinor for StartPAOSResponse; undefined: the exchange itself ended OK (e.g. a revoked card). */
  get resultMinor(): string | undefined {
    return paosMinorOf(this.failure);
  }
}
