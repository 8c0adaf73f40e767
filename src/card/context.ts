/**
 * What a command handler sees: the card's fixed configuration, its file
 * system, the persistent state, the current session and the random source.
 * Handlers return the plain response; the dispatcher applies secure messaging.
 */
import type { KeyObject } from 'node:crypto';
import type { CommandApdu } from '../apdu/apdu.js';
import { OID } from '../asn1/oids.js';
import type { Curve, HashName } from '../crypto/curves.js';
import { type KeyBits, keyBitsOfProtocol } from '../crypto/pace.js';
import type { CardData } from './card-file.js';
import type { FileSystem } from './file-system.js';
import type { CardRng } from './rng.js';
import type { Session } from './session.js';
import type { CardState, Password } from './state.js';

export interface CardConfig {
  readonly curve: Curve;
  readonly pace: { readonly protocol: string; readonly bits: KeyBits; readonly parameterId: number };
  readonly ca: {
    readonly protocol: string;
    readonly bits: KeyBits;
    readonly keyId: number;
    readonly key: KeyObject;
  };
  readonly ri: {
    readonly protocol: string;
    readonly hash: HashName;
    readonly keyId: number;
    readonly key: KeyObject;
  };
}

/** Test hooks; never set in production. */
export interface CardHooks {
  /** Overrides Kπ (e.g. an ICAO worked example whose password is an MRZ key seed). */
  readonly passwordKey?: (password: Password, bits: KeyBits) => Buffer | undefined;
}

export interface CommandContext {
  readonly config: CardConfig;
  readonly fs: FileSystem;
  readonly state: CardState;
  session: Session;
  readonly rng: CardRng;
  readonly hooks: CardHooks;
  /** Ne of the command as transmitted (outside secure messaging): bounds the protected response. */
  transportNe: number;
}

export interface CommandResult {
  readonly sw: number;
  readonly data?: Buffer;
  /** Runs after the response has been protected with the current keys (switching keys after PACE/CA). */
  readonly after?: () => void;
}

export type CommandHandler = (cmd: CommandApdu, ctx: CommandContext) => CommandResult;

const RI_HASH: Record<string, HashName> = {
  [OID.idRiEcdhSha256]: 'sha256',
  [OID.idRiEcdhSha384]: 'sha384',
  [OID.idRiEcdhSha512]: 'sha512',
};

export function cardConfig(d: CardData): CardConfig {
  return {
    curve: d.curve,
    pace: {
      protocol: d.protocols.pace,
      bits: keyBitsOfProtocol(d.protocols.pace),
      parameterId: d.curve.standardizedId,
    },
    ca: {
      protocol: d.protocols.ca,
      bits: keyBitsOfProtocol(d.protocols.ca),
      keyId: d.chipAuthentication.keyId,
      key: d.chipAuthentication.key,
    },
    ri: {
      protocol: d.protocols.ri,
      hash: RI_HASH[d.protocols.ri]!,
      keyId: d.restrictedIdentification.keyId,
      key: d.restrictedIdentification.key,
    },
  };
}

export const ok = (data?: Buffer): CommandResult => (data ? { sw: 0x9000, data } : { sw: 0x9000 });
