/**
 * An EC public key as SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 5480; TR-03110-3 A.1.1.2):
 *
 *   SubjectPublicKeyInfo ::= SEQUENCE {
 *     algorithm         AlgorithmIdentifier,  -- domain parameters, see domain-parameters.ts
 *     subjectPublicKey  BIT STRING }          -- 04 || X || Y
 *
 * Also used for X.509 certificates whose keys carry explicit parameters.
 */

import { seq, TAG } from '../../asn1/der.js';
import { type Curve, decodePoint } from '../../crypto/curves.js';
import { childrenOf, type Tlv, tlv } from '../../tlv/tlv.js';
import { arity, malformed } from './common.js';
import { decodeDomainParameters, encodeDomainParameters } from './domain-parameters.js';
import { SecurityInfoError } from './errors.js';
import type { DomainParameterEncoding } from './types.js';

export interface EcPublicKeyInfo {
  readonly curve: Curve;
  /** Uncompressed point, validated on the curve. */
  readonly point: Buffer;
  readonly encoding: DomainParameterEncoding;
}

export function encodeEcPublicKeyInfo(
  curve: Curve,
  point: Uint8Array,
  encoding: DomainParameterEncoding,
): Buffer {
  decodePoint(curve, point);
  return seq(
    encodeDomainParameters(curve.standardizedId, encoding),
    tlv(TAG.BIT_STRING, [Buffer.from([0]), point]),
  );
}

export function decodeEcPublicKeyInfo(t: Tlv): EcPublicKeyInfo {
  if (t.tag !== TAG.SEQUENCE) malformed('SubjectPublicKeyInfo is not a SEQUENCE');
  const kids = childrenOf(t);
  arity(kids, 2, 2, 'SubjectPublicKeyInfo');
  const params = decodeDomainParameters(kids[0]!, 'SubjectPublicKeyInfo');
  if (!params.curve) {
    throw new SecurityInfoError(
      'unsupported',
      `unsupported standardized domain parameters ${params.parameterId}`,
    );
  }
  const bits = kids[1]!;
  if (bits.tag !== TAG.BIT_STRING || bits.value.length < 2 || bits.value[0] !== 0) {
    malformed('subjectPublicKey is not a whole-octet BIT STRING');
  }
  const point = Buffer.from(bits.value.subarray(1));
  decodePoint(params.curve, point);
  return { curve: params.curve, point, encoding: params.encoding };
}
