/**
 * RestrictedIdentificationInfo (BSI TR-03110-3 A.1.1.4):
 *
 *   RestrictedIdentificationInfo ::= SEQUENCE {
 *     protocol   OBJECT IDENTIFIER (id-RI-{DH,ECDH}-SHA-…),
 *     params     ProtocolParams,
 *     maxKeyLen  INTEGER OPTIONAL }
 *
 *   ProtocolParams ::= SEQUENCE {
 *     version         INTEGER,   -- MUST be 1
 *     keyId           INTEGER,
 *     authorizedOnly  BOOLEAN }
 */

import { oid, seq, TAG } from '../../asn1/der.js';
import { childrenOf, type Tlv } from '../../tlv/tlv.js';
import { arity, boolean, int, malformed, optInt, readBoolean, readInt } from './common.js';
import type { RestrictedIdentificationInfo } from './types.js';

export function decodeRestrictedIdentificationInfo(
  protocol: string,
  kids: readonly Tlv[],
): RestrictedIdentificationInfo {
  arity(kids, 2, 3, 'RestrictedIdentificationInfo');
  if (kids[1]!.tag !== TAG.SEQUENCE) malformed('RestrictedIdentificationInfo params is not a SEQUENCE');
  const params = childrenOf(kids[1]!);
  arity(params, 3, 3, 'ProtocolParams');
  const version = readInt(params[0], 'ProtocolParams version');
  const keyId = readInt(params[1], 'ProtocolParams keyId');
  const authorizedOnly = readBoolean(params[2], 'ProtocolParams authorizedOnly');
  const maxKeyLen = kids[2] ? readInt(kids[2], 'RestrictedIdentificationInfo maxKeyLen') : undefined;
  return {
    kind: 'ri',
    protocol,
    version,
    keyId,
    authorizedOnly,
    ...(maxKeyLen === undefined ? {} : { maxKeyLen }),
  };
}

export function encodeRestrictedIdentificationInfo(info: RestrictedIdentificationInfo): Buffer {
  return seq(
    oid(info.protocol),
    seq(int(info.version, 'version'), int(info.keyId, 'keyId'), boolean(info.authorizedOnly)),
    ...optInt(info.maxKeyLen, 'maxKeyLen'),
  );
}
