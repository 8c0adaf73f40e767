/**
 * PACEInfo (BSI TR-03110-3 A.1.1.1):
 *
 *   PACEInfo ::= SEQUENCE {
 *     protocol     OBJECT IDENTIFIER (id-PACE-{DH,ECDH}-{GM,IM}-…),
 *     version      INTEGER,          -- SHOULD be 2
 *     parameterId  INTEGER OPTIONAL }
 */

import { oid, seq } from '../../asn1/der.js';
import type { Tlv } from '../../tlv/tlv.js';
import { arity, int, optInt, readInt } from './common.js';
import type { PaceInfo } from './types.js';

export function decodePaceInfo(protocol: string, kids: readonly Tlv[]): PaceInfo {
  arity(kids, 2, 3, 'PACEInfo');
  const version = readInt(kids[1], 'PACEInfo version');
  const parameterId = kids[2] ? readInt(kids[2], 'PACEInfo parameterId') : undefined;
  return { kind: 'pace', protocol, version, ...(parameterId === undefined ? {} : { parameterId }) };
}

export function encodePaceInfo(info: PaceInfo): Buffer {
  return seq(oid(info.protocol), int(info.version, 'version'), ...optInt(info.parameterId, 'parameterId'));
}
