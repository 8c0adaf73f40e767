/**
 * The SecurityInfo entries of BSI TR-03110-3 A.1.1 that this product reads and
 * writes. Entries of other protocols (PACEDomainParameterInfo, PasswordInfo,
 * CardInfo, PSAInfo, PrivilegedTerminalInfo, DH keys …) are kept verbatim as
 * `unknown`, as A.1.1.10 allows references to protocols outside the TR.
 */
import type { Curve, HashName } from '../../crypto/curves.js';

/**
 * How EC domain parameters are carried in an AlgorithmIdentifier:
 * - `standardized`: {id-standardizedDomainParameters, INTEGER id} (TR-03110-3 A.2.1.1),
 * - `namedCurve`: {id-ecPublicKey, named-curve OID} (RFC 5480),
 * - `explicit`: {id-ecPublicKey, ECParameters} (X9.62 / RFC 3279).
 */
export type DomainParameterEncoding = 'standardized' | 'namedCurve' | 'explicit';

/** PACEInfo (A.1.1.1). */
export interface PaceInfo {
  readonly kind: 'pace';
  readonly protocol: string;
  readonly version: number;
  readonly parameterId?: number;
}

/** ChipAuthenticationInfo (A.1.1.2). */
export interface ChipAuthenticationInfo {
  readonly kind: 'ca';
  readonly protocol: string;
  readonly version: number;
  readonly keyId?: number;
}

/**
 * ChipAuthenticationDomainParameterInfo (A.1.1.2). `encoding` defaults to
 * `standardized`; decode sets it only when the input used another form.
 */
export interface ChipAuthenticationDomainParameterInfo {
  readonly kind: 'caDomainParameters';
  readonly protocol: string;
  readonly parameterId: number;
  readonly keyId?: number;
  readonly encoding?: DomainParameterEncoding;
}

/**
 * ChipAuthenticationPublicKeyInfo (A.1.1.2), EC keys (id-PK-ECDH). `encoding`
 * (of the SubjectPublicKeyInfo algorithm) defaults to `standardized`.
 */
export interface ChipAuthenticationPublicKeyInfo {
  readonly kind: 'caPublicKey';
  readonly protocol: string;
  readonly curve: Curve;
  /** Uncompressed point 04||X||Y, validated on decode. */
  readonly point: Buffer;
  readonly keyId?: number;
  readonly encoding?: DomainParameterEncoding;
}

/** TerminalAuthenticationInfo (A.1.1.3). */
export interface TerminalAuthenticationInfo {
  readonly kind: 'ta';
  readonly version: number;
  /** The encoded FileID of EF.CVCA (version 1 only), kept verbatim. */
  readonly efCvca?: Buffer;
}

/** RestrictedIdentificationInfo (A.1.1.4). */
export interface RestrictedIdentificationInfo {
  readonly kind: 'ri';
  readonly protocol: string;
  readonly version: number;
  readonly keyId: number;
  readonly authorizedOnly: boolean;
  readonly maxKeyLen?: number;
}

/**
 * RestrictedIdentificationDomainParameterInfo (A.1.1.4), protocol id-RI-ECDH.
 * `encoding` defaults to `namedCurve`, the form German eID cards use.
 */
export interface RestrictedIdentificationDomainParameterInfo {
  readonly kind: 'riDomainParameters';
  readonly parameterId: number;
  readonly encoding?: DomainParameterEncoding;
}

/** EIDSecurityInfo (A.1.1.8). */
export interface EidSecurityInfo {
  readonly kind: 'eidSecurity';
  readonly hash: HashName;
  /** Data group number → hash value, in encoding order. */
  readonly dataGroupHashes: ReadonlyMap<number, Buffer>;
  readonly versionInfo?: { readonly eidVersion: string; readonly unicodeVersion: string };
}

/** Any other SecurityInfo, kept as its complete encoding. */
export interface UnknownSecurityInfo {
  readonly kind: 'unknown';
  readonly protocol: string;
  readonly raw: Buffer;
}

export type SecurityInfo =
  | PaceInfo
  | ChipAuthenticationInfo
  | ChipAuthenticationDomainParameterInfo
  | ChipAuthenticationPublicKeyInfo
  | TerminalAuthenticationInfo
  | RestrictedIdentificationInfo
  | RestrictedIdentificationDomainParameterInfo
  | EidSecurityInfo
  | UnknownSecurityInfo;
