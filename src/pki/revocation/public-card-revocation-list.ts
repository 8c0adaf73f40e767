/**
 * The public card revocation list of the Open API (docs/open-api.md,
 * docs/chip-profile.md §6), a CMS SignedData signed by the CSCA over:
 *
 *   PublicCardRevocationList ::= SEQUENCE {
 *     version        INTEGER (1),
 *     thisUpdate     GeneralizedTime,
 *     nextUpdate     GeneralizedTime,
 *     hashAlgorithm  AlgorithmIdentifier,      -- id-sha256
 *     revokedChips   SEQUENCE OF RevokedChip }
 *   RevokedChip ::= SEQUENCE {
 *     chipKeyHash     OCTET STRING,           -- hash of the chip's Chip Authentication public point
 *     revocationDate  GeneralizedTime }
 *
 * A verifier of public-area data has no Restricted Identification (that
 * needs Terminal Authentication), so the Restricted-Identification-keyed list
 * of card-revocation-list.ts is of no use to it. What every bundle carries is
 * the signed EF.CardSecurity with the chip's static Chip Authentication key,
 * which is per card in this profile (chip-profile §7.7). The list names a
 * revoked card by the hash of that point (04 ‖ X ‖ Y, as in
 * ChipAuthenticationPublicKeyInfo): meaningless to anyone who has not read the
 * card with its CAN, and without the revocation reason, which may be personal.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { integer, octets, readSmallInteger, seq, sequenceOf, TAG } from '../../asn1/der.js';
import { childrenOf } from '../../tlv/tlv.js';
import { decodeHashAlgorithm, encodeHashAlgorithm } from '../security-infos/hash-algorithm.js';
import {
  checkCurrent,
  decodingList,
  generalizedTime,
  RevocationListError,
  readGeneralizedTime,
  signCscaList,
  verifyCscaSignedList,
} from './card-revocation-list.js';

/** eContentType: a UUID OID (ITU-T X.667), no registration needed. */
export const PUBLIC_CARD_REVOCATION_LIST_OID = '2.25.161220412930661081170289901773059007771';

export interface RevokedChip {
  readonly chipKeyHash: Buffer;
  readonly revocationDate: Date;
}

export interface PublicCardRevocationList {
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly revoked: readonly RevokedChip[];
}

/** The identifier of a chip on the list: SHA-256 of its Chip Authentication public point. */
export function chipKeyHash(caPublicPoint: Uint8Array): Buffer {
  return createHash('sha256').update(caPublicPoint).digest();
}

export function encodePublicCardRevocationList(l: PublicCardRevocationList): Buffer {
  return seq(
    integer(1),
    generalizedTime(l.thisUpdate),
    generalizedTime(l.nextUpdate),
    encodeHashAlgorithm('sha256'),
    seq(...l.revoked.map((r) => seq(octets(r.chipKeyHash), generalizedTime(r.revocationDate)))),
  );
}

export function decodePublicCardRevocationList(der: Buffer): PublicCardRevocationList {
  return decodingList(() => {
    const [v, thisU, nextU, alg, list, ...rest] = sequenceOf(der, 'PublicCardRevocationList');
    if (!v || readSmallInteger(v, 'version') !== 1 || !thisU || !nextU || !alg || !list || rest.length)
      throw new RevocationListError('malformed', 'unsupported list version');
    if (decodeHashAlgorithm(alg, 'hashAlgorithm').hash !== 'sha256')
      throw new RevocationListError('malformed', 'the chip key hash is not SHA-256');
    return {
      thisUpdate: readGeneralizedTime(thisU),
      nextUpdate: readGeneralizedTime(nextU),
      revoked: childrenOf(list).map((r) => {
        const [hash, date, ...more] = childrenOf(r);
        if (hash?.tag !== TAG.OCTET_STRING || hash.value.length !== 32 || !date || more.length)
          throw new RevocationListError('malformed', 'bad RevokedChip');
        return { chipKeyHash: Buffer.from(hash.value), revocationDate: readGeneralizedTime(date) };
      }),
    };
  });
}

export function signPublicCardRevocationList(
  l: PublicCardRevocationList,
  signer: { cert: Buffer; key: KeyObject },
): Buffer {
  return signCscaList(PUBLIC_CARD_REVOCATION_LIST_OID, encodePublicCardRevocationList(l), signer);
}

/**
 * Verifies the list (signed by one of `cscaCerts`, digest, signature). With
 * `at`, it must also be current then; without, the caller judges staleness.
 */
export function verifyPublicCardRevocationList(
  der: Buffer,
  cscaCerts: readonly Buffer[],
  at?: Date,
): PublicCardRevocationList & { readonly signer: Buffer } {
  const what = 'public card revocation list';
  const { content, signer } = verifyCscaSignedList(der, PUBLIC_CARD_REVOCATION_LIST_OID, cscaCerts, what);
  const list = decodePublicCardRevocationList(content);
  if (at) checkCurrent(list, at, what);
  return { ...list, signer };
}
