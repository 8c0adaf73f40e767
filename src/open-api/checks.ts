/**
 * The checks of `verifyPublicData`, in the order they run (docs/open-api.md
 * §6), and the closed set of reasons a check fails with. Verification stops at
 * the first failure; later checks are reported as not run.
 */
export const CHECKS = [
  'bundle',
  'trust-material',
  'security-object',
  'csca',
  'certificate-validity',
  'crl',
  'signature',
  'data-group-hashes',
  'document-validity',
  'revocation',
  'chip-authentication',
] as const;
export type CheckId = (typeof CHECKS)[number];

export const CHECK_LABELS: Readonly<Record<CheckId, string>> = {
  bundle: 'the bundle is well-formed',
  'trust-material': 'the trust material is verified and current',
  'security-object': 'EF.CardSecurity is a SignedData of SecurityInfos',
  csca: 'the Document Signer is issued by a trusted CSCA',
  'certificate-validity': 'Document Signer and CSCA are valid now',
  crl: 'the Document Signer is not on the current CRL',
  signature: 'the Document Signer signature is valid',
  'data-group-hashes': 'every data group matches its signed hash',
  'document-validity': 'the card is before its renewal-due date',
  revocation: 'the card is not on the card revocation list',
  'chip-authentication': 'the chip answered this verifier’s challenge',
};

export type FailureReason =
  | 'malformed'
  | 'stale-trust'
  | 'unknown-csca'
  | 'expired'
  | 'crl-missing'
  | 'revoked'
  | 'bad-signature'
  | 'hash-mismatch'
  | 'chip-not-authenticated'
  | 'chip-authentication-failed'
  | 'challenge-expired'
  | 'challenge-replayed';

export type CheckStatus = 'passed' | 'warning' | 'failed' | 'not-run';

export interface CheckResult {
  readonly id: CheckId;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly reason?: FailureReason;
}

/** Thrown inside a check: the check fails with `reason`. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** What a passed check reports; `warning` when it passed only by a relaxed policy. */
export interface CheckOutcome<T> {
  readonly detail: string;
  readonly value: T;
  readonly warning?: boolean;
}
