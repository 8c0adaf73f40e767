/**
 * Secure messaging of a remote terminal that protects a whole batch before
 * any response (F.5: the SSC counts every command and every response), and
 * of a local SmChannel; both against the card-side SecureMessaging.
 */
import { describe, expect, it } from 'vitest';
import { command, encodeResponse, parseCommand } from '../../src/apdu/apdu.js';
import type { CardTransport } from '../../src/apdu/transport.js';
import { SmChannel } from '../../src/eac/channel.js';
import { SmBatch } from '../../src/eac/sm-batch.js';
import { SecureMessaging } from '../../src/sm/secure-messaging.js';
import { codeOf } from './helpers.js';

const keys = () => ({ enc: Buffer.alloc(16, 0x11), mac: Buffer.alloc(16, 0x22) });

/** A card that unwraps with its own SSC and echoes the command data back. */
class EchoCard implements CardTransport {
  readonly sm = new SecureMessaging(keys());
  tamper = false;
  async transmit(apdu: Buffer): Promise<Buffer> {
    const c = this.sm.unwrapCommand(parseCommand(apdu));
    const r = this.sm.wrapResponse({ data: Buffer.from(c.data), sw: c.data.length ? 0x9000 : 0x6a82 });
    if (this.tamper) r.data[r.data.length - 1]! ^= 1;
    return encodeResponse(r);
  }
}

const cmd = (i: number) => command(0x00, 0xda, 0x00, i, Buffer.from(`data ${i}`), 256);

describe('SmBatch', () => {
  it('protects a batch up front and verifies the responses in order', async () => {
    const card = new EchoCard();
    const batch = new SmBatch(keys());
    for (let round = 0; round < 3; round++) {
      const cmds = [cmd(1), cmd(2), command(0, 0xda, 0, 3), cmd(4)];
      const raw = batch.wrap(cmds);
      const responses = [];
      for (const a of raw) responses.push(await card.transmit(a));
      const out = batch.unwrap(responses);
      expect(out.map((r) => r.data.toString())).toEqual(['data 1', 'data 2', '', 'data 4']);
      expect(out[2]!.sw).toBe(0x6a82);
    }
    expect(batch.counter).toEqual(card.sm.counter);
  });

  it('continues after a batch the client stopped early', async () => {
    const card = new EchoCard();
    const batch = new SmBatch(keys());
    const raw = batch.wrap([cmd(1), cmd(2), cmd(3)]);
    batch.unwrap([await card.transmit(raw[0]!)]);
    const next = batch.wrap([cmd(9)]);
    expect(batch.unwrap([await card.transmit(next[0]!)])[0]!.data.toString()).toBe('data 9');
  });

  it('closes on a wrong response MAC (bad-mac) and refuses further use', async () => {
    const card = new EchoCard();
    card.tamper = true;
    const batch = new SmBatch(keys());
    const raw = batch.wrap([cmd(1)]);
    expect(await codeOf(async () => batch.unwrap([await card.transmit(raw[0]!)]))).toBe('bad-mac');
    expect(batch.isOpen).toBe(false);
    expect(await codeOf(() => batch.wrap([cmd(2)]))).toBe('malformed-response');
  });

  it('refuses more responses than commands and a new batch before the last is answered', async () => {
    const batch = new SmBatch(keys());
    batch.wrap([cmd(1)]);
    expect(await codeOf(() => batch.wrap([cmd(2)]))).toBe('invalid-argument');
    expect(await codeOf(() => batch.unwrap([Buffer.from('9000', 'hex'), Buffer.from('9000', 'hex')]))).toBe(
      'malformed-response',
    );
  });
});

describe('SmChannel', () => {
  it('round-trips with the card and maps a plain 6988 to malformed-response', async () => {
    const card = new EchoCard();
    const ch = new SmChannel(card, new SecureMessaging(keys()));
    expect((await ch.transmit(cmd(5))).data.toString()).toBe('data 5');
    const dropped: CardTransport = { transmit: async () => Buffer.from('6988', 'hex') };
    const e = await codeOf(() => new SmChannel(dropped, new SecureMessaging(keys())).transmit(cmd(1)));
    expect(e).toBe('malformed-response');
  });

  it('maps a wrong MAC to bad-mac', async () => {
    const card = new EchoCard();
    card.tamper = true;
    expect(await codeOf(() => new SmChannel(card, new SecureMessaging(keys())).transmit(cmd(1)))).toBe(
      'bad-mac',
    );
  });
});
