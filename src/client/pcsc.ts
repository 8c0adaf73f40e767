/**
 * PC/SC access through pcscd (optional dependency @pokusew/pcsclite): waits
 * for the named reader and a card in it, connects in shared mode and
 * transmits APDUs. Used by `neid-client --reader NAME`, e.g. with the
 * virtual card behind vsmartcard's vpcd.
 */
import { createRequire } from 'node:module';
import type { OpenedCard } from './card-source.js';

interface PcscReader {
  name: string;
  SCARD_STATE_PRESENT: number;
  SCARD_SHARE_SHARED: number;
  SCARD_LEAVE_CARD: number;
  on(ev: 'status', cb: (s: { state: number }) => void): void;
  on(ev: 'error', cb: (e: Error) => void): void;
  connect(opts: { share_mode: number }, cb: (err: Error | null, protocol: number) => void): void;
  transmit(
    data: Buffer,
    resLen: number,
    protocol: number,
    cb: (err: Error | null, data: Buffer) => void,
  ): void;
  disconnect(disposition: number, cb: (err: Error | null) => void): void;
  close(): void;
}

interface Pcsc {
  on(ev: 'reader', cb: (r: PcscReader) => void): void;
  on(ev: 'error', cb: (e: Error) => void): void;
  close(): void;
}

function load(): () => Pcsc {
  try {
    return createRequire(import.meta.url)('@pokusew/pcsclite') as () => Pcsc;
  } catch {
    throw new Error(
      'PC/SC support is not installed (optional dependency @pokusew/pcsclite; needs libpcsclite-dev at npm install time)',
    );
  }
}

export function openPcscReader(name: string, timeoutMs: number): Promise<OpenedCard> {
  const pcsc = load()();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pcsc.close();
      reject(new Error(`no card in a reader named "${name}" within ${timeoutMs} ms`));
    }, timeoutMs);
    pcsc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    pcsc.on('reader', (reader) => {
      if (!reader.name.includes(name)) return;
      reader.on('error', () => undefined);
      reader.on('status', (status) => {
        if (!(status.state & reader.SCARD_STATE_PRESENT)) return;
        reader.connect({ share_mode: reader.SCARD_SHARE_SHARED }, (err, protocol) => {
          if (err) return;
          clearTimeout(timer);
          resolve({
            name: reader.name,
            card: {
              transmit: (apdu) =>
                new Promise((res, rej) =>
                  reader.transmit(apdu, 65538, protocol, (e, data) => (e ? rej(e) : res(Buffer.from(data)))),
                ),
            },
            close: () =>
              new Promise((res) =>
                reader.disconnect(reader.SCARD_LEAVE_CARD, () => {
                  reader.close();
                  pcsc.close();
                  res();
                }),
              ),
          });
        });
      });
    });
  });
}
