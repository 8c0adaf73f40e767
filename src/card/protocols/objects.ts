/** Reading the protocol data objects inside 7C (TR-03110-3 B.14: receivers SHOULD accept any order). */
import { SW } from '../../apdu/status.js';
import type { Tlv } from '../../tlv/tlv.js';
import { fail } from '../errors.js';

/** The data objects among `tags`, each at most once; anything else is 6A80. */
export function expectObjects(
  dos: readonly Tlv[],
  tags: readonly number[],
  what: string,
): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const d of dos) {
    if (!tags.includes(d.tag) || out.has(d.tag))
      fail(SW.WRONG_DATA, `${what}: unexpected data object ${d.tag.toString(16)}`);
    out.set(d.tag, d.value);
  }
  return out;
}
