/**
 * Dynamic Authentication Data (tag 7C) of General Authenticate
 * (TR-03110-3 B.14.2): the protocol-specific data objects of PACE, Chip
 * Authentication and Restricted Identification travel inside one 7C object.
 */
import type { ResponseApdu } from '../apdu/apdu.js';
import { SW } from '../apdu/status.js';
import { TlvError } from '../tlv/errors.js';
import { childrenOf, parseTlv, type Tlv, tlv } from '../tlv/tlv.js';
import { EacError } from './errors.js';

export const DYNAMIC_AUTHENTICATION_DATA = 0x7c;

/** 7C { objects… } */
export function dynamicAuthenticationData(...objects: Uint8Array[]): Buffer {
  return tlv(DYNAMIC_AUTHENTICATION_DATA, objects);
}

/**
 * The data objects inside the 7C of a successful General Authenticate
 * response. Each tag in `required` must occur exactly once; tags not in
 * `required` or `optional` are refused, as is any TLV defect.
 */
export function parseDynamicAuthenticationData(
  r: ResponseApdu,
  what: string,
  required: readonly number[],
  optional: readonly number[] = [],
): Map<number, Buffer> {
  if (r.sw !== SW.OK) throw new EacError('card-error', `${what}: unexpected status`, { sw: r.sw });
  let kids: Tlv[];
  try {
    const outer = parseTlv(r.data);
    if (outer.tag !== DYNAMIC_AUTHENTICATION_DATA) {
      throw new EacError('malformed-response', `${what}: response is not Dynamic Authentication Data (7C)`);
    }
    kids = childrenOf(outer);
  } catch (e) {
    if (e instanceof TlvError) throw new EacError('malformed-response', `${what}: ${e.message}`);
    throw e;
  }
  const out = new Map<number, Buffer>();
  for (const k of kids) {
    if (!required.includes(k.tag) && !optional.includes(k.tag)) {
      throw new EacError('malformed-response', `${what}: unexpected data object 0x${k.tag.toString(16)}`);
    }
    if (out.has(k.tag))
      throw new EacError('malformed-response', `${what}: data object 0x${k.tag.toString(16)} twice`);
    out.set(k.tag, Buffer.from(k.value));
  }
  for (const t of required) {
    if (!out.has(t))
      throw new EacError('malformed-response', `${what}: data object 0x${t.toString(16)} is missing`);
  }
  return out;
}
