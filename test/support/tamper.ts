/** A man in the middle between the eID-Client and the card, for negative tests. */
import type { CardTransport } from '../../src/apdu/transport.js';

export class TamperingCard implements CardTransport {
  constructor(
    private readonly inner: CardTransport,
    /** Returns a replacement response, or undefined to pass the card's answer through. */
    private readonly tamper: (command: Buffer, response: Buffer) => Buffer | undefined,
  ) {}

  async transmit(apdu: Buffer): Promise<Buffer> {
    const r = await this.inner.transmit(apdu);
    return this.tamper(apdu, r) ?? r;
  }
}

/** Flips one bit of the MAC (DO 8E, last data bytes before SW) of a secure-messaging response. */
export function flipMac(response: Buffer): Buffer {
  const out = Buffer.from(response);
  out[out.length - 3]! ^= 0x01;
  return out;
}
