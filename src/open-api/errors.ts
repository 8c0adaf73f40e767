/** Failures of the Open API library that are not a verification outcome (those are in checks.ts). */
export type OpenApiErrorCode =
  /** The bundle is not a well-formed public-data bundle. */
  | 'malformed-bundle'
  /** The challenge token is not one this library issues. */
  | 'malformed-challenge'
  /** The trust material could not be loaded or verified. */
  | 'trust-unavailable'
  /** The card offers nothing the reader can use (no PACE, no public area). */
  | 'card'
  | 'invalid-argument';

export class OpenApiError extends Error {
  override readonly name = 'OpenApiError';
  constructor(
    readonly code: OpenApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
