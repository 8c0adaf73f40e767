/**
 * CV certificate request (TR-03110-3 §C.2, D.2):
 *
 *   67   Authentication                       (only with an outer signature)
 *     7F21 CV Certificate (the request)
 *       7F4E Certificate Body
 *         5F29 Certificate Profile Identifier (00)
 *         42   Certification Authority Reference (the DV expected to sign)
 *         7F49 Public Key, always WITH domain parameters (§D.3.3)
 *         5F20 Certificate Holder Reference
 *         65   Certificate Extensions (id-description, id-sector hashes)
 *       5F37 inner signature: by the new key over the encoded body
 *     42   CAR of the outer signature's key (the current terminal certificate)
 *     5F37 outer signature over 7F21 ‖ 42 (both with tag and length)
 *
 * Table 24 has no CHAT: the DV sets the rights. The rights approved for the
 * eService travel beside the request (the registry's export states them), the
 * embedded test DV issues exactly them, and an imported certificate must
 * carry exactly them. OpenPACE's `cvc-print --csr` parses this form (it
 * refuses a CHAT in the body, as Table 24 does).
 */
import type { KeyObject } from 'node:crypto';
import { OID } from '../../asn1/oids.js';
import type { HashName } from '../../crypto/curves.js';
import { ecdsaVerify } from '../../crypto/ecdsa.js';
import { curveOfKey, publicKeyFromPoint, publicPointOf } from '../../crypto/keys.js';
import type { SigningKey } from '../../crypto/signing-key.js';
import { TlvError } from '../../tlv/errors.js';
import { childrenOf, expectTlv, requireTlv, tlv, validateTree } from '../../tlv/tlv.js';
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

export interface CvRequestTemplate {
  /** The DV expected to issue the certificate. */
  readonly car?: string;
  readonly chr: string;
  /** The new key; the request is self-signed with it (inner signature). */
  readonly key: SigningKey;
  readonly descriptionHash?: Buffer;
  readonly sectorKeyHash?: Buffer;
  /** Renewal: the current terminal key and its CHR sign the request too (outer signature). */
  readonly outer?: { readonly key: SigningKey; readonly car: string; readonly hash?: HashName };
}

export class CvRequest {
  private constructor(
    /** The complete encoding (67 … or 7F21 …). */
    readonly raw: Buffer,
    readonly body: Buffer,
    readonly car: string | undefined,
    readonly chr: string,
    readonly publicKey: CvPublicKey,
    readonly extensions: readonly CvExtension[],
    readonly innerSignature: Buffer,
    /** The inner request 7F21 … (what the outer signature covers, with the outer CAR). */
    readonly inner: Buffer,
    readonly outer?: { readonly car: string; readonly carTlv: Buffer; readonly signature: Buffer },
  ) {}

  static decode(buf: Buffer): CvRequest {
    try {
      validateTree(buf, 6);
      let innerRaw = buf;
      let outer: CvRequest['outer'];
      if (buf[0] === 0x67) {
        const auth = childrenOf(expectTlv(buf, 0x67, 'authentication'));
        const req = requireTlv(auth, 0x7f21, 'CV certificate request');
        const car = requireTlv(auth, 0x42, 'outer CAR');
        const sig = requireTlv(auth, 0x5f37, 'outer signature');
        if (auth.length !== 3 || auth[0] !== req || auth[1] !== car)
          throw new CvcError('malformed', 'authentication must be request, CAR, signature');
        innerRaw = Buffer.from(req.raw);
        outer = {
          car: car.value.toString('latin1'),
          carTlv: Buffer.from(car.raw),
          signature: Buffer.from(sig.value),
        };
      }
      const kids = childrenOf(expectTlv(innerRaw, 0x7f21, 'CV certificate request'));
      const body = requireTlv(kids, 0x7f4e, 'certificate body');
      const sig = requireTlv(kids, 0x5f37, 'inner signature');
      if (kids.length !== 2 || kids[0] !== body)
        throw new CvcError('malformed', 'a request is body then signature');
      const b = childrenOf(body);
      let i = 0;
      const next = (tag: number) => (b[i]?.tag === tag ? b[i++] : undefined);
      const cpi = next(0x5f29);
      if (cpi?.value.length !== 1 || cpi.value[0] !== 0)
        throw new CvcError('malformed', 'certificate profile identifier must be 0');
      const car = next(0x42)?.value.toString('latin1');
      const pk = next(0x7f49);
      const chr = next(0x5f20)?.value.toString('latin1');
      if (!pk || !chr) throw new CvcError('malformed', 'a request needs a public key and a CHR');
      const ext = next(0x65);
      if (i !== b.length) throw new CvcError('malformed', 'unexpected data in the request body');
      if (!isHolderReference(chr) || (car !== undefined && !isHolderReference(car)))
        throw new CvcError('malformed', 'invalid CAR or CHR');
      const publicKey = decodeCvPublicKey(pk);
      if (!publicKey.curve)
        throw new CvcError('malformed', 'a request must carry domain parameters (§D.3.3)');
      return new CvRequest(
        Buffer.from(buf),
        Buffer.from(body.raw),
        car,
        chr,
        publicKey,
        ext ? decodeExtensions(ext) : [],
        Buffer.from(sig.value),
        innerRaw,
        outer,
      );
    } catch (e) {
      if (e instanceof CvcError && e.code === 'malformed') throw e;
      if (e instanceof CvcError || e instanceof TlvError)
        throw new CvcError('malformed', `malformed CV certificate request: ${e.message}`);
      throw e;
    }
  }

  /** The requested public key as a KeyObject (the request carries its domain parameters). */
  keyObject(): KeyObject {
    return publicKeyFromPoint(this.publicKey.curve!, this.publicKey.point);
  }

  /** The inner signature: the body signed by the key it carries (proof of possession). */
  verifyInner(): boolean {
    return ecdsaVerify(
      hashOfTaAlgorithm(this.publicKey.algorithm),
      this.body,
      this.keyObject(),
      this.innerSignature,
      'plain',
    );
  }

  /** The outer signature, with the public key of the certificate named by its CAR. */
  verifyOuter(key: KeyObject, hash: HashName): boolean {
    if (!this.outer) return false;
    return ecdsaVerify(
      hash,
      Buffer.concat([this.inner, this.outer.carTlv]),
      key,
      this.outer.signature,
      'plain',
    );
  }

  get descriptionHash(): Buffer | undefined {
    const ext = this.extensions.find((e) => e.oid === OID.idDescription);
    const h = ext?.objects.find((o) => o.tag === 0x80);
    return h ? Buffer.from(h.value) : undefined;
  }
}

/** Builds and signs a request; with `outer`, wraps it in the authentication object. */
export function createCvRequest(t: CvRequestTemplate): CvRequest {
  const curve = curveOfKey(t.key.publicKey);
  const exts: Buffer[] = [];
  if (t.descriptionHash)
    exts.push(encodeExtension(OID.idDescription, [{ tag: 0x80, value: t.descriptionHash }]));
  if (t.sectorKeyHash) exts.push(encodeExtension(OID.idSector, [{ tag: 0x80, value: t.sectorKeyHash }]));
  const body = tlv(0x7f4e, [
    tlv(0x5f29, Buffer.from([0])),
    ...(t.car ? [tlv(0x42, Buffer.from(t.car, 'latin1'))] : []),
    encodeCvPublicKey(taAlgorithmForHash(curve.hash), curve, publicPointOf(t.key.publicKey), true),
    tlv(0x5f20, Buffer.from(t.chr, 'latin1')),
    ...(exts.length ? [encodeExtensions(exts)] : []),
  ]);
  const inner = tlv(0x7f21, [body, tlv(0x5f37, t.key.sign({ hash: curve.hash, scheme: 'ecdsa' }, body))]);
  if (!t.outer) return CvRequest.decode(inner);
  const carTlv = tlv(0x42, Buffer.from(t.outer.car, 'latin1'));
  const hash = t.outer.hash ?? curveOfKey(t.outer.key.publicKey).hash;
  const outerSig = t.outer.key.sign({ hash, scheme: 'ecdsa' }, Buffer.concat([inner, carTlv]));
  return CvRequest.decode(tlv(0x67, [inner, carTlv, tlv(0x5f37, outerSig)]));
}
