/**
 * pcscd with vsmartcard's vpcd reader for interop tests: the virtual card is
 * connected to the vpcd port (35963, /etc/reader.conf.d/vpcd). pcscd is
 * started in the foreground when no vpcd reader is listening yet, and stopped
 * by `close()`; a pcscd that already runs with the vpcd reader is used as it
 * is and never stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { connectVpcd, VPCD_DEFAULT_PORT, type VpcdCard, type VpcdConnection } from '../../src/card/vpcd.js';
import { absent, have } from './requires.js';

export const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
/** The reader name vpcd registers. */
export const VPCD_READER = 'Virtual PCD';

/** What a PC/SC interop suite needs installed. */
export const pcscMissing = (extra: Record<string, boolean> = {}) =>
  absent({ pcscd: have('pcscd'), 'vsmartcard-vpcd': existsSync(VPCD_DRIVER), ...extra });

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PcscHarness {
  readonly conn: VpcdConnection;
  close(): Promise<void>;
}

/** Puts `card` into the vpcd reader, starting pcscd when needed. */
export async function insertIntoVpcd(card: VpcdCard): Promise<PcscHarness> {
  let pcscd: ChildProcess | undefined;
  if (!(await portOpen(VPCD_DEFAULT_PORT))) {
    // No vpcd reader yet: run our own pcscd in the foreground (it fails if another pcscd owns the socket).
    const p = spawn('pcscd', ['-f'], { stdio: 'ignore' });
    pcscd = p;
    for (let i = 0; i < 100 && p.exitCode === null && !(await portOpen(VPCD_DEFAULT_PORT)); i++)
      await sleep(100);
    if (p.exitCode !== null || !(await portOpen(VPCD_DEFAULT_PORT))) {
      throw new Error(
        'pcscd did not open the vpcd port 35963: is another pcscd without the vpcd reader running?',
      );
    }
  }
  const conn = connectVpcd(card, { port: VPCD_DEFAULT_PORT, reconnectDelayMs: 200 });
  await conn.waitConnected();
  return {
    conn,
    async close() {
      await conn.close();
      if (pcscd?.pid !== undefined && pcscd.exitCode === null) {
        const exited = new Promise((r) => pcscd!.once('exit', r));
        pcscd.kill('SIGTERM');
        await exited;
      }
    },
  };
}
