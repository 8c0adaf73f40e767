/**
 * ChipAuthenticationPublicKeyInfo (BSI TR-03110-3 A.1.1.2), EC keys:
 *
 *   ChipAuthenticationPublicKeyInfo ::= SEQUENCE {
 *     protocol                     OBJECT IDENTIFIER (id-PK-DH | id-PK-ECDH),
 *     chipAuthenticationPublicKey  SubjectPublicKeyInfo,
 *     keyId                        INTEGER OPTIONAL }
 *
 * German eID cards put {id-standardizedDomainParameters, INTEGER id} in the
 * SubjectPublicKeyInfo algorithm; id-ecPublicKey with a named curve or explicit
 * parameters is accepted as well.
 */

import { oid, seq } from '../../asn1/der.js';
import type { Tlv } from '../../tlv/tlv.js';
import { arity, optInt, readInt } from './common.js';
import { decodeEcPublicKeyInfo, encodeEcPublicKeyInfo } from './ec-public-key.js';
import type { ChipAuthenticationPublicKeyInfo } from './types.js';

export function decodeChipAuthenticationPublicKeyInfo(
  protocol: string,
  kids: readonly Tlv[],
): ChipAuthenticationPublicKeyInfo {
  arity(kids, 2, 3, 'ChipAuthenticationPublicKeyInfo');
  const { curve, point, encoding } = decodeEcPublicKeyInfo(kids[1]!);
  const keyId = kids[2] ? readInt(kids[2], 'ChipAuthenticationPublicKeyInfo keyId') : undefined;
  return {
    kind: 'caPublicKey',
    protocol,
    curve,
    point,
    ...(keyId === undefined ? {} : { keyId }),
    ...(encoding === 'standardized' ? {} : { encoding }),
  };
}

export function encodeChipAuthenticationPublicKeyInfo(info: ChipAuthenticationPublicKeyInfo): Buffer {
  return seq(
    oid(info.protocol),
    encodeEcPublicKeyInfo(info.curve, info.point, info.encoding ?? 'standardized'),
    ...optInt(info.keyId, 'keyId'),
  );
}
