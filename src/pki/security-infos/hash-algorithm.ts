/**
 * Hash AlgorithmIdentifier (RFC 5754 §2):
 *
 *   AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters NULL OPTIONAL }
 *
 * Written without parameters (RFC 5754 §2 SHOULD); NULL parameters are accepted.
 */

import { oid, readOid, seq, TAG } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import type { HashName } from '../../crypto/curves.js';
import { childrenOf, type Tlv } from '../../tlv/tlv.js';

const HASH_OIDS: Record<HashName, string> = { sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };

export function hashOid(hash: HashName): string {
  return HASH_OIDS[hash];
}

export function hashOfOid(algorithm: string): HashName | undefined {
  return (Object.keys(HASH_OIDS) as HashName[]).find((h) => HASH_OIDS[h] === algorithm);
}

export function encodeHashAlgorithm(hash: HashName): Buffer {
  return seq(oid(HASH_OIDS[hash]));
}

/**
 * The hash of an AlgorithmIdentifier, or undefined for an unsupported one.
 * Structural defects throw TlvError.
 */
export function decodeHashAlgorithm(t: Tlv, what: string): { algorithm: string; hash: HashName | undefined } {
  const kids = t.tag === TAG.SEQUENCE ? childrenOf(t) : [];
  const [alg, params, ...rest] = kids;
  const badParams = params && (params.tag !== TAG.NULL || params.value.length !== 0);
  if (!alg || badParams || rest.length > 0) {
    return { algorithm: alg?.tag === TAG.OID ? readOid(alg, what) : '', hash: undefined };
  }
  const algorithm = readOid(alg, what);
  return { algorithm, hash: hashOfOid(algorithm) };
}
