/**
 * The authentication session: what a front-end (SOAP, SAML, OIDC) asked for,
 * where the EAC conversation with the eID-Client stands, and — once it has
 * ended — the verified, authorized result or the failure. Personal data
 * lives only in `result` and only until the front-end has fetched it.
 */
import type { FunctionId } from '../../profile/authorization.js';
import type { FieldId } from '../../profile/fields.js';
import type { FieldValues } from '../../profile/values.js';

export type FrontEnd = 'soap' | 'saml' | 'oidc';

export interface AuthRequest {
  readonly eServiceId: string;
  readonly frontEnd: FrontEnd;
  /** Fields the eService needs; the citizen cannot deselect them in a compliant client. */
  readonly required: readonly FieldId[];
  /** Fields the citizen may deselect. */
  readonly optional: readonly FieldId[];
  /** Age verification: "is the citizen at least `age` years old?" (TR-03110-3 A.7.5.2). */
  readonly ageVerification?: { readonly age: number; readonly required: boolean };
  /** Place verification: household area code prefix (5/8/11/14 digits) (A.7.5.4). */
  readonly placeVerification?: { readonly areaCode: string; readonly required: boolean };
  /** 'psk': TLS-PSK channel (TR-03124-1 §2.6); 'attached': same TLS session as the TCToken fetch. */
  readonly channel: 'psk' | 'attached';
  /** PSK chosen by the eService (SOAP useID); otherwise the server generates one. */
  readonly eServicePsk?: Buffer;
  /**
   * The PSK identity chosen by the eService with its PSK (TR-03130-1 useID PSK/ID). It becomes the
   * session id — the TC Token SessionIdentifier and TLS psk_identity; otherwise the server draws one.
   */
  readonly eServicePskId?: string;
  /** Where the eID-Client sends the browser at the end (TR-03124-1 §2.7.4). */
  readonly refreshAddress?: string;
  readonly communicationErrorAddress?: string;
  readonly transactionInfo?: string;
  /** Opaque per-front-end data (e.g. SAML request id, OIDC interaction uid). */
  readonly context?: Readonly<Record<string, string>>;
}

export type SessionState =
  | 'created' // waiting for the eID-Client
  | 'tctoken-issued'
  | 'eac1' // DIDAuthenticate EAC1 sent
  | 'eac2' // DIDAuthenticate EAC2 sent
  | 'transmit' // secure-messaging batches
  | 'completed'
  | 'failed';

export const FINAL_STATES: readonly SessionState[] = ['completed', 'failed'];

export type FieldOperation = 'ALLOWED' | 'PROHIBITED' | 'NOTONCHIP';

/** TR-03130-1 §4.4.3 DocumentValidityResultType. */
export type DocumentValidity = 'valid' | 'expired' | 'revoked' | 'notAuthentic';

export interface AuthResult {
  /** Released values: requested ∩ approved ∩ consented ∩ present and verified. */
  readonly fields: FieldValues;
  /** For every requested field and verification: released, withheld by the citizen, or absent on the chip. */
  readonly operations: Readonly<Partial<Record<FieldId | FunctionId, FieldOperation>>>;
  readonly ageVerification?: boolean;
  readonly placeVerification?: boolean;
  readonly documentValidity: DocumentValidity;
  /** Sector-specific identifier (Restricted Identification), hex; the basis of pairwise pseudonyms. */
  readonly restrictedId?: string;
  readonly completedAt: number;
}

/**
 * Why an authentication ended without a result. `code` is mapped to each
 * interface's wire code in one place per interface.
 */
export type FailureCode =
  | 'cancelled' // the citizen cancelled in the eID-Client
  | 'client-error' // the eID-Client reported an error (wrong PIN, no card, card blocked …)
  | 'timeout' // the eID-Client reported a timeout (dp#timeout, ifdl/common#timeoutError: no PIN in time)
  | 'invalid-document' // not authentic (passive authentication, data-group hash, CA token), revoked or expired: no data is released
  | 'channel-error' // a secure-messaging MAC or TLS binding check failed
  | 'protocol-error' // unexpected or malformed PAOS / APDU data
  | 'missing-rights' // the citizen deselected a field the eService marked required (SAML, OIDC)
  | 'internal-error';

/**
 * For `client-error`: what the eID-Client reported, read from its ResultMinor
 * (workflows/session/client-outcome.ts): the last PIN or CAN entered was wrong
 * (or PIN1 is suspended), PIN1 is blocked, no card or the card was removed.
 */
export type ClientFailureDetail = 'wrong-pin' | 'pin-blocked' | 'card-removed';

export interface AuthFailure {
  readonly code: FailureCode;
  /** Technical reason for the log (never personal data). */
  readonly reason: string;
  /** The client's ResultMinor, when the client reported the error. */
  readonly clientMinor?: string;
  readonly detail?: ClientFailureDetail;
  readonly documentValidity?: DocumentValidity;
}

export interface AuthSession {
  /** Optimistic-concurrency version; every write increments it. */
  readonly version: number;
  /** The TCToken SessionIdentifier and PSK identity: 32 random bytes, hex. */
  readonly id: string;
  /** Random token of the TCToken URL (not the session id, which travels in clear as PSK identity). */
  readonly tcTokenId: string;
  /** Random token of the RefreshAddress (browser logins, interfaces/browser/login.ts; SAML eID-Client logins). */
  readonly returnRef?: string;
  /** SHA-256 (hex) of the cookie that binds a browser login to the browser that started it. */
  readonly browserBinding?: string;
  readonly request: AuthRequest;
  readonly state: SessionState;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly psk?: Buffer;
  /** Attached mode: fingerprint of the TLS session that fetched the TCToken. */
  readonly tlsBinding?: string;
  /** Server-side EAC conversation state (see workflows/eac-server). */
  readonly paos?: Readonly<Record<string, unknown>>;
  readonly result?: AuthResult;
  readonly failure?: AuthFailure;
}
