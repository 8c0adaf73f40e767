/**
 * Secure messaging for a remote terminal that sends its commands in batches
 * through the eID-Client (TR-03112-7 Transmit; TR-03110-2 §2.3.7): the
 * server protects all commands of a batch before it has any response, so
 * the send sequence counter (TR-03110-3 F.5: incremented before every command
 * and every response) is computed per position: command i of a batch that
 * starts at SSC x uses x+2i+1, its response x+2i+2.
 *
 * The client may stop a batch early (an unacceptable status word); the
 * counter then continues after the last response actually received, as the
 * card saw only those commands.
 */
import type { CommandApdu, ResponseApdu } from '../apdu/apdu.js';
import type { SessionKeys } from '../crypto/pace.js';
import { SecureMessaging, SmError } from '../sm/secure-messaging.js';
import { encodeCardCommand, parseCardResponse, smErrorToEac } from './channel.js';
import { EacError } from './errors.js';

const SSC_BYTES = 16;

function addToCounter(ssc: Buffer, n: number): Buffer {
  let v = BigInt(`0x${ssc.toString('hex')}`) + BigInt(n);
  const out = Buffer.alloc(SSC_BYTES);
  for (let i = SSC_BYTES - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export class SmBatch {
  private ssc: Buffer;
  private pending = 0;
  private open = true;

  /** `keys` from Chip Authentication; the counter starts at 0 after CA (F.5). */
  constructor(
    private readonly keys: SessionKeys,
    ssc: Buffer = Buffer.alloc(SSC_BYTES),
  ) {
    if (ssc.length !== SSC_BYTES)
      throw new EacError('invalid-argument', 'the AES send sequence counter has 16 bytes');
    this.ssc = Buffer.from(ssc);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The counter before the next batch. */
  get counter(): Buffer {
    return Buffer.from(this.ssc);
  }

  /** Commands protected but not yet answered. */
  get pendingCommands(): number {
    return this.pending;
  }

  /** Protects a batch of commands; returns the raw APDUs to hand to the client. */
  wrap(cmds: readonly CommandApdu[]): Buffer[] {
    this.ensureOpen();
    if (this.pending)
      throw new EacError('invalid-argument', 'the responses of the previous batch have not been unwrapped');
    const out = cmds.map((c, i) => {
      try {
        return encodeCardCommand(
          new SecureMessaging(this.keys, addToCounter(this.ssc, 2 * i)).wrapCommand(c),
        );
      } catch (e) {
        if (e instanceof SmError) throw smErrorToEac(e);
        throw e;
      }
    });
    this.pending = cmds.length;
    return out;
  }

  /**
   * Verifies and decrypts the responses of the last batch, in order. Fewer
   * responses than commands are accepted (the client stopped); more are not.
   * Any MAC or format defect closes the channel for good.
   */
  unwrap(responses: readonly Buffer[]): ResponseApdu[] {
    this.ensureOpen();
    if (responses.length > this.pending) {
      this.close();
      throw new EacError('malformed-response', `${responses.length} responses to ${this.pending} commands`);
    }
    const out: ResponseApdu[] = [];
    for (let i = 0; i < responses.length; i++) {
      let r: ResponseApdu;
      try {
        r = parseCardResponse(responses[i]!, `response ${i + 1}`);
      } catch (e) {
        this.close();
        throw e;
      }
      try {
        out.push(new SecureMessaging(this.keys, addToCounter(this.ssc, 2 * i + 1)).unwrapResponse(r));
      } catch (e) {
        this.close();
        if (e instanceof SmError) throw smErrorToEac(e, r.sw);
        throw e;
      }
    }
    this.ssc = addToCounter(this.ssc, 2 * responses.length);
    this.pending = 0;
    return out;
  }

  close(): void {
    this.open = false;
    this.keys.enc.fill(0);
    this.keys.mac.fill(0);
  }

  private ensureOpen(): void {
    if (!this.open) throw new EacError('malformed-response', 'the secure channel was closed after an error');
  }
}
