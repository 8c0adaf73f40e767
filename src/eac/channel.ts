/**
 * Transmitting command APDUs to the card, plain or under secure messaging
 * (TR-03110-3 appendix F). Every step of the protocols talks to an
 * `ApduChannel`, so the same code runs on a plain reader connection, inside
 * the secure channel of PACE and inside the one of Chip Authentication.
 */
import {
  ApduError,
  type CommandApdu,
  encodeCommand,
  parseResponse,
  type ResponseApdu,
} from '../apdu/apdu.js';
import type { CardTransport } from '../apdu/transport.js';
import { type SecureMessaging, SmError } from '../sm/secure-messaging.js';
import { EacError } from './errors.js';

/** Sends one command APDU and returns its (unprotected) response. */
export interface ApduChannel {
  transmit(cmd: CommandApdu): Promise<ResponseApdu>;
}

/** Parses a raw response; a response without a status word is a malformed response. */
export function parseCardResponse(raw: Buffer, what = 'response'): ResponseApdu {
  try {
    return parseResponse(raw);
  } catch (e) {
    if (e instanceof ApduError) throw new EacError('malformed-response', `${what}: ${e.message}`);
    throw e;
  }
}

/** Encodes a command; an APDU the ISO format cannot carry is the caller's error. */
export function encodeCardCommand(cmd: CommandApdu): Buffer {
  try {
    return encodeCommand(cmd);
  } catch (e) {
    if (e instanceof ApduError) throw new EacError('invalid-argument', e.message);
    throw e;
  }
}

/** An SmError of the terminal side as an EacError: 'bad-mac', or 'malformed-response' for every other defect. */
export function smErrorToEac(e: SmError, sw?: number): EacError {
  const details = sw === undefined ? {} : { sw };
  if (e.code === 'bad-mac') return new EacError('bad-mac', `secure messaging: ${e.message}`, details);
  return new EacError('malformed-response', `secure messaging (${e.code}): ${e.message}`, details);
}

/** Sends a command without secure messaging. */
export async function transmitPlain(card: CardTransport, cmd: CommandApdu): Promise<ResponseApdu> {
  return parseCardResponse(await card.transmit(encodeCardCommand(cmd)));
}

/** A channel without secure messaging (EF.CardAccess, the first PACE). */
export class PlainChannel implements ApduChannel {
  constructor(private readonly card: CardTransport) {}

  transmit(cmd: CommandApdu): Promise<ResponseApdu> {
    return transmitPlain(this.card, cmd);
  }
}

/**
 * A secure channel: every command is protected with `sm` and every response
 * verified (MAC in constant time) and decrypted. After a defect the
 * SecureMessaging object is closed and every later call fails.
 */
export class SmChannel implements ApduChannel {
  constructor(
    private readonly card: CardTransport,
    readonly sm: SecureMessaging,
  ) {}

  async transmit(cmd: CommandApdu): Promise<ResponseApdu> {
    let wrapped: CommandApdu;
    try {
      wrapped = this.sm.wrapCommand(cmd);
    } catch (e) {
      if (e instanceof SmError) throw smErrorToEac(e);
      throw e;
    }
    const r = parseCardResponse(await this.card.transmit(encodeCardCommand(wrapped)));
    try {
      return this.sm.unwrapResponse(r);
    } catch (e) {
      if (e instanceof SmError) {
        // Every defect ends the channel, not only a wrong MAC (F.6).
        this.sm.close();
        throw smErrorToEac(e, r.sw);
      }
      throw e;
    }
  }
}
