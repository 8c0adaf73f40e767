/**
 * Domain parameters as an AlgorithmIdentifier (TR-03110-3 A.2.1, RFC 5480):
 *
 *   AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
 *
 *   {id-standardizedDomainParameters, INTEGER id}      -- TR-03110-3 A.2.1.1, table 4
 *   {id-ecPublicKey, namedCurve OBJECT IDENTIFIER}     -- RFC 5480 §2.1.1
 *   {id-ecPublicKey, ECParameters}                     -- explicit, X9.62
 */

import { oid, readOid, readSmallInteger, seq, TAG } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import { CURVES, type Curve, curveByOid, curveByStandardizedId } from '../../crypto/curves.js';
import { childrenOf, type Tlv } from '../../tlv/tlv.js';
import { arity, int, malformed } from './common.js';
import { decodeEcParameters, encodeEcParameters } from './ec-parameters.js';
import { SecurityInfoError } from './errors.js';
import type { DomainParameterEncoding } from './types.js';

export interface DecodedDomainParameters {
  /** Standardized domain parameter id (table 4). */
  readonly parameterId: number;
  /** The curve, when it is one this product supports. */
  readonly curve?: Curve;
  readonly encoding: DomainParameterEncoding;
}

export function encodeDomainParameters(parameterId: number, encoding: DomainParameterEncoding): Buffer {
  if (encoding === 'standardized')
    return seq(oid(OID.standardizedDomainParameters), int(parameterId, 'parameterId'));
  const curve = curveByStandardizedId(parameterId);
  return seq(oid(OID.ecPublicKey), encoding === 'namedCurve' ? oid(curve.oid) : encodeEcParameters(curve));
}

export function decodeDomainParameters(t: Tlv, what: string): DecodedDomainParameters {
  if (t.tag !== TAG.SEQUENCE) malformed(`${what}: AlgorithmIdentifier is not a SEQUENCE`);
  const kids = childrenOf(t);
  arity(kids, 2, 2, `${what} AlgorithmIdentifier`);
  const algorithm = readOid(kids[0]!, `${what} algorithm`);
  const params = kids[1]!;
  if (algorithm === OID.standardizedDomainParameters) {
    const parameterId = readSmallInteger(params, `${what} standardized domain parameter id`);
    const curve = CURVES.find((c) => c.standardizedId === parameterId);
    return { parameterId, encoding: 'standardized', ...(curve ? { curve } : {}) };
  }
  if (algorithm !== OID.ecPublicKey) {
    throw new SecurityInfoError(
      'unsupported',
      `${what}: unsupported domain parameter algorithm ${algorithm}`,
    );
  }
  if (params.tag === TAG.OID) {
    const curve = curveByOid(readOid(params, `${what} named curve`));
    return { parameterId: curve.standardizedId, curve, encoding: 'namedCurve' };
  }
  if (params.tag === TAG.SEQUENCE) {
    const curve = decodeEcParameters(params);
    return { parameterId: curve.standardizedId, curve, encoding: 'explicit' };
  }
  throw new SecurityInfoError(
    'unsupported',
    `${what}: implicit (inherited) domain parameters are not supported`,
  );
}
