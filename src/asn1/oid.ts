/** OBJECT IDENTIFIER content octets (X.690 §8.19), to and from dotted strings. */
import { TlvError } from '../tlv/errors.js';

export function encodeOidValue(oid: string): Buffer {
  const parts = oid.split('.').map((p) => {
    if (!/^\d+$/.test(p)) throw new TlvError('invalid-tag', `invalid OID ${oid}`);
    return BigInt(p);
  });
  if (parts.length < 2) throw new TlvError('invalid-tag', `invalid OID ${oid}`);
  const out: number[] = [];
  const arcs = [parts[0]! * 40n + parts[1]!, ...parts.slice(2)];
  for (const arc of arcs) {
    const bytes: number[] = [Number(arc & 0x7fn)];
    let a = arc >> 7n;
    while (a > 0n) {
      bytes.unshift(Number(a & 0x7fn) | 0x80);
      a >>= 7n;
    }
    out.push(...bytes);
  }
  return Buffer.from(out);
}

export function decodeOidValue(value: Buffer): string {
  if (value.length === 0) throw new TlvError('invalid-length', 'empty OID');
  if (value[value.length - 1]! & 0x80) throw new TlvError('truncated', 'OID ends inside an arc');
  const arcs: bigint[] = [];
  let acc = 0n;
  let fresh = true;
  for (const b of value) {
    if (fresh && b === 0x80) throw new TlvError('invalid-tag', 'non-minimal OID arc');
    acc = (acc << 7n) | BigInt(b & 0x7f);
    fresh = false;
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0n;
      fresh = true;
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}
