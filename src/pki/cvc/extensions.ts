/**
 * Certificate extensions (TR-03110-3 C.3): 65 { 73 { 06 OID, 80.., 81.. } ... }.
 * id-description (C.3.1 via TR-03110-4 §2.2.6) carries the hash of the
 * CertificateDescription in tag 80; id-sector carries sector public key hashes.
 */
import { oid, readOid } from '../../asn1/der.js';
import { childrenOf, type Tlv, tlv } from '../../tlv/tlv.js';
import { CvcError } from './errors.js';

export interface CvExtension {
  readonly oid: string;
  /** The context-specific data objects after the OID, in order. */
  readonly objects: readonly Tlv[];
}

export function decodeExtensions(t: Tlv): CvExtension[] {
  if (t.tag !== 0x65) throw new CvcError('malformed', 'not a certificate extensions object (65)');
  return childrenOf(t).map((ddt) => {
    if (ddt.tag !== 0x73)
      throw new CvcError('malformed', 'extension is not a discretionary data template (73)');
    const [first, ...rest] = childrenOf(ddt);
    if (!first) throw new CvcError('malformed', 'empty extension');
    return { oid: readOid(first, 'extension OID'), objects: rest };
  });
}

export function encodeExtension(
  extOid: string,
  objects: readonly { tag: number; value: Uint8Array }[],
): Buffer {
  return tlv(0x73, [oid(extOid), ...objects.map((o) => tlv(o.tag, o.value))]);
}

export function encodeExtensions(exts: readonly Buffer[]): Buffer {
  return tlv(0x65, exts);
}
