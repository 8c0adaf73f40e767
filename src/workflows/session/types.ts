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
 * Why an authentication ended without a result. Each code is one row of the
 * outcome table (workflows/outcomes/table.ts), which gives its wire code on
 * every interface (PAOS, SOAP, SAML, OIDC).
 */
export type FailureCode =
  | 'cancelled' // the citizen cancelled in the eID-Client
  | 'client-error' // the eID-Client reported another error (network, card …)
  | 'wrong-pin' // the eID-Client reported that the last PIN (or CAN) entered was wrong, or PIN1 is suspended
  | 'pin-blocked' // the eID-Client reported PIN1 blocked or deactivated
  | 'card-removed' // the eID-Client reported no card, or the card removed
  | 'timeout' // the eID-Client reported a timeout (dp#timeout, ifdl/common#timeoutError: no PIN in time)
  | 'document-not-authentic' // EF.CardSecurity/EF.ChipSecurity, EF.CardAccess, the CA key or a data group do not verify
  | 'document-signer-revoked' // the Document Signer certificate is revoked, or its CRL is not current
  | 'chip-authentication-failed' // the chip's Chip Authentication token T_PICC is wrong
  | 'channel-error' // a secure-messaging response MAC of the card is wrong or missing
  | 'document-revoked' // the card is on the card revocation list
  | 'document-expired' // the renewal-due date has passed
  | 'protocol-error' // unexpected or malformed PAOS / APDU data
  | 'certificate-path' // the card trusts no CVCA this server's certificate chain (and link certificates) leads to
  | 'missing-rights' // the eID-Client withheld a right the server itself needs (Restricted Identification: revocation)
  | 'internal-error';

export interface AuthFailure {
  readonly code: FailureCode;
  /** Technical reason for the log (never personal data). */
  readonly reason: string;
  /** The client's ResultMinor, when the client reported the error. */
  readonly clientMinor?: string;
}

export interface AuthSession {
  /** Optimistic-concurrency version; every write increments it. */
  readonly version: number;
  /**
   * 32 random bytes, hex; or derived from the eService's own PSK ID (`sessionIdOfIdentity`). The
   * TCToken SessionIdentifier and PSK identity, unless `pskIdentity` is set.
   */
  readonly id: string;
  /** The eService's own PSK ID (TR-03130-1 §3.3.18) when it is not the session id itself. */
  readonly pskIdentity?: string;
  /** Random token of the TCToken URL (not the session id, which travels in clear as PSK identity). */
  readonly tcTokenId: string;
  /** Random token of the RefreshAddress (browser logins, interfaces/browser/login.ts; SAML eID-Client logins). */
  readonly returnRef?: string;
  /** SHA-256 (hex) of the cookie that binds a browser login to the browser that started it. */
  readonly browserBinding?: string;
  readonly request: AuthRequest;
  readonly state: SessionState;
  readonly createdAt: number;
  /**
   * When an eID-Client first picked the session up (its TC Token fetch, or StartPAOS for a TC Token
   * the eService served itself). Until then the session is "unclaimed": it lives only
   * `unclaimedTtl` and does not count against its eService's `maxOpenSessions`.
   */
  readonly claimedAt?: number;
  readonly expiresAt: number;
  readonly psk?: Buffer;
  /** Attached mode: fingerprint of the TLS session that fetched the TCToken. */
  readonly tlsBinding?: string;
  /** Server-side EAC conversation state (see workflows/eac-server). */
  readonly paos?: Readonly<Record<string, unknown>>;
  readonly result?: AuthResult;
  readonly failure?: AuthFailure;
  /** The request id (X-Request-Id) of the front-end request that started it: ties log lines together. */
  readonly origin?: string;
}

/** The TCToken SessionIdentifier, `requestid` and TLS psk_identity of a session. */
export const identityOf = (s: AuthSession): string => s.pskIdentity ?? s.id;

const HEX_ID = /^(?:[0-9a-fA-F]{2}){16,64}$/;

/**
 * The session id an identity (SessionIdentifier, `requestid`, psk_identity) names: itself (lower
 * case) when it is a hexBinary of 16 to 64 bytes — every server-drawn id, and an eService's PSK ID
 * that can also serve as the hexBinary Session ID of the SOAP interface — otherwise the hex of its
 * UTF-8 bytes, a valid Session ID too (TR-03130-1 §3.3.1: hexBinary, ≥ 16 bytes). A pure function,
 * so that finding a session by its identity needs no index.
 */
export function sessionIdOfIdentity(identity: string): string {
  return HEX_ID.test(identity) ? identity.toLowerCase() : Buffer.from(identity, 'utf8').toString('hex');
}
