/**
 * CV certificate public keys (TR-03110-3 D.3.3, elliptic curve):
 *
 *   7F49 { 06 algorithm, [81 p, 82 a, 83 b, 84 G, 85 r,] 86 Y, [87 f] }
 *
 * Domain parameters are present in CVCA certificates and absent in DV and
 * terminal certificates, which inherit them from the CVCA.
 */
import { oid, readOid } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import {
  type Curve,
  curveByParameters,
  decodePoint,
  type HashName,
  toBigInt,
  toFixed,
} from '../../crypto/curves.js';
import { childrenOf, findTlv, requireTlv, type Tlv, tlv } from '../../tlv/tlv.js';
import { CvcError } from './errors.js';

const TA_HASH: Record<string, HashName> = {
  [OID.idTaEcdsaSha256]: 'sha256',
  [OID.idTaEcdsaSha384]: 'sha384',
  [OID.idTaEcdsaSha512]: 'sha512',
};

export function taAlgorithmForHash(hash: HashName): string {
  return Object.keys(TA_HASH).find((k) => TA_HASH[k] === hash)!;
}

export function hashOfTaAlgorithm(algorithm: string): HashName {
  const h = TA_HASH[algorithm];
  if (!h)
    throw new CvcError('unsupported-algorithm', `unsupported Terminal Authentication algorithm ${algorithm}`);
  return h;
}

export interface CvPublicKey {
  /** id-TA-ECDSA-SHA-* */
  readonly algorithm: string;
  /** Set when the key carries explicit domain parameters (CVCA certificates). */
  readonly curve?: Curve;
  /** Uncompressed point. */
  readonly point: Buffer;
}

export function decodeCvPublicKey(t: Tlv): CvPublicKey {
  if (t.tag !== 0x7f49) throw new CvcError('malformed', 'not a public key (7F49)');
  const kids = childrenOf(t);
  const algorithm = readOid(requireTlv(kids, 0x06, 'public key algorithm'), 'public key algorithm');
  hashOfTaAlgorithm(algorithm);
  const point = Buffer.from(requireTlv(kids, 0x86, 'public point').value);
  const p = findTlv(kids, 0x81);
  let curve: Curve | undefined;
  if (p) {
    const need = (tag: number, what: string) => requireTlv(kids, tag, what).value;
    curve = curveByParameters(
      toBigInt(p.value),
      toBigInt(need(0x82, 'a')),
      toBigInt(need(0x83, 'b')),
      toBigInt(need(0x85, 'order')),
      need(0x84, 'generator'),
    );
    const f = findTlv(kids, 0x87);
    if (f && toBigInt(f.value) !== curve.h)
      throw new CvcError('malformed', 'cofactor does not match the curve');
    decodePoint(curve, point);
  }
  return { algorithm, point, ...(curve ? { curve } : {}) };
}

/** Encodes a CV public key; `withDomainParameters` for CVCA certificates. */
export function encodeCvPublicKey(
  algorithm: string,
  curve: Curve,
  point: Uint8Array,
  withDomainParameters: boolean,
): Buffer {
  const items: Buffer[] = [oid(algorithm)];
  if (withDomainParameters) {
    items.push(
      tlv(0x81, toFixed(curve.p, curve.size)),
      tlv(0x82, toFixed(curve.a, curve.size)),
      tlv(0x83, toFixed(curve.b, curve.size)),
      tlv(0x84, curve.Point.BASE.toBytes(false)),
      tlv(0x85, toFixed(curve.n, curve.size)),
    );
  }
  items.push(tlv(0x86, point));
  if (withDomainParameters) items.push(tlv(0x87, Buffer.from([Number(curve.h)])));
  return tlv(0x7f49, items);
}
