/**
 * Explicit elliptic-curve domain parameters (ANSI X9.62, RFC 3279 §2.3.5), as
 * found in German CSCA and Document Signer certificates and CA public keys:
 *
 *   ECParameters ::= SEQUENCE {
 *     version   INTEGER { ecpVer1(1) },
 *     fieldID   FieldID,               -- SEQUENCE { prime-field OID, p INTEGER }
 *     curve     Curve,                 -- SEQUENCE { a OCTET STRING, b OCTET STRING, seed BIT STRING OPTIONAL }
 *     base      ECPoint,               -- OCTET STRING
 *     order     INTEGER,
 *     cofactor  INTEGER OPTIONAL }
 *
 * Only parameters equal to a supported named curve are accepted.
 */

import { integer, octets, oid, readOid, readSmallInteger, seq, TAG } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import { type Curve, curveByParameters, toBigInt, toFixed } from '../../crypto/curves.js';
import { childrenOf, type Tlv } from '../../tlv/tlv.js';
import { arity, malformed } from './common.js';
import { SecurityInfoError } from './errors.js';

function unsignedInteger(t: Tlv | undefined, what: string): bigint {
  if (!t || t.tag !== TAG.INTEGER || t.value.length === 0) malformed(`${what}: not an INTEGER`);
  if (t.value[0]! & 0x80) malformed(`${what}: negative INTEGER`);
  return toBigInt(t.value);
}

function octetString(t: Tlv | undefined, what: string): Buffer {
  if (!t || t.tag !== TAG.OCTET_STRING) malformed(`${what}: not an OCTET STRING`);
  return t.value;
}

export function encodeEcParameters(curve: Curve): Buffer {
  return seq(
    integer(1),
    seq(oid(OID.primeField), integer(curve.p)),
    seq(octets(toFixed(curve.a, curve.size)), octets(toFixed(curve.b, curve.size))),
    octets(Buffer.from(curve.Point.BASE.toBytes(false))),
    integer(curve.n),
    integer(curve.h),
  );
}

/** Recognises explicit parameters as a supported curve (CryptoError 'unsupported-curve' otherwise). */
export function decodeEcParameters(t: Tlv): Curve {
  if (t.tag !== TAG.SEQUENCE) malformed('ECParameters: not a SEQUENCE');
  const kids = childrenOf(t);
  arity(kids, 5, 6, 'ECParameters');
  const [version, fieldId, curveTlv, base, order, cofactor] = kids;
  if (readSmallInteger(version!, 'ECParameters version') !== 1) malformed('ECParameters: version is not 1');
  if (fieldId!.tag !== TAG.SEQUENCE || curveTlv!.tag !== TAG.SEQUENCE)
    malformed('ECParameters: bad fieldID or curve');
  const field = childrenOf(fieldId!);
  arity(field, 2, 2, 'FieldID');
  if (readOid(field[0]!, 'field type') !== OID.primeField) {
    throw new SecurityInfoError('unsupported', 'only prime-field curves are supported');
  }
  const p = unsignedInteger(field[1], 'p');
  const ab = childrenOf(curveTlv!);
  arity(ab, 2, 3, 'Curve');
  const a = toBigInt(octetString(ab[0], 'a'));
  const b = toBigInt(octetString(ab[1], 'b'));
  const n = unsignedInteger(order, 'order');
  const baseBytes = octetString(base, 'base');
  const candidate = curveByParameters(p, a, b, n);
  let generator: Uint8Array;
  try {
    generator = candidate.Point.fromBytes(baseBytes).toBytes(false);
  } catch {
    malformed('ECParameters: base point is not on the curve');
  }
  const curve = curveByParameters(p, a, b, n, generator);
  if (cofactor && unsignedInteger(cofactor, 'cofactor') !== curve.h)
    malformed('ECParameters: cofactor does not match');
  return curve;
}
