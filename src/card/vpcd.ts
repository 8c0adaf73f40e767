/**
 * The card as a PC/SC card through vsmartcard's virtual reader (vpcd,
 * Debian package vsmartcard-vpcd): pcscd's vpcd driver listens on a TCP port
 * (35963 by default) and the virtual card connects to it. Every message is a
 * 2-byte big-endian length and a payload. A one-byte payload is a control:
 *
 *   00 power off   01 power on   02 reset   04 get ATR (answered with the ATR)
 *
 * Any other payload is a command APDU, answered with the response APDU. The
 * connection is re-established when it closes, until `close()`.
 */
import { type Socket, connect as tcpConnect } from 'node:net';

export const VPCD_DEFAULT_HOST = '127.0.0.1';
export const VPCD_DEFAULT_PORT = 35963;

const CONTROL = { powerOff: 0x00, powerOn: 0x01, reset: 0x02, getAtr: 0x04 } as const;

/** What vpcd needs of a card (VirtualCard implements it). */
export interface VpcdCard {
  transmit(apdu: Buffer): Promise<Buffer>;
  reset(): Buffer;
  powerOff(): void;
  readonly atr: Buffer;
}

export interface VpcdOptions {
  readonly host?: string;
  readonly port?: number;
  /** Delay before reconnecting after the connection closed or failed (default 1000 ms). */
  readonly reconnectDelayMs?: number;
  readonly log?: (message: string) => void;
}

export interface VpcdConnection {
  /** Resolves when a connection to vpcd is established (immediately if it is). */
  waitConnected(): Promise<void>;
  readonly connected: boolean;
  /** Stops reconnecting and closes the connection. */
  close(): Promise<void>;
}

function frame(payload: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length);
  return Buffer.concat([len, payload]);
}

export function connectVpcd(card: VpcdCard, opts: VpcdOptions = {}): VpcdConnection {
  const host = opts.host ?? VPCD_DEFAULT_HOST;
  const port = opts.port ?? VPCD_DEFAULT_PORT;
  const delay = opts.reconnectDelayMs ?? 1000;
  const log = opts.log ?? (() => {});
  let socket: Socket | undefined;
  let connected = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let waiters: (() => void)[] = [];

  const handle = async (s: Socket, msg: Buffer): Promise<void> => {
    if (msg.length === 1) {
      switch (msg[0]) {
        case CONTROL.powerOff:
          card.powerOff();
          return;
        case CONTROL.powerOn:
        case CONTROL.reset:
          card.reset();
          return;
        case CONTROL.getAtr:
          s.write(frame(card.atr));
          return;
        default:
          log(`vpcd: unknown control byte ${msg[0]}`);
          return;
      }
    }
    if (msg.length === 0) return;
    const response = await card.transmit(msg);
    if (!s.destroyed) s.write(frame(response));
  };

  const open = (): void => {
    if (closed) return;
    const s = tcpConnect({ host, port });
    socket = s;
    let buffer = Buffer.alloc(0);
    let queue = Promise.resolve();
    s.setNoDelay(true);
    s.on('connect', () => {
      connected = true;
      log(`vpcd: connected to ${host}:${port}`);
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    });
    s.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2) {
        const len = buffer.readUInt16BE(0);
        if (buffer.length < 2 + len) break;
        const msg = Buffer.from(buffer.subarray(2, 2 + len));
        buffer = buffer.subarray(2 + len);
        queue = queue.then(() => handle(s, msg)).catch((e: unknown) => log(`vpcd: ${(e as Error).message}`));
      }
    });
    s.on('error', (e) => log(`vpcd: ${e.message}`));
    s.on('close', () => {
      connected = false;
      if (socket === s) socket = undefined;
      if (!closed) timer = setTimeout(open, delay);
    });
  };

  open();
  return {
    get connected() {
      return connected;
    },
    waitConnected: () =>
      connected ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        if (timer) clearTimeout(timer);
        const s = socket;
        if (!s || s.destroyed) return resolve();
        s.once('close', () => resolve());
        s.destroy();
      }),
  };
}
