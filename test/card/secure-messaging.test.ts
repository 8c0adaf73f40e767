import { beforeAll, describe, expect, it } from 'vitest';
import { command, encodeCommand } from '../../src/apdu/apdu.js';
import type { CardFileJson } from '../../src/card/card-file.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { makeCard, makePki } from './support/pki.js';
import { hex, swOf, TestTerminal } from './support/terminal.js';

let cardJson: CardFileJson;
beforeAll(() => {
  cardJson = makeCard(makePki());
});

async function session() {
  const t = new TestTerminal(VirtualCard.fromJson(cardJson));
  const r = await t.pace({ password: 'can', secret: '456789' });
  expect(r.ok).toBe(true);
  await t.selectEid();
  return t;
}

describe('secure messaging on the card (TR-03110-3 F; ICAO 9303-11 §9.8)', () => {
  it('a command with a bad MAC is answered 6988 in plain and the session is gone', async () => {
    const t = await session();
    const wrapped = t.sm!.wrapCommand(command(0x00, 0xb0, 0x84, 0x00, Buffer.alloc(0), 256));
    const data = Buffer.from(wrapped.data);
    data[data.length - 1]! ^= 0x01;
    const r = await t.raw(encodeCommand({ ...wrapped, data }));
    expect(swOf(r)).toBe('6988');
    expect(r.data).toHaveLength(0);
    // The keys are gone: protected commands are refused, plain reads of the public area too.
    expect(
      swOf(
        await t.raw(encodeCommand(t.sm!.wrapCommand(command(0x00, 0xb0, 0x84, 0x00, Buffer.alloc(0), 256)))),
      ),
    ).toBe('6882');
    t.sm = undefined;
    await t.selectEid();
    expect(swOf(await t.readSfi(4))).toBe('6982');
  });

  it('a plain command inside a session ends it with 6987', async () => {
    const t = await session();
    expect(swOf(await t.raw('00B0840000'))).toBe('6987');
    // The session is over and the MF is selected again (F.1): the public area is closed.
    expect(swOf(await t.raw('00B0840000'))).toBe('6A82');
    expect(swOf(await t.raw('00A4040C09E80704007F00070302'))).toBe('9000');
    expect(swOf(await t.raw('00B0840000'))).toBe('6982');
  });

  it('malformed SM data objects, a missing checksum or a replay end the session', async () => {
    const t1 = await session();
    expect(swOf(await t1.raw('0CB084000A8702FF009701008E00 00'.replace(/ /g, '')))).toBe('6988');
    const t2 = await session();
    expect(swOf(await t2.raw('0CB0840003970100 00'.replace(/ /g, '')))).toBe('6987');
    const t3 = await session();
    const first = encodeCommand(t3.sm!.wrapCommand(command(0x00, 0xb0, 0x84, 0x00, Buffer.alloc(0), 8)));
    expect(swOf(await t3.raw(first))).toBe('9000');
    expect(swOf(await t3.raw(first))).toBe('6988');
  });

  it('outside a session an SM command is 6882', async () => {
    const t = new TestTerminal(VirtualCard.fromJson(cardJson));
    expect(swOf(await t.raw('0CA4020C02011C'))).toBe('6882');
  });

  it('errors of protected commands are answered protected and keep the session', async () => {
    const t = await session();
    expect((await t.readSfi(14)).sw).toBe(0x6982);
    expect((await t.send(command(0x00, 0xa4, 0x02, 0x0c, hex('0199')))).sw).toBe(0x6a82);
    expect((await t.send(command(0x00, 0xee, 0x00, 0x00))).sw).toBe(0x6d00);
    expect(t.sm).toBeDefined();
    expect((await t.readSfi(4)).sw).toBe(0x9000);
  });

  it('fits protected short responses into 256 bytes (223 plaintext bytes)', async () => {
    const t = await session();
    const r = await t.readSfi(17, 256);
    expect(r.sw).toBe(0x9000);
    expect(r.data.length).toBeLessThanOrEqual(223);
  });
});
