/**
 * A SigningKey whose private key stays in a PKCS#11 token: node hashes the
 * data, the token signs the hash (PKCS#11 v2.40 mechanisms):
 *
 * - ECDSA: CKM_ECDSA over the hash (§2.3.6). The token returns r ‖ s, each
 *   as long as the order (§2.3.1), which is the plain format TA and
 *   XML-DSig need (TR-03111 §5.2.1; RFC 4051 §3.4.1).
 * - RSASSA-PSS: CKM_RSA_PKCS_PSS over the hash with CK_RSA_PKCS_PSS_PARAMS
 *   {hashAlg, MGF1 with the same hash, sLen = hash length} (§2.1.9–2.1.10;
 *   the MGF types §2.1.7).
 * - RSASSA-PKCS1-v1_5: CKM_RSA_PKCS over the DigestInfo (§2.1.6; RFC 8017 §9.2).
 *
 * The calls are synchronous, on the event loop: C_SignInit and C_Sign run
 * back to back, so the one session never has two operations active (base
 * §5.11: C_SignInit refuses a second one). pkcs11js also offers C_SignAsync
 * (a worker thread), but every caller signs synchronously and one session
 * cannot serve concurrent operations; a network HSM would want a session
 * pool and async signing (docs/operations.md).
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { HashName } from '../../../crypto/curves.js';
import {
  checkScheme,
  digestInfo,
  type SignatureParams,
  type SigningKey,
} from '../../../crypto/signing-key.js';
import { CK, type Cryptoki, ckr, type Handle, KeyStoreError, type Mechanism } from './binding.js';

const HASH_MECHANISM: Record<HashName, { hashAlg: number; mgf: number }> = {
  sha256: { hashAlg: CK.CKM_SHA256, mgf: CK.CKG_MGF1_SHA256 },
  sha384: { hashAlg: CK.CKM_SHA384, mgf: CK.CKG_MGF1_SHA384 },
  sha512: { hashAlg: CK.CKM_SHA512, mgf: CK.CKG_MGF1_SHA512 },
};

/** Room for any signature: RSA-8192 is 1024 bytes, ECDSA P-521 132. */
const MAX_SIGNATURE = 1024;

export interface TokenKeyRef {
  readonly api: Cryptoki;
  readonly session: () => Handle;
  /** pkcs11js' structure tag of CK_RSA_PKCS_PSS_PARAMS. */
  readonly pssParamsType: number;
  readonly privateKey: Handle;
  readonly id: string;
  readonly type: 'ec' | 'rsa';
  readonly publicKey: KeyObject;
}

export function pkcs11SigningKey(ref: TokenKeyRef): SigningKey {
  const self: SigningKey = {
    id: ref.id,
    type: ref.type,
    publicKey: ref.publicKey,
    sign({ hash, scheme }: SignatureParams, data: Uint8Array): Buffer {
      checkScheme(self, scheme);
      const digest = createHash(hash).update(data).digest();
      let mechanism: Mechanism;
      let input: Buffer = digest;
      if (scheme === 'ecdsa') mechanism = { mechanism: CK.CKM_ECDSA };
      else if (scheme === 'rsa-pss') {
        const { hashAlg, mgf } = HASH_MECHANISM[hash];
        mechanism = {
          mechanism: CK.CKM_RSA_PKCS_PSS,
          parameter: { type: ref.pssParamsType, hashAlg, mgf, saltLen: digest.length },
        };
      } else {
        mechanism = { mechanism: CK.CKM_RSA_PKCS };
        input = digestInfo(hash, digest);
      }
      const session = ref.session();
      try {
        ref.api.C_SignInit(session, mechanism, ref.privateKey);
        return Buffer.from(ref.api.C_Sign(session, input, Buffer.alloc(MAX_SIGNATURE)));
      } catch (e) {
        throw new KeyStoreError(`${ref.id}: ${scheme} signature in the token failed: ${ckr(e).message}`);
      }
    },
  };
  return self;
}
