/**
 * The batched data-group reader (B.9): first batch SELECT + first bytes of
 * each DG, second batch the rest; 6A82 / 6982 reported per data group.
 * A tiny file system stands in for the card (ISO 7816-4 READ BINARY with
 * short EF identifier and current-EF offsets).
 */
import { describe, expect, it } from 'vitest';
import type { CommandApdu, ResponseApdu } from '../../src/apdu/apdu.js';
import {
  applyDataGroupResponses,
  assembleDataGroup,
  EID_AID,
  isReadComplete,
  planDataGroupReads,
  tlvTotalLength,
} from '../../src/eac/read.js';
import { tlv } from '../../src/tlv/tlv.js';
import { apduHex, codeOf } from './helpers.js';

class Files {
  current?: number;
  constructor(
    readonly files: Map<number, Buffer>,
    readonly denied: Set<number> = new Set(),
  ) {}

  answer(c: CommandApdu): ResponseApdu {
    const sw = (n: number, data: Buffer = Buffer.alloc(0)) => ({ data, sw: n });
    if (c.ins === 0xa4 && c.p1 === 0x04) return c.data.equals(EID_AID) ? sw(0x9000) : sw(0x6a82);
    if (c.ins === 0xa4 && c.p1 === 0x02) {
      const dg = c.data.readUInt16BE(0) - 0x100;
      if (!this.files.has(dg)) return sw(0x6a82);
      this.current = dg;
      return sw(0x9000);
    }
    if (c.ins !== 0xb0) return sw(0x6d00);
    let offset: number;
    if (c.p1 & 0x80) {
      const dg = c.p1 & 0x1f;
      if (!this.files.has(dg)) return sw(0x6a82);
      if (this.denied.has(dg)) return sw(0x6982);
      this.current = dg;
      offset = c.p2;
    } else {
      offset = (c.p1 << 8) | c.p2;
    }
    const f = this.files.get(this.current!)!;
    if (offset >= f.length) return sw(0x6b00);
    const data = f.subarray(offset, offset + c.ne);
    return sw(data.length < c.ne ? 0x6282 : 0x9000, data);
  }

  run(cmds: readonly CommandApdu[]): ResponseApdu[] {
    return cmds.map((c) => this.answer(c));
  }
}

const dg = (n: number, len: number) => tlv(0x60 + n, Buffer.alloc(len, n));

describe('tlvTotalLength', () => {
  it.each([
    ['6403010203', 5],
    ['6481C8', 3 + 200],
    ['6E820400', 4 + 1024],
    ['5F1F01AA', 4],
    ['64', undefined],
    ['6E8204', undefined],
  ])('%s → %s', (h, n) => {
    expect(tlvTotalLength(Buffer.from(h, 'hex'))).toBe(n);
  });

  it('refuses indefinite lengths', async () => {
    expect(await codeOf(() => tlvTotalLength(Buffer.from('6480', 'hex')))).toBe('malformed-response');
  });
});

describe('planDataGroupReads', () => {
  const files = new Map([
    [4, dg(4, 20)],
    [14, dg(14, 1000)],
    [17, dg(17, 0xdf - 3)], // exactly one chunk
  ]);

  it('plans SELECT + one 0xDF read per DG, then the rest, and reports a missing DG', () => {
    const card = new Files(files);
    let state = planDataGroupReads([4, 14, 17, 18], { firstChunk: 0xdf });
    expect(state.commands.map((c) => apduHex(c.command))).toEqual([
      '00A4040C09E80704007F00070302',
      '00B08400DF',
      '00B08E00DF',
      '00B09100DF',
      '00B09200DF',
    ]);
    state = applyDataGroupResponses(state, card.run(state.commands.map((c) => c.command)));
    expect([...state.results.keys()].sort((a, b) => a - b)).toEqual([4, 17, 18]);
    expect(state.results.get(18)).toEqual({ dg: 18, status: 'not-found', sw: 0x6a82 });
    expect(state.results.get(4)).toEqual({ dg: 4, status: 'ok', content: files.get(4) });
    // DG14: 1004 bytes, 0xDF read: the rest at 0xDF (SFI), 0x1BE, 0x29D, 0x37C (current EF)
    expect(state.commands.map((c) => apduHex(c.command))).toEqual([
      '00B08EDFDF',
      '00B001BEDF',
      '00B0029DDF',
      '00B0037C70',
    ]);
    state = applyDataGroupResponses(state, card.run(state.commands.map((c) => c.command)));
    expect(isReadComplete(state)).toBe(true);
    expect(state.results.get(14)).toEqual({ dg: 14, status: 'ok', content: files.get(14) });
  });

  it('reads the rest with one extended APDU when allowed', () => {
    const card = new Files(files);
    let state = planDataGroupReads([14], { firstChunk: 16, extended: true, selectApplication: false });
    expect(state.commands.map((c) => apduHex(c.command))).toEqual(['00B08E0010']);
    state = applyDataGroupResponses(state, card.run(state.commands.map((c) => c.command)));
    expect(state.commands.map((c) => apduHex(c.command))).toEqual(['00B08E100003DC']); // case 2E: Le = 00 03DC
    state = applyDataGroupResponses(state, card.run(state.commands.map((c) => c.command)));
    expect(state.results.get(14)).toEqual({ dg: 14, status: 'ok', content: files.get(14) });
  });

  it('reads everything in the first batch with a 65536-byte extended read', () => {
    const card = new Files(files);
    let state = planDataGroupReads([14, 4], { firstChunk: 65536, extended: true });
    state = applyDataGroupResponses(state, card.run(state.commands.map((c) => c.command)));
    expect(isReadComplete(state)).toBe(true);
    expect(state.results.get(14)).toMatchObject({ status: 'ok' });
  });

  it('reports 6982 per data group and a batch the client stopped early', () => {
    const card = new Files(files, new Set([14]));
    let state = planDataGroupReads([4, 14, 17], { firstChunk: 0xdf });
    const responses = card.run(state.commands.map((c) => c.command)).slice(0, 3);
    state = applyDataGroupResponses(state, responses);
    expect(state.results.get(14)).toEqual({ dg: 14, status: 'access-denied', sw: 0x6982 });
    expect(state.results.get(17)).toMatchObject({ status: 'failed' });
    expect(isReadComplete(state)).toBe(true);
  });

  it('fails a data group whose file ends before its TLV length', () => {
    const short = new Files(
      new Map([[5, Buffer.concat([Buffer.from([0x65, 0x82, 0x01, 0x00]), Buffer.alloc(100)])]]),
    );
    let state = planDataGroupReads([5], { firstChunk: 0xdf, selectApplication: false });
    state = applyDataGroupResponses(state, short.run(state.commands.map((c) => c.command)));
    expect(state.results.get(5)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/ends after 104 of 260/),
    });
  });

  it('fails a data group with bytes after its TLV object', () => {
    const padded = new Files(new Map([[5, Buffer.concat([dg(5, 3), Buffer.alloc(4)])]]));
    let state = planDataGroupReads([5], { firstChunk: 0xdf, selectApplication: false });
    state = applyDataGroupResponses(state, padded.run(state.commands.map((c) => c.command)));
    expect(state.results.get(5)).toMatchObject({ status: 'failed' });
  });

  it('throws when SELECT of the eID application fails', async () => {
    const state = planDataGroupReads([4], { firstChunk: 0xdf });
    expect(
      await codeOf(() =>
        applyDataGroupResponses(state, [
          { data: Buffer.alloc(0), sw: 0x6a82 },
          { data: Buffer.alloc(0), sw: 0x6a82 },
        ]),
      ),
    ).toBe('file-not-found');
  });

  it('refuses bad options', async () => {
    expect(await codeOf(() => planDataGroupReads([4], { firstChunk: 0xe0 }))).toBe('invalid-argument');
    expect(await codeOf(() => planDataGroupReads([4, 4], { firstChunk: 8 }))).toBe('invalid-argument');
    expect(await codeOf(() => planDataGroupReads([23], { firstChunk: 8 }))).toBe('invalid-argument');
  });
});

describe('assembleDataGroup', () => {
  it('joins chunks in offset order and refuses gaps', async () => {
    const a = { offset: 0, data: Buffer.from('ab') };
    const b = { offset: 2, data: Buffer.from('cd') };
    expect(assembleDataGroup([b, a]).toString()).toBe('abcd');
    expect(await codeOf(() => assembleDataGroup([a, { offset: 3, data: Buffer.from('d') }]))).toBe(
      'malformed-response',
    );
  });
});
