/**
 * Where the eID-Client finds the card: a virtual card file in-process, or a
 * PC/SC reader through the optional `@pokusew/pcsclite` binding (installed
 * with the interop dependencies; it needs libpcsclite).
 *
 * A login looks for the card only when it needs it, after the citizen's
 * consent (`CardSlot`), and opens it afresh every time: a card file is read
 * again for every login, so a new or replaced file needs no restart.
 */
import { existsSync } from 'node:fs';
import type { CardTransport } from '../apdu/transport.js';
import { ClientError, ended } from './errors.js';

export interface OpenedCard {
  readonly card: CardTransport;
  readonly name: string;
  close(): Promise<void>;
}

export async function openVirtualCard(file: string): Promise<OpenedCard> {
  if (!existsSync(file))
    throw ended.noCard(`no card: the card file ${file} does not exist (neid card create --out ${file})`);
  const { VirtualCard } = await import('../card/virtual-card.js');
  let card: import('../card/virtual-card.js').VirtualCard;
  try {
    card = VirtualCard.fromFile(file, { persist: true });
  } catch (e) {
    throw ended.noCard(`the card file ${file} cannot be used: ${(e as Error).message}`);
  }
  card.reset();
  return { card, name: `virtual card ${file}`, close: async () => card.powerOff() };
}

export async function openReader(readerName: string, timeoutMs = 20_000): Promise<OpenedCard> {
  const { openPcscReader } = await import('./pcsc.js');
  return openPcscReader(readerName, timeoutMs).catch((e: Error) => {
    throw ended.noCard(`PC/SC reader "${readerName}": ${e.message}`);
  });
}

/**
 * The card of one login, opened when `insert()` is called and closed with
 * `close()`. A transmit that fails means the card was removed or stopped
 * answering (ifdl/terminal#noCard to the server).
 */
export class CardSlot implements CardTransport {
  private opened?: OpenedCard;

  constructor(private readonly open: () => Promise<OpenedCard>) {}

  async insert(): Promise<void> {
    if (this.opened) return;
    try {
      this.opened = await this.open();
    } catch (e) {
      throw e instanceof ClientError ? e : ended.noCard(`no card: ${(e as Error).message}`);
    }
  }

  async transmit(apdu: Buffer): Promise<Buffer> {
    if (!this.opened) throw ended.noCard('no card');
    try {
      return await this.opened.card.transmit(apdu);
    } catch (e) {
      throw ended.noCard(`the card was removed or stopped answering: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    const o = this.opened;
    this.opened = undefined;
    await o?.close().catch(() => undefined);
  }
}
