/**
 * ChipAuthenticationInfo (BSI TR-03110-3 A.1.1.2):
 *
 *   ChipAuthenticationInfo ::= SEQUENCE {
 *     protocol  OBJECT IDENTIFIER (id-CA-{DH,ECDH}-…),
 *     version   INTEGER,           -- 1, 2 or 3
 *     keyId     INTEGER OPTIONAL }
 */

import { oid, seq } from '../../asn1/der.js';
import type { Tlv } from '../../tlv/tlv.js';
import { arity, int, optInt, readInt } from './common.js';
import type { ChipAuthenticationInfo } from './types.js';

export function decodeChipAuthenticationInfo(protocol: string, kids: readonly Tlv[]): ChipAuthenticationInfo {
  arity(kids, 2, 3, 'ChipAuthenticationInfo');
  const version = readInt(kids[1], 'ChipAuthenticationInfo version');
  const keyId = kids[2] ? readInt(kids[2], 'ChipAuthenticationInfo keyId') : undefined;
  return { kind: 'ca', protocol, version, ...(keyId === undefined ? {} : { keyId }) };
}

export function encodeChipAuthenticationInfo(info: ChipAuthenticationInfo): Buffer {
  return seq(oid(info.protocol), int(info.version, 'version'), ...optInt(info.keyId, 'keyId'));
}
