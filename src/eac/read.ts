/**
 * Reading data groups of the eID application in batches (TR-03110-3 B.9),
 * as a remote terminal does through the eID-Client: the first batch selects
 * the application and reads the first bytes of every data group, which tell
 * the TLV length of its content; the second batch reads the rest. Status
 * words 6A82 (no such file) and 6982 (not in the effective authorization)
 * are reported per data group: the caller decides what they mean.
 *
 * This only moves bytes: every data group must still be checked against the
 * hashes of the signed security object by the caller.
 */
import type { ResponseApdu } from '../apdu/apdu.js';
import { SW, swHex } from '../apdu/status.js';
import { EacError } from './errors.js';
import {
  dataGroupFile,
  EXTENDED_READ_MAX,
  MAX_EVEN_OFFSET,
  type ReadStep,
  readRangeSteps,
  SHORT_READ_MAX,
  selectEidApplication,
} from './read-commands.js';
import { statusError } from './status.js';

export * from './read-commands.js';

/** A piece of a file: `data` read from `offset`. */
export interface Chunk {
  readonly offset: number;
  readonly data: Buffer;
}

/**
 * Total size (header + value) of the DER object a file starts with, from its
 * first bytes; undefined when `prefix` is too short to tell.
 */
export function tlvTotalLength(prefix: Buffer): number | undefined {
  if (prefix.length === 0) return undefined;
  const first = prefix[0]!;
  if (first === 0x00 || first === 0xff)
    throw new EacError('malformed-response', `invalid tag byte ${first.toString(16)}`);
  let pos = 1;
  if ((first & 0x1f) === 0x1f) {
    for (;;) {
      if (pos >= prefix.length) return undefined;
      const b = prefix[pos++]!;
      if (pos > 4) throw new EacError('malformed-response', 'tag longer than 3 bytes');
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= prefix.length) return undefined;
  const l0 = prefix[pos++]!;
  if (l0 < 0x80) return pos + l0;
  const n = l0 & 0x7f;
  if (n === 0 || n > 3) throw new EacError('malformed-response', 'indefinite or oversized length field');
  if (pos + n > prefix.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + prefix[pos++]!;
  return pos + len;
}

/** Joins the chunks of one file; they must cover it from offset 0 without gap or overlap. */
export function assembleDataGroup(chunks: readonly Chunk[]): Buffer {
  const sorted = [...chunks].sort((a, b) => a.offset - b.offset);
  let pos = 0;
  for (const c of sorted) {
    if (c.offset !== pos)
      throw new EacError('malformed-response', `chunk at offset ${c.offset}, expected ${pos}`);
    pos += c.data.length;
  }
  return Buffer.concat(sorted.map((c) => c.data));
}

export type DataGroupResult =
  | { readonly dg: number; readonly status: 'ok'; readonly content: Buffer }
  /** 6A82 / 6982 from SELECT or READ BINARY. */
  | { readonly dg: number; readonly status: 'not-found' | 'access-denied'; readonly sw: number }
  | { readonly dg: number; readonly status: 'failed'; readonly reason: string; readonly sw?: number };

export interface PlannedCommand extends ReadStep {
  /** The data group read, or undefined for SELECT of the eID application. */
  readonly dg?: number;
}

export interface DataGroupReadOptions {
  /** Bytes of the first read of every data group (enough for its TLV header; at most 0xDF, or 65536 when extended). */
  readonly firstChunk: number;
  /** Bytes per further short read (default 0xDF). */
  readonly chunk?: number;
  /** Read the rest (or, with a large firstChunk, everything) with extended length (B.12). */
  readonly extended?: boolean;
  /** Start the first batch with SELECT of the eID application (default true). */
  readonly selectApplication?: boolean;
}

interface PartialFile {
  readonly total?: number;
  readonly chunks: readonly Chunk[];
}

/** Where a batched read stands; plain data, so a server can keep it between round trips. */
export interface DataGroupReadState {
  /** The batch to send now; empty when every data group has a result. */
  readonly commands: readonly PlannedCommand[];
  readonly results: ReadonlyMap<number, DataGroupResult>;
  readonly partial: ReadonlyMap<number, PartialFile>;
  readonly options: DataGroupReadOptions;
}

function checkOptions(o: DataGroupReadOptions): void {
  const max = o.extended ? EXTENDED_READ_MAX : SHORT_READ_MAX;
  if (!Number.isInteger(o.firstChunk) || o.firstChunk < 1 || o.firstChunk > max) {
    throw new EacError('invalid-argument', `firstChunk must be 1..${max}`);
  }
  if (o.chunk !== undefined && (!Number.isInteger(o.chunk) || o.chunk < 1 || o.chunk > SHORT_READ_MAX)) {
    throw new EacError('invalid-argument', `chunk must be 1..${SHORT_READ_MAX}`);
  }
}

/** One response of a data-group read: the grown partial file, or the data group's final failure. */
function absorb(
  step: ReadStep,
  dg: number,
  r: ResponseApdu | undefined,
  p: PartialFile,
): PartialFile | DataGroupResult {
  const failed = (reason: string, sw?: number): DataGroupResult => ({
    dg,
    status: 'failed',
    reason,
    ...(sw === undefined ? {} : { sw }),
  });
  if (!r) return failed('the command was not executed (batch stopped early)');
  if (r.sw === SW.FILE_NOT_FOUND) return { dg, status: 'not-found', sw: r.sw };
  if (r.sw === SW.SECURITY_STATUS_NOT_SATISFIED) return { dg, status: 'access-denied', sw: r.sw };
  if (step.kind === 'select-file') return r.sw === SW.OK ? p : failed(`SELECT answered ${swHex(r.sw)}`, r.sw);
  if (r.sw !== SW.OK && r.sw !== SW.END_OF_FILE) return failed(`READ BINARY answered ${swHex(r.sw)}`, r.sw);
  if (r.data.length > step.length)
    return failed(`READ BINARY returned ${r.data.length} bytes for ${step.length}`);
  const chunks = [...p.chunks, { offset: step.offset, data: Buffer.from(r.data) }];
  let total = p.total;
  if (step.offset === 0) {
    try {
      total = tlvTotalLength(r.data);
    } catch (e) {
      if (e instanceof EacError) return failed(e.message);
      throw e;
    }
    if (total === undefined) return failed('the first read is too short for the TLV header');
  }
  const got = chunks.reduce((n, c) => n + c.data.length, 0);
  if (r.data.length < step.length && total !== undefined && got < total) {
    return failed(`the file ends after ${got} of ${total} bytes`);
  }
  return { ...(total === undefined ? {} : { total }), chunks };
}

/** The first batch: SELECT of the eID application, then the first `firstChunk` bytes of each data group. */
export function planDataGroupReads(
  dgs: readonly number[],
  options: DataGroupReadOptions,
): DataGroupReadState {
  checkOptions(options);
  if (new Set(dgs).size !== dgs.length)
    throw new EacError('invalid-argument', 'a data group is listed twice');
  const commands: PlannedCommand[] = [];
  if (options.selectApplication ?? true) {
    commands.push({ command: selectEidApplication(), kind: 'select-file', offset: 0, length: 0 });
  }
  const partial = new Map<number, PartialFile>();
  for (const dg of dgs) {
    const [step] = readRangeSteps(dataGroupFile(dg), {
      offset: 0,
      length: options.firstChunk,
      extended: options.extended ?? false,
    });
    commands.push({ ...step!, dg });
    partial.set(dg, { chunks: [] });
  }
  return { commands, results: new Map(), partial, options };
}

/**
 * Takes the responses to `state.commands` (in order; fewer when the client
 * stopped early) and returns the next state: results for the data groups
 * that are complete or failed, and the batch reading the remaining bytes.
 * Throws only when the SELECT of the eID application fails.
 */
export function applyDataGroupResponses(
  state: DataGroupReadState,
  responses: readonly ResponseApdu[],
): DataGroupReadState {
  if (responses.length > state.commands.length) {
    throw new EacError(
      'malformed-response',
      `${responses.length} responses to ${state.commands.length} commands`,
    );
  }
  const results = new Map(state.results);
  const partial = new Map(state.partial);
  const fail = (dg: number, r: DataGroupResult) => {
    if (!results.has(dg)) results.set(dg, r);
    partial.delete(dg);
  };

  state.commands.forEach((step, i) => {
    const r = responses[i];
    if (step.dg === undefined) {
      if (!r) throw new EacError('malformed-response', 'no response to SELECT of the eID application');
      if (r.sw !== SW.OK) throw statusError(r.sw, 'SELECT eID application');
      return;
    }
    const p = partial.get(step.dg);
    if (!p) return; // already has a result
    const next = absorb(step, step.dg, r, p);
    if ('status' in next) fail(step.dg, next);
    else partial.set(step.dg, next);
  });

  const commands: PlannedCommand[] = [];
  for (const [dg, p] of [...partial]) {
    const got = p.chunks.reduce((n, c) => n + c.data.length, 0);
    const total = p.total!;
    if (got > total) {
      fail(dg, { dg, status: 'failed', reason: `the file holds ${got - total} bytes after its TLV object` });
    } else if (got === total) {
      results.set(dg, { dg, status: 'ok', content: assembleDataGroup(p.chunks) });
      partial.delete(dg);
    } else if (!state.options.extended && total - 1 > MAX_EVEN_OFFSET) {
      fail(dg, {
        dg,
        status: 'failed',
        reason: `${total} bytes need an extended read (offsets above ${MAX_EVEN_OFFSET})`,
      });
    } else if (state.options.extended && (total - got > EXTENDED_READ_MAX || got > MAX_EVEN_OFFSET)) {
      fail(dg, { dg, status: 'failed', reason: `${total} bytes exceed one extended read` });
    } else {
      const steps = readRangeSteps(dataGroupFile(dg), {
        offset: got,
        length: total - got,
        extended: state.options.extended ?? false,
        ...(state.options.chunk === undefined ? {} : { chunk: state.options.chunk }),
      });
      for (const s of steps) commands.push({ ...s, dg });
    }
  }
  return { commands, results, partial, options: state.options };
}

/** True when every data group has a result. */
export const isReadComplete = (state: DataGroupReadState): boolean =>
  state.commands.length === 0 && state.partial.size === 0;
