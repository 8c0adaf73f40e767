import { randomBytes } from 'node:crypto';
import { type Curve, toBigInt } from './curves.js';

/** A uniformly random scalar in [1, n-1] (rejection sampling). */
export function randomScalar(curve: Curve): bigint {
  const len = curve.size + 8;
  for (;;) {
    const k = toBigInt(randomBytes(len)) % curve.n;
    if (k !== 0n) return k;
  }
}

/** A random hex string of `bytes` bytes (session ids, nonces). */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
