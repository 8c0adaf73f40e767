/**
 * A private signing key the server may not hold: the terminal (TA) keys, the
 * SAML and the SOAP signing keys are used only through `SigningKey`, so they
 * can live in a PKCS#11 token (src/provisioning/keys/pkcs11/) as well as in a
 * node:crypto KeyObject read from a PEM file (`keyObjectSigningKey`).
 *
 * Signing is synchronous: its callers (TA in the EAC1 step, xml-crypto's
 * SignatureAlgorithm) are. Every implementation must return the same formats:
 *
 * - `ecdsa`: plain r ‖ s, each as long as the curve order (TR-03111 §5.2.1,
 *   which TA uses, TR-03110-3 A.7.4.1; XML-DSig 1.1 §6.4.3 / RFC 4051 §3.4.1);
 * - `rsa-pss`: RSASSA-PSS, MGF1 with the message hash, salt as long as the
 *   hash (RFC 8017 §8.1; RFC 6931 §2.3.10; WS-Security RSA-PSS, RFC 9231);
 * - `rsa-pkcs1`: RSASSA-PKCS1-v1_5 over the DigestInfo of the hash (RFC 8017 §8.2).
 */
import { constants, createPublicKey, type KeyObject, sign as nodeSign } from 'node:crypto';
import type { HashName } from './curves.js';
import { CryptoError } from './errors.js';

export type SignatureScheme = 'ecdsa' | 'rsa-pss' | 'rsa-pkcs1';

export interface SignatureParams {
  readonly hash: HashName;
  readonly scheme: SignatureScheme;
}

export interface SigningKey {
  /** Where the key lives, for errors and logs (a file, or `pkcs11:<token>/<label>`); never secret. */
  readonly id: string;
  readonly type: 'ec' | 'rsa';
  readonly publicKey: KeyObject;
  sign(params: SignatureParams, data: Uint8Array): Buffer;
}

/** Refuses a scheme the key type cannot do (an ECDSA signature by an RSA key, …). */
export function checkScheme(key: Pick<SigningKey, 'id' | 'type'>, scheme: SignatureScheme): void {
  if ((scheme === 'ecdsa') !== (key.type === 'ec'))
    throw new CryptoError(
      'invalid-key',
      `${key.id} is an ${key.type.toUpperCase()} key; it cannot sign ${scheme}`,
    );
}

/** The private KeyObject as a SigningKey: today's signing on node:crypto, byte for byte. */
export function keyObjectSigningKey(key: KeyObject, id = 'in-memory key'): SigningKey {
  if (key.type !== 'private') throw new CryptoError('invalid-key', `${id} is not a private key`);
  const t = key.asymmetricKeyType;
  if (t !== 'ec' && t !== 'rsa') throw new CryptoError('invalid-key', `${id}: unsupported key type ${t}`);
  const self: SigningKey = {
    id,
    type: t,
    publicKey: createPublicKey(key),
    sign({ hash, scheme }, data) {
      checkScheme(self, scheme);
      if (scheme === 'ecdsa') return nodeSign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
      if (scheme === 'rsa-pss') {
        return nodeSign(hash, data, {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        });
      }
      return nodeSign(hash, data, { key, padding: constants.RSA_PKCS1_PADDING });
    },
  };
  return self;
}

export function isSigningKey(k: unknown): k is SigningKey {
  return (
    typeof k === 'object' &&
    k !== null &&
    typeof (k as SigningKey).sign === 'function' &&
    typeof (k as SigningKey).id === 'string' &&
    typeof (k as SigningKey).publicKey === 'object'
  );
}

/** A SigningKey as is; a private KeyObject wrapped by `keyObjectSigningKey`. */
export function asSigningKey(k: KeyObject | SigningKey): SigningKey {
  return isSigningKey(k) ? k : keyObjectSigningKey(k);
}

/** DER prefixes of DigestInfo ::= SEQUENCE { digestAlgorithm, digest OCTET STRING } (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: Record<HashName, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

/** The DigestInfo an RSASSA-PKCS1-v1_5 signature covers (RFC 8017 §9.2 step 2). */
export function digestInfo(hash: HashName, digest: Buffer): Buffer {
  return Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[hash], 'hex'), digest]);
}
