/**
 * The two ways a SAML request is refused (TR-03130-1 §4.8):
 *
 * - `SamlRejection`: the request cannot be attributed to an authorized SP or
 *   cannot be interpreted (unknown SP, bad or missing signature, malformed
 *   message, replay, wrong Destination or ACS). HTTP 400 and **no** SAML
 *   message (§4.8.1) — nothing is ever sent to an unverified ACS URL.
 * - `SamlStatusError`: a verified, interpretable request the IdP will not or
 *   cannot serve (beyond approval, unsupported attribute, NameID policy …).
 *   Answered with a SAML Response carrying the status of status.ts (§4.8.2).
 */
import type { StatusKey } from './status.js';

export type RejectionCode =
  | 'malformed' // not decodable / not well-formed / not schema-conformant
  | 'unknown-sp'
  | 'signature-missing'
  | 'signature-invalid'
  | 'signature-wrapping' // structure rules of xmldsig-verify.ts violated
  | 'algorithm-refused'
  | 'replay'
  | 'stale' // IssueInstant outside the accepted window
  | 'destination'
  | 'acs' // ACS URL / index / binding not in the SP metadata
  | 'extension'; // EncryptedAuthnRequestExtension not decryptable or malformed

/** What was known of a refused request when it was refused (for the log line; unverified values truncated). */
export interface RejectionContext {
  /** The eService of the SP the (possibly unverified) Issuer names. */
  readonly eService?: string;
  readonly sp?: string;
  readonly requestId?: string;
  /** The ACS the request asked for (URL or index), verified or not. */
  readonly acs?: string;
}

export class SamlRejection extends Error {
  override readonly name = 'SamlRejection';
  constructor(
    readonly code: RejectionCode,
    message: string,
    readonly context: RejectionContext = {},
  ) {
    super(message);
  }

  /** The same refusal, with what is known of the request added. */
  withContext(c: RejectionContext): SamlRejection {
    return new SamlRejection(this.code, this.message, { ...c, ...this.context });
  }
}

export class SamlStatusError extends Error {
  override readonly name = 'SamlStatusError';
  constructor(
    readonly key: StatusKey,
    message: string,
  ) {
    super(message);
  }
}
