/**
 * The card revocation list (docs/chip-profile.md §6), a CMS SignedData
 * signed by the CSCA over:
 *
 *   CardRevocationList ::= SEQUENCE {
 *     version       INTEGER (1),
 *     thisUpdate    GeneralizedTime,
 *     nextUpdate    GeneralizedTime,
 *     revokedCards  SEQUENCE OF RevokedCard }
 *   RevokedCard ::= SEQUENCE {
 *     riPublicKey     OCTET STRING,   -- the card's Restricted Identification public point
 *     revocationDate  GeneralizedTime,
 *     reason          UTF8String }
 *
 * The list names cards by their RI public keys, which no terminal ever sees.
 * The server turns it into one blacklist per sector with that sector's
 * private key: I_sector = SHA-256(x(SK_sector · PK_ID)), which equals what
 * the card computes in Restricted Identification (TR-03110-2 §3.6). So the
 * check needs no card identifier beyond the sector-specific one.
 */
import { createHash, diffieHellman, type KeyObject, X509Certificate } from 'node:crypto';
import { integer, octets, readSmallInteger, seq, sequenceOf, TAG, utf8 } from '../../asn1/der.js';
import type { Curve } from '../../crypto/curves.js';
import { curveOfKey, publicKeyFromPoint } from '../../crypto/keys.js';
import { TlvError } from '../../tlv/errors.js';
import { childrenOf, parseTlv, type Tlv, tlv } from '../../tlv/tlv.js';
import { decodeSignatureAlgorithm, verifyData } from '../x509/algorithms.js';
import { parseCms, signCms } from '../x509/cms.js';

/** eContentType of the list: a UUID OID (ITU-T X.667), no registration needed. */
export const CARD_REVOCATION_LIST_OID = '2.25.169440185613357716133932442394574585437';

export class RevocationListError extends Error {
  override readonly name = 'RevocationListError';
  constructor(
    readonly code: 'malformed' | 'bad-signature' | 'untrusted' | 'stale',
    message: string,
  ) {
    super(message);
  }
}

export interface RevokedCard {
  readonly riPublicKey: Buffer;
  readonly revocationDate: Date;
  readonly reason: string;
}

export interface CardRevocationList {
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly revoked: readonly RevokedCard[];
}

export function generalizedTime(d: Date): Buffer {
  const s = `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(s, 'latin1'));
}

export function readGeneralizedTime(t: Tlv): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(t.value.toString('latin1'));
  if (t.tag !== TAG.GENERALIZED_TIME || !m) throw new RevocationListError('malformed', 'bad GeneralizedTime');
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

export function encodeCardRevocationList(l: CardRevocationList): Buffer {
  return seq(
    integer(1),
    generalizedTime(l.thisUpdate),
    generalizedTime(l.nextUpdate),
    seq(
      ...l.revoked.map((r) => seq(octets(r.riPublicKey), generalizedTime(r.revocationDate), utf8(r.reason))),
    ),
  );
}

/** Runs a list decoder: its TLV defects become RevocationListError('malformed'). */
export function decodingList<T>(decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof TlvError) throw new RevocationListError('malformed', e.message);
    throw e;
  }
}

/** A list the CSCA signs itself (this one, the public one), as CMS SignedData with the key's hash. */
export function signCscaList(
  contentType: string,
  content: Buffer,
  signer: { cert: Buffer; key: KeyObject },
): Buffer {
  return signCms({
    contentType,
    content,
    signerCert: signer.cert,
    signerKey: signer.key,
    hash: signer.key.asymmetricKeyType === 'ec' ? curveOfKey(signer.key).hash : 'sha256',
  });
}

export function decodeCardRevocationList(der: Buffer): CardRevocationList {
  return decodingList(() => {
    const [v, thisU, nextU, list] = sequenceOf(der, 'CardRevocationList');
    if (!v || readSmallInteger(v, 'version') !== 1 || !thisU || !nextU || !list)
      throw new RevocationListError('malformed', 'unsupported list version');
    return {
      thisUpdate: readGeneralizedTime(thisU),
      nextUpdate: readGeneralizedTime(nextU),
      revoked: childrenOf(list).map((r) => {
        const [pk, date, reason] = childrenOf(r);
        if (pk?.tag !== TAG.OCTET_STRING || !date || reason?.tag !== TAG.UTF8_STRING)
          throw new RevocationListError('malformed', 'bad RevokedCard');
        return {
          riPublicKey: Buffer.from(pk.value),
          revocationDate: readGeneralizedTime(date),
          reason: reason.value.toString('utf8'),
        };
      }),
    };
  });
}

export function signCardRevocationList(
  l: CardRevocationList,
  signer: { cert: Buffer; key: KeyObject },
): Buffer {
  return signCscaList(CARD_REVOCATION_LIST_OID, encodeCardRevocationList(l), signer);
}

/**
 * The content of a list the CSCA signs itself (this one, and the public card
 * revocation list of public-card-revocation-list.ts): the signer certificate
 * embedded must be byte-identical to a trusted CSCA; message digest and
 * signature are checked. Returns the eContent and the signing CSCA (DER).
 */
export function verifyCscaSignedList(
  der: Buffer,
  contentType: string,
  cscaCerts: readonly Buffer[],
  what: string,
): { content: Buffer; signer: Buffer } {
  let cms: ReturnType<typeof parseCms>;
  try {
    cms = parseCms(der);
  } catch (e) {
    throw new RevocationListError('malformed', (e as Error).message);
  }
  if (cms.contentType !== contentType) throw new RevocationListError('malformed', `not a ${what}`);
  const signerDer = cms.certificates.find((c) => cscaCerts.some((t) => t.equals(c)));
  if (!signerDer) throw new RevocationListError('untrusted', `the ${what} is not signed by a trusted CSCA`);
  const digest = createHash(cms.signer.digestAlgorithm).update(cms.content).digest();
  if (!cms.signer.messageDigest || !digest.equals(cms.signer.messageDigest))
    throw new RevocationListError('bad-signature', 'message digest mismatch');
  const key = new X509Certificate(signerDer).publicKey;
  const scheme = decodeSignatureAlgorithm(
    parseTlv(cms.signer.signatureAlgorithm),
    cms.signer.digestAlgorithm,
  );
  if (!scheme || !verifyData(scheme, key, cms.signer.signedAttrsDer, cms.signer.signature)) {
    throw new RevocationListError('bad-signature', `signature of the ${what} is wrong`);
  }
  return { content: cms.content, signer: signerDer };
}

/** Refuses a list outside its thisUpdate..nextUpdate window at `at`. */
export function checkCurrent(l: { thisUpdate: Date; nextUpdate: Date }, at: Date, what: string): void {
  if (at < l.thisUpdate || at > l.nextUpdate)
    throw new RevocationListError(
      'stale',
      `the ${what} is not current (next update ${l.nextUpdate.toISOString()})`,
    );
}

/**
 * Verifies the list: signed by one of the trusted CSCA certificates (the
 * signer certificate embedded must be byte-identical to a trusted one),
 * message digest and signature, and current at `at`.
 */
export function verifyCardRevocationList(
  der: Buffer,
  cscaCerts: readonly Buffer[],
  at = new Date(),
): CardRevocationList {
  const { content } = verifyCscaSignedList(der, CARD_REVOCATION_LIST_OID, cscaCerts, 'card revocation list');
  const list = decodeCardRevocationList(content);
  checkCurrent(list, at, 'card revocation list');
  return list;
}

/** The sector-specific identifiers of all revoked cards for one sector (RI with the sector's private key). */
export function sectorBlacklist(list: CardRevocationList, sectorKey: KeyObject): Set<string> {
  const curve: Curve = curveOfKey(sectorKey);
  const out = new Set<string>();
  for (const r of list.revoked) {
    try {
      const x = diffieHellman({ privateKey: sectorKey, publicKey: publicKeyFromPoint(curve, r.riPublicKey) });
      out.add(createHash('sha256').update(x).digest('hex'));
    } catch {
      /* an entry on another curve cannot belong to this sector's cards */
    }
  }
  return out;
}
