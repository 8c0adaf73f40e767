/**
 * The registry's refusals, each with a machine-readable code and, where one
 * input is to blame, the JSON pointer of that field (`/form/taxId`). The admin
 * API maps them to RFC 9457 problem details in one place
 * (src/interfaces/admin/problem.ts); the CLI prints them naming the field.
 */
export type RegistryErrorCode =
  /** No such eService, application, terminal, account … */
  | 'not-found'
  /** The record exists already, or another one is in the way (one open application per eService). */
  | 'conflict'
  /** A value is not acceptable; `field` names it. */
  | 'invalid'
  /**
   * The caller may not take this step on this record, whatever its permissions: an applicant
   * outside its own eServices, the four-eyes rule (an approver who drafted or reviewed it).
   */
  | 'forbidden'
  /** The record is not in a state that allows this step (submit a rejected application …). */
  | 'wrong-state'
  /** The caller's copy is outdated (ETag / If-Match, or a concurrent change). */
  | 'stale'
  /** The terminal certificate step failed; the application stays approved and can be retried. */
  | 'certificate-failed'
  /** Fetching SAML metadata from its URL failed. */
  | 'fetch-failed'
  /**
   * An online filing's organisation-certificate signature was refused; `reason` says why
   * (organisation-mismatch, certificate-revoked, unknown-ca, bad-signature …) and is the problem type.
   */
  | 'signature-refused';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    /** JSON pointer of the offending input, e.g. "/requestedFields/2". */
    readonly field?: string,
    /** Why, as a code the console translates (`not-an-ip`, `eligibility` …). */
    readonly reason?: string,
  ) {
    super(message);
  }
}

export const forbidden = (message: string) => new RegistryError('forbidden', message);
export const notFound = (what: string) => new RegistryError('not-found', `${what} does not exist`);
export const invalid = (field: string, message: string, reason?: string) =>
  new RegistryError('invalid', message, field, reason);
