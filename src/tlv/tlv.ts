/**
 * BER-TLV as used by ISO/IEC 7816-4 and BSI TR-03110-3 (appendix D.2), which
 * requires DER: definite lengths only. Tags are kept as the unsigned integer of
 * their raw bytes (e.g. 0x7F21 for the CV certificate, 0x5F37 for its signature),
 * which is how the TRs name them.
 */
import { TlvError } from './errors.js';

/** One decoded data object. `raw` is the exact encoding (tag, length, value). */
export interface Tlv {
  readonly tag: number;
  readonly value: Buffer;
  readonly raw: Buffer;
}

/** Largest tag we accept: four tag bytes (ISO 7816-4 allows at most three). */
const MAX_TAG_BYTES = 4;
/** Largest length field: 0x84 + four bytes. */
const MAX_LENGTH_BYTES = 4;
/** Nesting limit for recursive walks, so hostile input cannot exhaust the stack. */
export const MAX_DEPTH = 32;

/** Bit 6 of the first tag byte marks a constructed encoding (X.690 §8.1.2.5). */
export function isConstructed(tag: number): boolean {
  let first = tag;
  while (first > 0xff) first = Math.floor(first / 256);
  return (first & 0x20) !== 0;
}

interface Header {
  tag: number;
  length: number;
  headerLength: number;
}

function readHeader(buf: Buffer, offset: number): Header {
  const end = buf.length;
  if (offset >= end) throw new TlvError('truncated', `no tag at offset ${offset}`);
  let pos = offset;
  const first = buf[pos++]!;
  if (first === 0x00 || first === 0xff) {
    throw new TlvError('invalid-tag', `invalid tag byte 0x${first.toString(16)} at offset ${offset}`);
  }
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    // Subsequent tag bytes: bit 8 set on all but the last (X.690 §8.1.2.4.2).
    let count = 1;
    for (;;) {
      if (pos >= end) throw new TlvError('truncated', `tag at offset ${offset} is cut off`);
      const b = buf[pos++]!;
      if (count === 1 && b === 0x80) {
        throw new TlvError('invalid-tag', `non-minimal tag at offset ${offset}`);
      }
      tag = tag * 256 + b;
      count++;
      if (count > MAX_TAG_BYTES) throw new TlvError('invalid-tag', `tag at offset ${offset} is too long`);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= end)
    throw new TlvError('truncated', `no length for tag 0x${tag.toString(16)} at offset ${offset}`);
  const l0 = buf[pos++]!;
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    throw new TlvError(
      'indefinite-length',
      `indefinite length at offset ${offset} (DER requires definite lengths)`,
    );
  } else {
    const n = l0 & 0x7f;
    if (n > MAX_LENGTH_BYTES)
      throw new TlvError('invalid-length', `length field of ${n} bytes at offset ${offset}`);
    if (pos + n > end) throw new TlvError('truncated', `length field at offset ${offset} is cut off`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++]!;
  }
  const headerLength = pos - offset;
  if (length > end - pos) {
    throw new TlvError(
      'truncated',
      `tag 0x${tag.toString(16)} at offset ${offset} announces ${length} bytes, ${end - pos} remain`,
    );
  }
  return { tag, length, headerLength };
}

/** Reads the data object starting at `offset`; returns it and the offset after it. */
export function readTlv(buf: Buffer, offset = 0): { tlv: Tlv; next: number } {
  const h = readHeader(buf, offset);
  const start = offset + h.headerLength;
  const next = start + h.length;
  return { tlv: { tag: h.tag, value: buf.subarray(start, next), raw: buf.subarray(offset, next) }, next };
}

/** Decodes exactly one data object; anything after it is an error. */
export function parseTlv(buf: Buffer): Tlv {
  const { tlv, next } = readTlv(buf, 0);
  if (next !== buf.length) {
    throw new TlvError('trailing-data', `${buf.length - next} bytes after tag 0x${tlv.tag.toString(16)}`);
  }
  return tlv;
}

/** Decodes a concatenation of data objects filling the whole buffer. */
export function parseTlvList(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const { tlv, next } = readTlv(buf, pos);
    out.push(tlv);
    pos = next;
  }
  return out;
}

/** The children of a constructed data object. */
export function childrenOf(tlv: Tlv): Tlv[] {
  if (!isConstructed(tlv.tag)) {
    throw new TlvError('not-constructed', `tag 0x${tlv.tag.toString(16)} is primitive`);
  }
  return parseTlvList(tlv.value);
}

/**
 * Checks that a whole tree decodes, to `maxDepth` levels of nesting. Use it on
 * untrusted input before walking it lazily with `childrenOf`.
 */
export function validateTree(buf: Buffer, maxDepth = MAX_DEPTH): void {
  const walk = (b: Buffer, depth: number): void => {
    if (depth > maxDepth) throw new TlvError('too-deep', `nesting deeper than ${maxDepth}`);
    for (const t of parseTlvList(b)) if (isConstructed(t.tag)) walk(t.value, depth + 1);
  };
  walk(buf, 0);
}

export function encodeTag(tag: number): Buffer {
  if (!Number.isSafeInteger(tag) || tag <= 0) throw new TlvError('invalid-tag', `cannot encode tag ${tag}`);
  const bytes: number[] = [];
  let t = tag;
  while (t > 0) {
    bytes.unshift(t % 256);
    t = Math.floor(t / 256);
  }
  return Buffer.from(bytes);
}

/** DER length: the shortest form (X.690 §10.1). */
export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  let l = length;
  while (l > 0) {
    bytes.unshift(l % 256);
    l = Math.floor(l / 256);
  }
  if (bytes.length > MAX_LENGTH_BYTES) throw new TlvError('invalid-length', `length ${length} too large`);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes a data object; an array value is concatenated (a constructed object's children). */
export function tlv(tag: number, value: Uint8Array | readonly Uint8Array[]): Buffer {
  const v =
    value instanceof Uint8Array
      ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
      : Buffer.concat(value);
  return Buffer.concat([encodeTag(tag), encodeLength(v.length), v]);
}

/** The first child with `tag`, or undefined. */
export function findTlv(list: readonly Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

/** The first child with `tag`; a typed error names what is missing. */
export function requireTlv(list: readonly Tlv[], tag: number, what: string): Tlv {
  const t = findTlv(list, tag);
  if (!t) throw new TlvError('missing-element', `${what} (tag 0x${tag.toString(16)}) is missing`);
  return t;
}

/** Decodes `buf` as one object and checks its tag. */
export function expectTlv(buf: Buffer, tag: number, what: string): Tlv {
  const t = parseTlv(buf);
  if (t.tag !== tag) {
    throw new TlvError(
      'unexpected-tag',
      `${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`,
    );
  }
  return t;
}
