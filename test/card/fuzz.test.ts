import { beforeAll, describe, expect, it } from 'vitest';
import { type CommandApdu, encodeCommand } from '../../src/apdu/apdu.js';
import type { CardTransport } from '../../src/apdu/transport.js';
import { OID } from '../../src/asn1/oids.js';
import type { CardFileJson } from '../../src/card/card-file.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { generateEcKeyPair } from '../../src/crypto/keys.js';
import { sectorPublicKeyObject } from '../../src/pki/cvc/issue.js';
import { chatFor } from '../../src/profile/authorization.js';
import { tlv } from '../../src/tlv/tlv.js';
import { chainOf, eac } from './support/eac.js';
import { makeCard, makePki, makeTerminal, type TestPki } from './support/pki.js';
import { auxData, TestTerminal } from './support/terminal.js';

let pki: TestPki;
let cardJson: CardFileJson;
beforeAll(() => {
  pki = makePki();
  cardJson = makeCard(pki);
});

/** xorshift32: reproducible fuzzing. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const int = (n: number) => next() % n;
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { int, pick, bytes };
}
type Rng = ReturnType<typeof prng>;

const INS = [0xa4, 0xb0, 0x22, 0x86, 0x2a, 0x84, 0x82, 0x20, 0x2c, 0xb1, 0xca, 0x88, 0x00];
const TAGS = [
  0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x91, 0x67, 0x73, 0x53, 0x06, 0x7c, 0xa0, 0xa2, 0x7f4c, 0x7f4e,
  0x5f37, 0x7f49, 0x65,
];
const P1P2 = [
  0xc1a4, 0x81b6, 0x81a4, 0x41a4, 0x00be, 0x0000, 0x8000, 0x0303, 0x0203, 0x020c, 0x040c, 0x000c, 0x9c00,
  0x8400,
];

function randomData(r: Rng, depth = 0): Buffer {
  switch (r.int(depth > 2 ? 3 : 5)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return r.bytes(r.int(80));
    case 2:
      return tlv(r.pick(TAGS), r.bytes(r.int(70)));
    default: {
      const n = 1 + r.int(3);
      return Buffer.concat(Array.from({ length: n }, () => tlv(r.pick(TAGS), randomData(r, depth + 1))));
    }
  }
}

function randomCommand(r: Rng): CommandApdu {
  const p1p2 = r.int(3) ? r.pick(P1P2) : r.int(0x10000);
  return {
    cla: r.pick([0x00, 0x10, 0x80, 0x00, 0x00]),
    ins: r.int(6) ? r.pick(INS) : r.int(256),
    p1: p1p2 >> 8,
    p2: p1p2 & 0xff,
    data: randomData(r),
    ne: r.pick([0, 0, 1, 8, 0xdf, 256, 65536, r.int(300)]),
  };
}

function checkResponse(raw: Buffer): number {
  expect(raw.length).toBeGreaterThanOrEqual(2);
  const sw = raw.readUInt16BE(raw.length - 2);
  expect([0x61, 0x62, 0x63, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6d, 0x6e, 0x90]).toContain(sw >> 8);
  expect(sw).not.toBe(0x6f00);
  return sw;
}

/** A terminal that corrupts the n-th command it sends (before secure messaging protects it). */
class MutatingTerminal extends TestTerminal {
  private sent = 0;
  constructor(
    card: CardTransport,
    private readonly target: number,
    private readonly r: Rng,
  ) {
    super(card);
  }
  override async send(c: CommandApdu, opts: { extended?: boolean } = {}) {
    if (this.sent++ !== this.target) return super.send(c, opts);
    const data = Buffer.from(c.data);
    let m: CommandApdu;
    switch (this.r.int(5)) {
      case 0:
        if (data.length) data[this.r.int(data.length)]! ^= 1 << this.r.int(8);
        m = { ...c, data };
        break;
      case 1:
        m = { ...c, data: data.subarray(0, this.r.int(data.length + 1)) };
        break;
      case 2:
        m = { ...c, data: Buffer.concat([data, this.r.bytes(1 + this.r.int(8))]) };
        break;
      case 3:
        m = { ...c, p1: this.r.int(256), p2: this.r.int(256) };
        break;
      default:
        m = { ...c, data: this.r.bytes(data.length), ne: this.r.pick([0, 1, 8, 256, 65536]) };
    }
    return super.send(m, opts);
  }
}

describe('malformed APDUs get ISO status words, never an exception (fuzzing)', () => {
  it('a whole PACE → TA → CA → RI → VERIFY → READ flow with one command corrupted, at every position', async () => {
    const errors: unknown[] = [];
    const r = prng(42);
    const chat = chatFor(['chineseName', 'photo'], ['ageVerification']);
    const sector = generateEcKeyPair(pki.curve);
    const term = makeTerminal(pki, { chat, sectorKey: sector });
    const aux = auxData([[OID.idDateOfBirth, Buffer.from('20000101')]]);
    let positions = 0;
    for (let target = 0; target < 40; target++) {
      for (let round = 0; round < 2; round++) {
        const card = VirtualCard.fromJson(cardJson, { onError: (_m, e) => errors.push(e) });
        const checked = {
          transmit: async (apdu: Buffer) => {
            const raw = await card.transmit(apdu);
            checkResponse(raw);
            return raw;
          },
        };
        const t = new MutatingTerminal(checked, target, r);
        try {
          await eac(t, { chat, chain: chainOf(pki.dv, term), terminalKey: term.key.privateKey, aux });
          await t.ri(sectorPublicKeyObject(pki.curve, sector.publicPoint));
          await t.verify(OID.idDateOfBirth);
          await t.selectEid();
          await t.readEf(14);
        } catch {
          // the terminal gave up: only the card's answers matter here
        }
        positions++;
      }
    }
    expect(errors).toEqual([]);
    expect(positions).toBe(80);
  });

  it('in plain: 3000 random and mutated APDUs', async () => {
    const errors: unknown[] = [];
    const card = VirtualCard.fromJson(cardJson, { onError: (_m, e) => errors.push(e) });
    const r = prng(20261122);
    for (let i = 0; i < 3000; i++) {
      let raw: Buffer;
      if (i % 3 === 0) raw = r.bytes(r.int(300));
      else {
        const c = randomCommand(r);
        try {
          raw = encodeCommand(c, r.int(4) === 0);
        } catch {
          raw = r.bytes(5);
        }
        if (r.int(5) === 0 && raw.length > 4)
          raw = Buffer.concat([raw.subarray(0, r.int(raw.length)), r.bytes(r.int(4))]);
      }
      checkResponse(await card.transmit(raw));
      if (r.int(200) === 0) card.reset();
    }
    expect(errors).toEqual([]);
  });

  it('inside secure messaging: 1500 protected random commands (and some corrupted ones)', async () => {
    const errors: unknown[] = [];
    const card = VirtualCard.fromJson(cardJson, { onError: (_m, e) => errors.push(e) });
    const r = prng(7);
    let t = new TestTerminal(card);
    let sessions = 0;
    for (let i = 0; i < 1500; i++) {
      if (!t.sm) {
        card.reset();
        t = new TestTerminal(card);
        const p = r.int(2)
          ? await t.pace({ password: 'can', secret: '456789' })
          : await t.pace({ password: 'pin', secret: '123456' });
        expect(p.ok).toBe(true);
        sessions++;
      }
      const c = randomCommand(r);
      let wrapped: Buffer;
      try {
        wrapped = encodeCommand(t.sm!.wrapCommand(c), c.data.length > 200 || c.ne > 256);
      } catch {
        continue;
      }
      if (r.int(40) === 0) wrapped[5 + r.int(wrapped.length - 5)]! ^= 1 << r.int(8);
      const raw = await card.transmit(wrapped);
      const sw = checkResponse(raw);
      try {
        t.sm!.unwrapResponse({ data: raw.subarray(0, -2), sw });
      } catch {
        t.sm = undefined; // the card ended the session
      }
    }
    expect(errors).toEqual([]);
    expect(sessions).toBeGreaterThan(0);
  });
});
