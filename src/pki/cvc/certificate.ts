/**
 * CV certificate (TR-03110-3 C.1, D.2):
 *
 *   7F21 CV Certificate
 *     7F4E Certificate Body
 *       5F29 Certificate Profile Identifier (00)
 *       42   Certification Authority Reference
 *       7F49 Public Key
 *       5F20 Certificate Holder Reference
 *       7F4C Certificate Holder Authorization Template
 *       5F25 Certificate Effective Date
 *       5F24 Certificate Expiration Date
 *       65   Certificate Extensions (optional)
 *     5F37 Signature (plain r||s, TR-03111)
 *
 * The signature covers the encoded body exactly as received; decode keeps
 * those bytes, so verification never depends on re-encoding.
 */
import type { KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import { OID } from '../../asn1/oids.js';
import type { Curve, HashName } from '../../crypto/curves.js';
import { ecdsaSign, ecdsaVerify } from '../../crypto/ecdsa.js';
import { curveOfKey, publicKeyFromPoint, publicPointOf } from '../../crypto/keys.js';
import { TlvError } from '../../tlv/errors.js';
import {
  childrenOf,
  expectTlv,
  findTlv,
  parseTlvList,
  requireTlv,
  type Tlv,
  tlv,
  validateTree,
} from '../../tlv/tlv.js';
import { Chat, type Role } from './chat.js';
import { decodeCvDate, encodeCvDate } from './dates.js';
import { CvcError } from './errors.js';
import { type CvExtension, decodeExtensions, encodeExtension, encodeExtensions } from './extensions.js';
import { isHolderReference } from './holder-reference.js';
import {
  type CvPublicKey,
  decodeCvPublicKey,
  encodeCvPublicKey,
  hashOfTaAlgorithm,
  taAlgorithmForHash,
} from './public-key.js';

export class CvCertificate {
  private constructor(
    /** The complete encoding (7F21 …). */
    readonly raw: Buffer,
    /** The encoded body (7F4E …), the signed bytes. */
    readonly body: Buffer,
    readonly car: string,
    readonly chr: string,
    readonly publicKey: CvPublicKey,
    readonly chat: Chat,
    readonly effectiveDate: string,
    readonly expirationDate: string,
    readonly extensions: readonly CvExtension[],
    readonly signature: Buffer,
  ) {}

  /** Parses one certificate; every defect is a CvcError('malformed'). */
  static decode(buf: Buffer): CvCertificate {
    try {
      validateTree(buf, 6);
      const outer = expectTlv(buf, 0x7f21, 'CV certificate');
      const kids = childrenOf(outer);
      const body = requireTlv(kids, 0x7f4e, 'certificate body');
      const sig = requireTlv(kids, 0x5f37, 'signature');
      if (kids.length !== 2 || kids[0] !== body)
        throw new CvcError('malformed', 'CV certificate must be body then signature');
      const b = childrenOf(body);
      const order = [0x5f29, 0x42, 0x7f49, 0x5f20, 0x7f4c, 0x5f25, 0x5f24];
      for (let i = 0; i < order.length; i++) {
        if (b[i]?.tag !== order[i])
          throw new CvcError(
            'malformed',
            `certificate body element ${i} must be tag 0x${order[i]!.toString(16)}`,
          );
      }
      if (b.length > 8 || (b.length === 8 && b[7]!.tag !== 0x65))
        throw new CvcError('malformed', 'unexpected data in certificate body');
      const cpi = b[0]!.value;
      if (cpi.length !== 1 || cpi[0] !== 0)
        throw new CvcError('malformed', 'certificate profile identifier must be 0');
      const car = b[1]!.value.toString('latin1');
      const chr = b[3]!.value.toString('latin1');
      if (!isHolderReference(car) || !isHolderReference(chr))
        throw new CvcError('malformed', 'invalid CAR or CHR');
      const effective = decodeCvDate(b[5]!.value);
      const expiration = decodeCvDate(b[6]!.value);
      if (expiration < effective) throw new CvcError('malformed', 'expiration date precedes effective date');
      return new CvCertificate(
        Buffer.from(outer.raw),
        Buffer.from(body.raw),
        car,
        chr,
        decodeCvPublicKey(b[2]!),
        Chat.decode(b[4]!),
        effective,
        expiration,
        b[7] ? decodeExtensions(b[7]) : [],
        Buffer.from(sig.value),
      );
    } catch (e) {
      if (e instanceof CvcError && e.code === 'malformed') throw e;
      if (e instanceof CvcError || e instanceof TlvError)
        throw new CvcError('malformed', `malformed CV certificate: ${e.message}`);
      throw e;
    }
  }

  /** Splits a concatenation of certificates (as `cvc-create` chains or PAOS lists). */
  static decodeAll(buf: Buffer): CvCertificate[] {
    let list: Tlv[];
    try {
      list = parseTlvList(buf);
    } catch (e) {
      throw new CvcError('malformed', `malformed certificate list: ${(e as Error).message}`);
    }
    return list.map((t) => CvCertificate.decode(Buffer.from(t.raw)));
  }

  get role(): Role {
    return this.chat.role;
  }

  get isSelfSigned(): boolean {
    return this.car === this.chr;
  }

  /** Hash of this certificate's own key algorithm (what the holder signs with). */
  get hash(): HashName {
    return hashOfTaAlgorithm(this.publicKey.algorithm);
  }

  extension(extOid: string): CvExtension | undefined {
    return this.extensions.find((e) => e.oid === extOid);
  }

  /** The CertificateDescription hash of the id-description extension, if present. */
  get descriptionHash(): Buffer | undefined {
    const ext = this.extension(OID.idDescription);
    const h = ext && findTlv(ext.objects, 0x80);
    return h ? Buffer.from(h.value) : undefined;
  }

  /** The public key as a node:crypto KeyObject on `curve` (inherited from the CVCA when not explicit). */
  keyObject(curve?: Curve): KeyObject {
    const c = this.publicKey.curve ?? curve;
    if (!c)
      throw new CvcError('broken-chain', `${this.chr} has no domain parameters and none were inherited`);
    return publicKeyFromPoint(c, this.publicKey.point);
  }

  /** Verifies this certificate's signature with the issuer's key and algorithm. */
  verifySignature(issuerKey: KeyObject, issuerHash: HashName): boolean {
    return ecdsaVerify(issuerHash, this.body, issuerKey, this.signature, 'plain');
  }

  fingerprint(hash: HashName = 'sha256'): string {
    return createHash(hash).update(this.raw).digest('hex');
  }
}

export interface CvCertificateTemplate {
  readonly car: string;
  readonly chr: string;
  readonly chat: Chat;
  readonly effectiveDate: string;
  readonly expirationDate: string;
  /** Public key of the holder (private or public KeyObject). */
  readonly holderKey: KeyObject;
  /** Hash the holder will sign with; defaults to the curve's hash. */
  readonly holderHash?: HashName;
  /** Whether to include explicit domain parameters (CVCA certificates). */
  readonly withDomainParameters?: boolean;
  /** Hash of the CertificateDescription, for an id-description extension. */
  readonly descriptionHash?: Buffer;
  /** Additional encoded extensions (73 …). */
  readonly extraExtensions?: readonly Buffer[];
}

/** Builds and signs a CV certificate. The issuer signs with its own curve's hash unless given. */
export function issueCvCertificate(
  t: CvCertificateTemplate,
  issuerKey: KeyObject,
  issuerHash?: HashName,
): CvCertificate {
  const curve = curveOfKey(t.holderKey);
  const algorithm = taAlgorithmForHash(t.holderHash ?? curve.hash);
  const exts: Buffer[] = [];
  if (t.descriptionHash)
    exts.push(encodeExtension(OID.idDescription, [{ tag: 0x80, value: t.descriptionHash }]));
  exts.push(...(t.extraExtensions ?? []));
  const body = tlv(0x7f4e, [
    tlv(0x5f29, Buffer.from([0])),
    tlv(0x42, Buffer.from(t.car, 'latin1')),
    encodeCvPublicKey(
      algorithm,
      curve,
      publicPointOf(t.holderKey),
      t.withDomainParameters ?? t.chat.role === 'cvca',
    ),
    tlv(0x5f20, Buffer.from(t.chr, 'latin1')),
    t.chat.encode(),
    tlv(0x5f25, encodeCvDate(t.effectiveDate)),
    tlv(0x5f24, encodeCvDate(t.expirationDate)),
    ...(exts.length ? [encodeExtensions(exts)] : []),
  ]);
  const signature = ecdsaSign(issuerHash ?? curveOfKey(issuerKey).hash, body, issuerKey, 'plain');
  return CvCertificate.decode(tlv(0x7f21, [body, tlv(0x5f37, signature)]));
}
