/**
 * The XML-Signature algorithms of the eID-Interface (TR-03130-1 §3.5.2:
 * Basic256Sha256, Basic192Sha256, Basic128Sha256 — all RSA-SHA256 with
 * SHA-256 digests — within TR-03116-4 §4.3), registered with xml-crypto in
 * place of its defaults so that nothing else (RSA-SHA1, HMAC, SHA-1 digests)
 * is ever accepted. ECDSA and RSA-PSS (RFC 9231) are accepted too; ECDSA
 * signature values are r‖s (XML-DSig 1.1 §6.4.3).
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyLike,
  type KeyObject,
  verify,
} from 'node:crypto';
import {
  asSigningKey,
  isSigningKey,
  type SignatureScheme,
  type SigningKey,
} from '../../../crypto/signing-key.js';
import { ALG } from '../namespaces.js';

type Hash = 'sha256' | 'sha384' | 'sha512';

interface AlgorithmSpec {
  readonly hash: Hash;
  readonly kind: 'rsa' | 'rsa-pss' | 'ecdsa';
}

export const SIGNATURE_ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = {
  [ALG.rsaSha256]: { hash: 'sha256', kind: 'rsa' },
  [ALG.rsaSha384]: { hash: 'sha384', kind: 'rsa' },
  [ALG.rsaSha512]: { hash: 'sha512', kind: 'rsa' },
  [ALG.rsaPssSha256]: { hash: 'sha256', kind: 'rsa-pss' },
  [ALG.rsaPssSha384]: { hash: 'sha384', kind: 'rsa-pss' },
  [ALG.rsaPssSha512]: { hash: 'sha512', kind: 'rsa-pss' },
  [ALG.ecdsaSha256]: { hash: 'sha256', kind: 'ecdsa' },
  [ALG.ecdsaSha384]: { hash: 'sha384', kind: 'ecdsa' },
  [ALG.ecdsaSha512]: { hash: 'sha512', kind: 'ecdsa' },
};

export const DIGEST_ALGORITHMS: Readonly<Record<string, Hash>> = {
  [ALG.sha256]: 'sha256',
  [ALG.sha384]: 'sha384',
  [ALG.sha512]: 'sha512',
};

const DIGEST_LENGTH: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };
/** The SigningKey scheme of each kind; RSA-PSS salt = digest length there as here (RFC 9231 §2.3.10). */
const SCHEME: Record<AlgorithmSpec['kind'], SignatureScheme> = {
  rsa: 'rsa-pkcs1',
  'rsa-pss': 'rsa-pss',
  ecdsa: 'ecdsa',
};

interface KeyOptions {
  readonly key: KeyObject;
  readonly padding?: number;
  readonly saltLength?: number;
  readonly dsaEncoding?: 'ieee-p1363';
}

function keyOptions(spec: AlgorithmSpec, k: KeyObject): KeyOptions {
  if (spec.kind === 'rsa-pss')
    return { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: DIGEST_LENGTH[spec.hash] };
  if (spec.kind === 'ecdsa') return { key: k, dsaEncoding: 'ieee-p1363' };
  return { key: k, padding: constants.RSA_PKCS1_PADDING };
}

const asKey = (key: KeyLike, kind: 'public' | 'private'): KeyObject =>
  typeof key === 'string' || Buffer.isBuffer(key)
    ? kind === 'public'
      ? createPublicKey(key)
      : createPrivateKey(key)
    : (key as KeyObject);

function keyMatches(spec: AlgorithmSpec, key: KeyObject): boolean {
  const t = key.asymmetricKeyType;
  return spec.kind === 'ecdsa' ? t === 'ec' : t === 'rsa' || (spec.kind === 'rsa-pss' && t === 'rsa-pss');
}

/** The base64 SignatureValue of `signedInfo` (its canonical form) under the signature method `uri`. */
export function signatureValue(uri: string, key: SigningKey, signedInfo: string): string {
  const spec = SIGNATURE_ALGORITHMS[uri];
  if (!spec) throw new Error(`signature method ${uri} is not one of ours`);
  return key
    .sign({ hash: spec.hash, scheme: SCHEME[spec.kind] }, Buffer.from(signedInfo, 'utf8'))
    .toString('base64');
}

/** An xml-crypto SignatureAlgorithm implemented with node:crypto. */
function algorithmClass(uri: string, spec: AlgorithmSpec) {
  return class {
    getAlgorithmName(): string {
      return uri;
    }
    /** Signs with a SigningKey (a PEM key or a key in a PKCS#11 token), or a private KeyLike. */
    getSignature(signedInfo: string, privateKey: unknown): string {
      const key = isSigningKey(privateKey)
        ? privateKey
        : asSigningKey(asKey(privateKey as KeyLike, 'private'));
      return signatureValue(uri, key, signedInfo);
    }
    verifySignature(material: string, key: KeyLike, signatureValue: string): boolean {
      try {
        const k = asKey(key, 'public');
        if (!keyMatches(spec, k)) return false;
        const opts = keyOptions(spec, k);
        return verify(spec.hash, Buffer.from(material, 'utf8'), opts, Buffer.from(signatureValue, 'base64'));
      } catch {
        return false;
      }
    }
  };
}

function hashClass(uri: string, hash: Hash) {
  return class {
    getAlgorithmName(): string {
      return uri;
    }
    getHash(xml: string): string {
      return createHash(hash).update(xml, 'utf8').digest('base64');
    }
  };
}

/** The algorithm tables to install on an xml-crypto SignedXml (replacing its defaults). */
export function xmlCryptoAlgorithms(): { signature: Record<string, unknown>; hash: Record<string, unknown> } {
  return {
    signature: Object.fromEntries(
      Object.entries(SIGNATURE_ALGORITHMS).map(([u, s]) => [u, algorithmClass(u, s)]),
    ),
    hash: Object.fromEntries(Object.entries(DIGEST_ALGORITHMS).map(([u, h]) => [u, hashClass(u, h)])),
  };
}
