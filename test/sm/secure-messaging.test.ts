import { describe, expect, it } from 'vitest';
import { command } from '../../src/apdu/apdu.js';
import { SecureMessaging, SmError } from '../../src/sm/secure-messaging.js';

const keys = () => ({
  enc: Buffer.from('F5F0E35C0D7161EE6724EE513A0D9A7F', 'hex'),
  mac: Buffer.from('FE251C7858B356B24514B3BD5F4297D1', 'hex'),
});

describe('secure messaging (TR-03110-3 F.2)', () => {
  it('terminal and card agree on commands and responses with and without data', () => {
    const term = new SecureMessaging(keys());
    const card = new SecureMessaging(keys());
    for (const [c, resp] of [
      [command(0x00, 0xa4, 0x02, 0x0c, Buffer.from([0x01, 0x01])), Buffer.alloc(0)],
      [command(0x00, 0xb0, 0x81, 0x00, Buffer.alloc(0), 0xdf), Buffer.alloc(223, 0x5a)],
      [command(0x00, 0x2a, 0x00, 0xbe, Buffer.alloc(300, 1), 0), Buffer.alloc(0)],
      [command(0x00, 0xb0, 0x00, 0x00, Buffer.alloc(0), 65536), Buffer.alloc(1000, 7)],
    ] as const) {
      const wrapped = term.wrapCommand(c);
      expect(wrapped.cla & 0x0c).toBe(0x0c);
      const plain = card.unwrapCommand(wrapped);
      expect(plain.data).toEqual(c.data);
      expect(plain.ne).toBe(c.ne);
      expect(plain.cla).toBe(c.cla);
      const r = card.wrapResponse({ data: resp, sw: 0x9000 });
      const back = term.unwrapResponse(r);
      expect(back.data).toEqual(resp);
      expect(back.sw).toBe(0x9000);
    }
    expect(term.counter).toEqual(card.counter);
    expect(term.counter.readUInt32BE(12)).toBe(8);
  });

  it('a flipped MAC bit in a command is refused by the card', () => {
    const term = new SecureMessaging(keys());
    const card = new SecureMessaging(keys());
    const w = term.wrapCommand(command(0, 0xb0, 0x81, 0, Buffer.alloc(0), 0xdf));
    const data = Buffer.from(w.data);
    data[data.length - 1]! ^= 1;
    expect(() => card.unwrapCommand({ ...w, data })).toThrow(SmError);
  });

  it('a tampered response is refused and closes the channel', () => {
    const term = new SecureMessaging(keys());
    const card = new SecureMessaging(keys());
    card.unwrapCommand(term.wrapCommand(command(0, 0xb0, 0x81, 0, Buffer.alloc(0), 0xdf)));
    const r = card.wrapResponse({ data: Buffer.from('secret'), sw: 0x9000 });
    const data = Buffer.from(r.data);
    data[3]! ^= 0x80;
    try {
      term.unwrapResponse({ ...r, data });
      throw new Error('accepted');
    } catch (e) {
      expect((e as SmError).code).toBe('bad-mac');
    }
    expect(term.isOpen).toBe(false);
    expect(() => term.wrapCommand(command(0, 0xb0, 0, 0))).toThrow(/closed/);
  });

  it('a response without SM objects (the card dropped the channel) is refused', () => {
    const term = new SecureMessaging(keys());
    term.wrapCommand(command(0, 0xb0, 0x81, 0, Buffer.alloc(0), 0xdf));
    expect(() => term.unwrapResponse({ data: Buffer.alloc(0), sw: 0x6988 })).toThrow(SmError);
  });

  it('a replayed response (old SSC) is refused', () => {
    const term = new SecureMessaging(keys());
    const card = new SecureMessaging(keys());
    card.unwrapCommand(term.wrapCommand(command(0, 0xb0, 0x81, 0, Buffer.alloc(0), 0xdf)));
    const r1 = card.wrapResponse({ data: Buffer.from('one'), sw: 0x9000 });
    term.unwrapResponse(r1);
    card.unwrapCommand(term.wrapCommand(command(0, 0xb0, 0x82, 0, Buffer.alloc(0), 0xdf)));
    expect(() => term.unwrapResponse(r1)).toThrow(SmError);
  });
});
