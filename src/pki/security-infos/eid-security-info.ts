/**
 * EIDSecurityInfo (BSI TR-03110-3 A.1.1.8, eIDAS token only):
 *
 *   EIDSecurityInfo ::= SEQUENCE {
 *     protocol           OBJECT IDENTIFIER (id-eIDSecurity),
 *     eIDSecurityObject  EIDSecurityObject,
 *     eIDVersionInfo     EIDVersionInfo OPTIONAL }
 *
 *   EIDSecurityObject ::= SEQUENCE {
 *     hashAlgorithm        AlgorithmIdentifier,
 *     dataGroupHashValues  SEQUENCE OF DataGroupHash }
 *
 *   DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING }
 *
 *   EIDVersionInfo ::= SEQUENCE { eIDVersion PrintableString, unicodeVersion PrintableString }
 */
import { createHash } from 'node:crypto';
import { octets, oid, printable, readString, seq, TAG } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import { childrenOf, type Tlv } from '../../tlv/tlv.js';
import { arity, int, malformed, readInt } from './common.js';
import { SecurityInfoError } from './errors.js';
import { decodeHashAlgorithm, encodeHashAlgorithm } from './hash-algorithm.js';
import type { EidSecurityInfo } from './types.js';

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function decodeEidSecurityInfo(kids: readonly Tlv[]): EidSecurityInfo {
  arity(kids, 2, 3, 'EIDSecurityInfo');
  if (kids[1]!.tag !== TAG.SEQUENCE) malformed('EIDSecurityObject is not a SEQUENCE');
  const object = childrenOf(kids[1]!);
  arity(object, 2, 2, 'EIDSecurityObject');
  const { algorithm, hash } = decodeHashAlgorithm(object[0]!, 'EIDSecurityObject hashAlgorithm');
  if (!hash)
    throw new SecurityInfoError('unsupported', `EIDSecurityObject: unsupported hash algorithm ${algorithm}`);
  const size = createHash(hash).digest().length;
  if (object[1]!.tag !== TAG.SEQUENCE) malformed('dataGroupHashValues is not a SEQUENCE OF');
  const dataGroupHashes = new Map<number, Buffer>();
  for (const entry of childrenOf(object[1]!)) {
    if (entry.tag !== TAG.SEQUENCE) malformed('DataGroupHash is not a SEQUENCE');
    const pair = childrenOf(entry);
    arity(pair, 2, 2, 'DataGroupHash');
    const dg = readInt(pair[0], 'dataGroupNumber');
    if (pair[1]!.tag !== TAG.OCTET_STRING || pair[1]!.value.length !== size) {
      malformed(`hash of data group ${dg} is not a ${size}-byte OCTET STRING`);
    }
    if (dataGroupHashes.has(dg)) malformed(`data group ${dg} is listed twice`);
    dataGroupHashes.set(dg, Buffer.from(pair[1]!.value));
  }
  let versionInfo: EidSecurityInfo['versionInfo'];
  if (kids[2]) {
    if (kids[2].tag !== TAG.SEQUENCE) malformed('EIDVersionInfo is not a SEQUENCE');
    const v = childrenOf(kids[2]);
    arity(v, 2, 2, 'EIDVersionInfo');
    versionInfo = {
      eidVersion: readString(v[0]!, 'eIDVersion', [TAG.PRINTABLE_STRING]),
      unicodeVersion: readString(v[1]!, 'unicodeVersion', [TAG.PRINTABLE_STRING]),
    };
  }
  return { kind: 'eidSecurity', hash, dataGroupHashes, ...(versionInfo ? { versionInfo } : {}) };
}

export function encodeEidSecurityInfo(info: EidSecurityInfo): Buffer {
  const size = createHash(info.hash).digest().length;
  const hashes = [...info.dataGroupHashes].map(([dg, value]) => {
    if (value.length !== size) malformed(`hash of data group ${dg} must be ${size} bytes`);
    return seq(int(dg, 'dataGroupNumber'), octets(value));
  });
  const items = [oid(OID.idEidSecurity), seq(encodeHashAlgorithm(info.hash), seq(...hashes))];
  if (info.versionInfo) {
    const { eidVersion, unicodeVersion } = info.versionInfo;
    if (!PRINTABLE.test(eidVersion) || !PRINTABLE.test(unicodeVersion)) {
      malformed('EIDVersionInfo must be PrintableString characters');
    }
    items.push(seq(printable(eidVersion), printable(unicodeVersion)));
  }
  return seq(...items);
}
