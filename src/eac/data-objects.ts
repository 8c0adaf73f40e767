/** Value encodings of TR-03110-3 D.2.1 used in command data objects. */
import { EacError } from './errors.js';

/** An unsigned integer in the fewest octets (D.2.1.1). */
export function unsignedInteger(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new EacError('invalid-argument', `not an unsigned integer: ${n}`);
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return Buffer.from(bytes);
}
