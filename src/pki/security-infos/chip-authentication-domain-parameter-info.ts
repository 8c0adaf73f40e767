/**
 * ChipAuthenticationDomainParameterInfo (BSI TR-03110-3 A.1.1.2):
 *
 *   ChipAuthenticationDomainParameterInfo ::= SEQUENCE {
 *     protocol         OBJECT IDENTIFIER (id-CA-DH | id-CA-ECDH),
 *     domainParameter  AlgorithmIdentifier,
 *     keyId            INTEGER OPTIONAL }
 *
 * The domain parameters are normally {id-standardizedDomainParameters, INTEGER id}.
 */

import { oid, seq } from '../../asn1/der.js';
import type { Tlv } from '../../tlv/tlv.js';
import { arity, optInt, readInt } from './common.js';
import { decodeDomainParameters, encodeDomainParameters } from './domain-parameters.js';
import type { ChipAuthenticationDomainParameterInfo } from './types.js';

export function decodeChipAuthenticationDomainParameterInfo(
  protocol: string,
  kids: readonly Tlv[],
): ChipAuthenticationDomainParameterInfo {
  arity(kids, 2, 3, 'ChipAuthenticationDomainParameterInfo');
  const { parameterId, encoding } = decodeDomainParameters(kids[1]!, 'ChipAuthenticationDomainParameterInfo');
  const keyId = kids[2] ? readInt(kids[2], 'ChipAuthenticationDomainParameterInfo keyId') : undefined;
  return {
    kind: 'caDomainParameters',
    protocol,
    parameterId,
    ...(keyId === undefined ? {} : { keyId }),
    ...(encoding === 'standardized' ? {} : { encoding }),
  };
}

export function encodeChipAuthenticationDomainParameterInfo(
  info: ChipAuthenticationDomainParameterInfo,
): Buffer {
  return seq(
    oid(info.protocol),
    encodeDomainParameters(info.parameterId, info.encoding ?? 'standardized'),
    ...optInt(info.keyId, 'keyId'),
  );
}
