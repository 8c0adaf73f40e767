/**
 * TerminalAuthenticationInfo (BSI TR-03110-3 A.1.1.3):
 *
 *   TerminalAuthenticationInfo ::= SEQUENCE {
 *     protocol  OBJECT IDENTIFIER (id-TA),
 *     version   INTEGER,           -- 1 for TAv1, 2 for TAv2
 *     efCVCA    FileID OPTIONAL }  -- MUST NOT be used for version 2
 *
 *   FileID ::= SEQUENCE { fid OCTET STRING (SIZE(2)), sfid OCTET STRING (SIZE(1)) OPTIONAL }
 */

import { oid, seq, TAG } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import type { Tlv } from '../../tlv/tlv.js';
import { arity, int, malformed, readInt } from './common.js';
import type { TerminalAuthenticationInfo } from './types.js';

export function decodeTerminalAuthenticationInfo(kids: readonly Tlv[]): TerminalAuthenticationInfo {
  arity(kids, 2, 3, 'TerminalAuthenticationInfo');
  const version = readInt(kids[1], 'TerminalAuthenticationInfo version');
  const ef = kids[2];
  if (ef && ef.tag !== TAG.SEQUENCE) malformed('TerminalAuthenticationInfo efCVCA is not a FileID');
  return { kind: 'ta', version, ...(ef ? { efCvca: Buffer.from(ef.raw) } : {}) };
}

export function encodeTerminalAuthenticationInfo(info: TerminalAuthenticationInfo): Buffer {
  return seq(oid(OID.idTa), int(info.version, 'version'), ...(info.efCvca ? [info.efCvca] : []));
}
