/**
 * Anything that takes a raw command APDU and returns the raw response:
 * the virtual card in-process, a PC/SC reader, or the server's view of the
 * card through the eID-Client's PAOS Transmit.
 */
export interface CardTransport {
  transmit(apdu: Buffer): Promise<Buffer>;
}
