import type { CommandApdu, ResponseApdu } from '../../src/apdu/apdu.js';
import { encodeCommand } from '../../src/apdu/apdu.js';
import type { CardTransport } from '../../src/apdu/transport.js';
import type { ApduChannel } from '../../src/eac/channel.js';
import { EacError, type EacErrorCode } from '../../src/eac/errors.js';

/** Hex with spaces and comments-free; upper case on output. */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
export const up = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
export const apduHex = (c: CommandApdu): string => up(encodeCommand(c));

/** A card that answers from a script and records every command it receives. */
export class ScriptedCard implements CardTransport {
  readonly sent: string[] = [];
  private i = 0;

  constructor(private readonly script: readonly string[]) {}

  async transmit(apdu: Buffer): Promise<Buffer> {
    this.sent.push(up(apdu));
    const r = this.script[this.i++];
    if (r === undefined) throw new Error(`script exhausted at command ${up(apdu)}`);
    return hex(r);
  }
}

/** A channel that records commands and answers from a function. */
export class RecordingChannel implements ApduChannel {
  readonly sent: CommandApdu[] = [];

  constructor(private readonly answer: (c: CommandApdu, i: number) => ResponseApdu = () => ok()) {}

  async transmit(cmd: CommandApdu): Promise<ResponseApdu> {
    this.sent.push(cmd);
    return this.answer(cmd, this.sent.length - 1);
  }
}

export const ok = (data: Buffer = Buffer.alloc(0)): ResponseApdu => ({ data, sw: 0x9000 });

/** The EacError a promise or function fails with. */
export async function eacError(fn: () => unknown): Promise<EacError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof EacError) return e;
    throw e;
  }
  throw new Error('no error');
}

export async function codeOf(fn: () => unknown): Promise<EacErrorCode> {
  return (await eacError(fn)).code;
}
