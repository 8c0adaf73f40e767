/**
 * Result codes of the eID-Interface (TR-03130-1 §3.4, table 6). Internal
 * outcomes — AuthRequestError codes of session creation, AuthFailure codes of
 * an ended authentication — become ResultMinor URIs through their rows of the
 * outcome table (workflows/outcomes/table.ts); this file renders them and
 * holds the codes that exist on the eID-Interface only (schemaViolation,
 * missingArgument, noResultYet, invalidCounter).
 *
 * ResultMajor is one of TR-03112-1 §4.1.2; the eID-Server's own ResultMinor
 * codes live under http://www.bsi.bund.de/eid/server/2.0/resultminor/, and the
 * TR-03112-1 codes may be used in addition (§3.4): the citizen's cancellation
 * and eID-Client errors are reported with them.
 */
import { outcomeOf, SOAP_MINOR, soapMinorOf } from '../../workflows/outcomes/table.js';
import type { AuthRequestError } from '../../workflows/session/errors.js';
import type { AuthFailure } from '../../workflows/session/types.js';

const MAJOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#';
const ECARD_MINOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/';

export const RESULT_MAJOR = { ok: `${MAJOR}ok`, error: `${MAJOR}error` } as const;

/** TR-03130-1 table 6. */
export const RESULT_MINOR = SOAP_MINOR;

/** TR-03112-1 codes used for outcomes the eID-Client reported. */
export const ECARD_RESULT_MINOR = {
  cancellationByUser: `${ECARD_MINOR}sal#cancellationByUser`,
  timeout: `${ECARD_MINOR}dp#timeout`,
} as const;

export interface SoapResult {
  readonly major: string;
  readonly minor?: string;
  /** English text for the eService's operators; never personal data. */
  readonly message?: string;
}

export const OK: SoapResult = { major: RESULT_MAJOR.ok };

export const errorResult = (minor: string, message?: string): SoapResult => ({
  major: RESULT_MAJOR.error,
  minor,
  ...(message ? { message } : {}),
});

/**
 * A request the eID-Interface answers with an error Result. Thrown anywhere
 * in the SOAP front-end; the endpoint turns it into the response.
 */
export class SoapError extends Error {
  override readonly name = 'SoapError';
  constructor(
    readonly minor: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request that does not validate against the schema (TR-03130-1: common#schemaViolation). */
export const schemaViolation = (message: string): SoapError =>
  new SoapError(RESULT_MINOR.schemaViolation, message);

/** useID: session creation refused before any card contact. */
export function useIdErrorMinor(e: AuthRequestError): string {
  // The SOAP layer checks arguments itself (missingArgument, schemaViolation) before creating a session.
  return soapMinorOf(e);
}

/** getResult: an authentication that ended without a result. */
export function failureResult(f: AuthFailure): SoapResult {
  return errorResult(soapMinorOf(f), outcomeOf(f.code).message);
}
