/**
 * The volatile state of one card session (TR-03110-3 F.1: a session starts
 * with secure messaging and ends when it is released, by a plain command, an
 * SM error or a power cycle). The security status grows
 *
 *   none → PACE(CAN | PIN | PUK) → Terminal Authentication → Chip Authentication
 *
 * and everything here is forgotten when the session ends.
 */
import type { KeyObject } from 'node:crypto';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import type { Curve, HashName } from '../crypto/curves.js';
import type { EphemeralKey, KeyBits, SessionKeys } from '../crypto/pace.js';
import type { CvCertificate } from '../pki/cvc/certificate.js';
import type { Chat } from '../pki/cvc/chat.js';
import type { SecureMessaging } from '../sm/secure-messaging.js';
import type { Df, Ef } from './file-system.js';
import type { Password } from './state.js';

/** A successful PACE (TR-03110-2 §3.2.2). */
export interface PaceStatus {
  readonly password: Password;
  /** The CHAT sent in MSE:Set AT (confined authorization, TR-03110-3 §2.7.1). */
  readonly chat?: Chat;
  /** ID_PICC = Comp(PK_PICC), the x-coordinate of the chip's ephemeral PACE key (TR-03110-2 §3.3). */
  readonly idPicc: Buffer;
}

/** A successful Terminal Authentication (TR-03110-2 §3.3.2). */
export interface TaStatus {
  readonly terminal: CvCertificate;
  readonly effectiveChat: Chat;
  /** Hash of the algorithm that signed the terminal certificate (for sector hashes, TR-03110-3 C.3.2.1). */
  readonly certificateHash: HashName;
  /** Comp(PK_PCD) for Chip Authentication. */
  readonly pkPcdComp: Buffer;
  /** Authenticated auxiliary data: OID → discretionary data (the last template wins, A.7.5). */
  readonly auxData: ReadonlyMap<string, Buffer>;
}

/** PACE in progress: MSE:Set AT done, General Authenticate steps 1..4. */
export interface PaceRun {
  readonly kind: 'pace';
  readonly protocol: string;
  readonly bits: KeyBits;
  readonly password: Password;
  readonly chat?: Chat;
  step: 0 | 1 | 2 | 3;
  nonce?: Buffer;
  mapping?: EphemeralKey;
  generator?: WeierstrassPoint<bigint>;
  ephemeral?: EphemeralKey;
  pcdEphemeral?: Buffer;
  keys?: SessionKeys;
}

export interface CaSetup {
  readonly kind: 'ca';
  readonly protocol: string;
}

export interface RiSetup {
  readonly kind: 'ri';
  readonly protocol: string;
}

/** MSE:Set AT for Terminal Authentication (TR-03110-3 B.3). */
export interface TaSetup {
  readonly terminalChr: string;
  readonly pkPcdComp: Buffer;
  /** The 67 data object exactly as sent (signed input), or empty. */
  readonly auxRaw: Buffer;
  readonly auxData: ReadonlyMap<string, Buffer>;
}

/** The most recently imported DV or terminal public key (temporary import, TR-03110-3 A.7.2.2). */
export interface ImportedKey {
  readonly cert: CvCertificate;
  readonly key: KeyObject;
  readonly curve: Curve;
  /** AND of the CHATs from the trust point down to this certificate (§2.7). */
  readonly chainChat: Chat;
  /** Hash with which this certificate was signed. */
  readonly signedWith: HashName;
}

export interface Session {
  sm?: SecureMessaging;
  pace?: PaceStatus;
  /** The PIN was resumed by PACE with CAN in this session (TR-03110-2 §2.2.3). */
  pinResumed: boolean;
  ta?: TaStatus;
  ca: boolean;
  /** The protocol selected for General Authenticate. */
  se?: PaceRun | CaSetup | RiSetup;
  taSetup?: TaSetup;
  /** CHR selected by MSE:Set DST. */
  dst?: string;
  imported?: ImportedKey;
  challenge?: Buffer;
  currentDf: Df;
  currentEf?: Ef;
}

export function newSession(mf: Df): Session {
  return { pinResumed: false, ca: false, currentDf: mf };
}
