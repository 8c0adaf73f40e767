import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ATR } from '../../src/card/atr.js';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { connectVpcd, type VpcdConnection } from '../../src/card/vpcd.js';
import { makeCard, makePki } from './support/pki.js';
import { hex } from './support/terminal.js';

/** A fake vpcd: accepts the card's connections and speaks the length-prefixed protocol. */
class FakeVpcd {
  readonly sockets: Socket[] = [];
  private readonly waiting: ((s: Socket) => void)[] = [];
  private readonly inbox = new Map<
    Socket,
    { buf: Buffer; waiters: ((b: Buffer) => void)[]; msgs: Buffer[] }
  >();
  constructor(readonly server: Server) {
    server.on('connection', (s) => {
      this.sockets.push(s);
      const box = { buf: Buffer.alloc(0), waiters: [] as ((b: Buffer) => void)[], msgs: [] as Buffer[] };
      this.inbox.set(s, box);
      s.on('data', (d) => {
        box.buf = Buffer.concat([box.buf, d]);
        while (box.buf.length >= 2 && box.buf.length >= 2 + box.buf.readUInt16BE(0)) {
          const msg = box.buf.subarray(2, 2 + box.buf.readUInt16BE(0));
          box.buf = box.buf.subarray(2 + msg.length);
          const w = box.waiters.shift();
          if (w) w(msg);
          else box.msgs.push(msg);
        }
      });
      const w = this.waiting.shift();
      if (w) w(s);
    });
  }
  static async start(): Promise<FakeVpcd> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return new FakeVpcd(server);
  }
  get port(): number {
    return (this.server.address() as { port: number }).port;
  }
  nextConnection(): Promise<Socket> {
    const unseen = this.sockets.find((s) => !this.claimed.has(s));
    if (unseen) {
      this.claimed.add(unseen);
      return Promise.resolve(unseen);
    }
    return new Promise((r) =>
      this.waiting.push((s) => {
        this.claimed.add(s);
        r(s);
      }),
    );
  }
  private readonly claimed = new Set<Socket>();
  send(s: Socket, payload: Buffer): void {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(payload.length);
    s.write(Buffer.concat([len, payload]));
  }
  receive(s: Socket): Promise<Buffer> {
    const box = this.inbox.get(s)!;
    const m = box.msgs.shift();
    return m ? Promise.resolve(m) : new Promise((r) => box.waiters.push(r));
  }
  async exchange(s: Socket, payload: Buffer): Promise<Buffer> {
    this.send(s, payload);
    return this.receive(s);
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let vpcd: FakeVpcd | undefined;
let conn: VpcdConnection | undefined;
afterEach(async () => {
  await conn?.close();
  await vpcd?.close();
  conn = undefined;
  vpcd = undefined;
});

describe('vpcd protocol (vsmartcard virtual reader)', () => {
  it('answers GET ATR, power on/reset and APDUs, and reconnects after the reader goes away', async () => {
    const json = makeCard(makePki());
    const card = VirtualCard.fromJson(json);
    vpcd = await FakeVpcd.start();
    conn = connectVpcd(card, { port: vpcd.port, reconnectDelayMs: 20 });
    const s = await vpcd.nextConnection();
    await conn.waitConnected();
    expect(conn.connected).toBe(true);
    expect(await vpcd.exchange(s, Buffer.from([0x04]))).toEqual(ATR);
    vpcd.send(s, Buffer.from([0x01])); // power on: no answer
    const select = await vpcd.exchange(s, hex('00A4020C02011C'));
    expect(select).toEqual(hex('9000'));
    const read = await vpcd.exchange(s, hex('00B0000000'));
    expect(read).toEqual(Buffer.concat([hex(json.files.cardAccess), hex('9000')]));
    // Reset: the MF is selected again, so the EF must be selected anew.
    vpcd.send(s, Buffer.from([0x02]));
    expect(await vpcd.exchange(s, hex('00B0000001'))).toEqual(hex('6986'));
    vpcd.send(s, Buffer.from([0x00])); // power off
    // Two messages in one TCP segment are both answered, in order.
    const both = Buffer.concat([hex('0001 04'), hex('0005 00B09C0001')]);
    s.write(both);
    expect(await vpcd.receive(s)).toEqual(ATR);
    expect(await vpcd.receive(s)).toEqual(
      Buffer.concat([hex(json.files.cardAccess).subarray(0, 1), hex('9000')]),
    );
    // The reader restarts: the card connects again.
    s.destroy();
    const s2 = await vpcd.nextConnection();
    expect(await vpcd.exchange(s2, Buffer.from([0x04]))).toEqual(ATR);
    await conn.close();
    expect(conn.connected).toBe(false);
  });

  it('keeps trying until vpcd listens', async () => {
    const probe = await FakeVpcd.start();
    const port = probe.port;
    await probe.close();
    const card = VirtualCard.fromJson(makeCard(makePki()));
    conn = connectVpcd(card, { port, reconnectDelayMs: 20 });
    await new Promise((r) => setTimeout(r, 80));
    expect(conn.connected).toBe(false);
    const server = createServer();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    vpcd = new FakeVpcd(server);
    const s = await vpcd.nextConnection();
    expect(await vpcd.exchange(s, Buffer.from([0x04]))).toEqual(ATR);
  });
});
