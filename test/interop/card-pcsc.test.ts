/**
 * Issue 3 acceptance, PC/SC: the virtual card, connected to vsmartcard's
 * virtual reader (Debian vsmartcard-vpcd, configured in
 * /etc/reader.conf.d/vpcd for port 35963), is a card to any PC/SC program.
 * OpenSC's `opensc-tool` lists the reader, prints the ATR and reads
 * EF.CardAccess with SELECT + READ BINARY through pcscd.
 *
 * pcscd is started in the foreground for the test (and stopped afterwards)
 * unless one is already running with the vpcd reader, which is then used as
 * it is: the test never stops a pcscd it did not start.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { makeCard, makePki } from '../card/support/pki.js';
import { insertIntoVpcd, type PcscHarness, pcscMissing, sleep } from '../support/pcsc.js';
import { have, requires } from '../support/requires.js';

const run = promisify(execFile);

const available = requires('card-pcsc', pcscMissing({ opensc: have('opensc-tool') }));

/** The bytes of opensc-tool's hex dump after "Received (SW1=0x90, SW2=0x00):" for the last APDU. */
function lastResponse(stdout: string): Buffer {
  const blocks = stdout.split(/Received \(SW1=0x([0-9A-F]{2}), SW2=0x([0-9A-F]{2})\):?/);
  const dump = blocks.at(-1) ?? '';
  const bytes: number[] = [];
  for (const line of dump.split('\n')) {
    const m = /^((?:[0-9A-F]{2} ){1,16})/.exec(line);
    if (m)
      bytes.push(
        ...m[1]!
          .trim()
          .split(' ')
          .map((h) => Number.parseInt(h, 16)),
      );
  }
  return Buffer.from(bytes);
}

describe.runIf(available)('the virtual card through pcscd + vpcd (PC/SC)', () => {
  let harness: PcscHarness | undefined;
  const json = makeCard(makePki());
  const card = VirtualCard.fromJson(json);

  beforeAll(async () => {
    harness = await insertIntoVpcd(card);
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('opensc-tool sees the reader and the card, and prints the ATR', async () => {
    let atr = '';
    for (let i = 0; i < 40 && !atr; i++) {
      const r = await run('opensc-tool', ['-a'], { encoding: 'utf8', timeout: 20_000 }).catch(() => ({
        stdout: '',
      }));
      atr = /([0-9a-f]{2}(?::[0-9a-f]{2})+)/.exec(r.stdout)?.[1] ?? '';
      if (!atr) await sleep(250);
    }
    expect(atr.replace(/:/g, '')).toBe(card.atr.toString('hex'));
    const list = await run('opensc-tool', ['-l'], { encoding: 'utf8', timeout: 20_000 });
    expect(list.stdout).toMatch(/Yes\s+Virtual PCD/);
  });

  it('reads EF.CardAccess with SELECT and READ BINARY through PC/SC', async () => {
    const r = await run('opensc-tool', ['-s', '00A4020C02011C', '-s', '00B0000000'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.stdout).toMatch(/Received \(SW1=0x90, SW2=0x00\)\s*\n\s*Sending: 00 B0/);
    const expected = Buffer.from(json.files.cardAccess, 'hex');
    expect(lastResponse(r.stdout).subarray(0, expected.length)).toEqual(expected);
    expect(r.stdout).toMatch(/SW1=0x90, SW2=0x00\):/);
  });
});
