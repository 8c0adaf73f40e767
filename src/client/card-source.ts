/**
 * Where the eID-Client finds the card: a virtual card file in-process, or a
 * PC/SC reader through the optional `@pokusew/pcsclite` binding (installed
 * with the interop dependencies; it needs libpcsclite).
 */
import type { CardTransport } from '../apdu/transport.js';
import { ClientError } from './errors.js';

export interface OpenedCard {
  readonly card: CardTransport;
  readonly name: string;
  close(): Promise<void>;
}

export async function openVirtualCard(file: string): Promise<OpenedCard> {
  const { VirtualCard } = await import('../card/virtual-card.js');
  const card = VirtualCard.fromFile(file, { persist: true });
  card.reset();
  return { card, name: `virtual card ${file}`, close: async () => card.powerOff() };
}

export async function openReader(readerName: string, timeoutMs = 20_000): Promise<OpenedCard> {
  const { openPcscReader } = await import('./pcsc.js');
  return openPcscReader(readerName, timeoutMs).catch((e: Error) => {
    throw new ClientError('clientError', `PC/SC reader "${readerName}": ${e.message}`);
  });
}
