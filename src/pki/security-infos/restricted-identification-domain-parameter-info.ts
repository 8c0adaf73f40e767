/**
 * RestrictedIdentificationDomainParameterInfo (BSI TR-03110-3 A.1.1.4):
 *
 *   RestrictedIdentificationDomainParameterInfo ::= SEQUENCE {
 *     protocol         OBJECT IDENTIFIER (id-RI-DH | id-RI-ECDH),
 *     domainParameter  AlgorithmIdentifier }
 *
 * Only id-RI-ECDH is modelled. German eID cards use {id-ecPublicKey, named
 * curve}, which is therefore the default encoding; the standardized form
 * {id-standardizedDomainParameters, INTEGER id} is read as well.
 */

import { oid, seq } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import type { Tlv } from '../../tlv/tlv.js';
import { arity } from './common.js';
import { decodeDomainParameters, encodeDomainParameters } from './domain-parameters.js';
import type { RestrictedIdentificationDomainParameterInfo } from './types.js';

export function decodeRestrictedIdentificationDomainParameterInfo(
  kids: readonly Tlv[],
): RestrictedIdentificationDomainParameterInfo {
  arity(kids, 2, 2, 'RestrictedIdentificationDomainParameterInfo');
  const { parameterId, encoding } = decodeDomainParameters(
    kids[1]!,
    'RestrictedIdentificationDomainParameterInfo',
  );
  return { kind: 'riDomainParameters', parameterId, ...(encoding === 'namedCurve' ? {} : { encoding }) };
}

export function encodeRestrictedIdentificationDomainParameterInfo(
  info: RestrictedIdentificationDomainParameterInfo,
): Buffer {
  return seq(oid(OID.idRiEcdh), encodeDomainParameters(info.parameterId, info.encoding ?? 'namedCurve'));
}
