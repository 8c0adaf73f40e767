/**
 * Signature algorithms for xml-crypto, built from an explicit allow-list:
 * ECDSA (RFC 4051 §3.4.1: SignatureValue is r ‖ s, each as long as the curve
 * order), RSASSA-PSS (RFC 6931 §2.3.10, sha256-rsa-MGF1) and RSA PKCS#1 v1.5
 * (legacy SPs only). A verifier instance knows only the algorithms the SP may
 * use; signing goes through a `Signer` (key store / HSM-ready).
 */
import { constants, createHash, type KeyObject, verify } from 'node:crypto';
import type { HashAlgorithm, SignatureAlgorithm } from 'xml-crypto';
import { signatureScheme } from '../algorithms.js';
import type { Signer } from './keys.js';

const EC_SIZES: Record<string, number> = {
  prime256v1: 32,
  secp384r1: 48,
  secp521r1: 66,
  brainpoolP256r1: 32,
  brainpoolP384r1: 48,
  brainpoolP512r1: 64,
};

/** Verifies a detached signature value (raw bytes) with a public key under the algorithm URI. */
export function verifyRaw(uri: string, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const scheme = signatureScheme(uri);
  if (!scheme) return false;
  try {
    if (scheme.key === 'ec') {
      if (key.asymmetricKeyType !== 'ec') return false;
      const size = EC_SIZES[key.asymmetricKeyDetails?.namedCurve ?? ''];
      if (!size) return false;
      // XML-DSig encodes r ‖ s; some SAML stacks sign the Redirect binding with DER. Both are unambiguous.
      const dsaEncoding = signature.length === 2 * size ? 'ieee-p1363' : 'der';
      return verify(scheme.hash, data, { key, dsaEncoding }, signature);
    }
    if (key.asymmetricKeyType !== 'rsa') return false;
    if (scheme.key === 'rsa-pss') {
      return verify(
        scheme.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
        signature,
      );
    }
    return verify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

type AlgorithmClass = new () => SignatureAlgorithm;

/** A verify-only algorithm class for xml-crypto; the key it receives must be a KeyObject. */
function verifierClass(uri: string): AlgorithmClass {
  return class implements SignatureAlgorithm {
    getSignature(): never {
      throw new Error('verification-only algorithm');
    }
    verifySignature(material: string, key: unknown, signatureValue: string): boolean {
      if (typeof key !== 'object' || key === null || (key as KeyObject).type !== 'public') return false;
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(signatureValue)) return false;
      return verifyRaw(
        uri,
        key as KeyObject,
        Buffer.from(material, 'utf8'),
        Buffer.from(signatureValue, 'base64'),
      );
    }
    getAlgorithmName(): string {
      return uri;
    }
  } as unknown as AlgorithmClass;
}

/** The SignatureAlgorithms map of a verifier: exactly the allowed URIs. */
export function verifierAlgorithms(allowed: readonly string[]): Record<string, AlgorithmClass> {
  return Object.fromEntries(allowed.filter((u) => signatureScheme(u)).map((u) => [u, verifierClass(u)]));
}

/** A sign-only algorithm class for xml-crypto that delegates to `signer`. */
export function signerAlgorithms(signer: Signer): Record<string, AlgorithmClass> {
  const cls = class implements SignatureAlgorithm {
    getSignature(signedInfo: unknown): string {
      const data =
        typeof signedInfo === 'string'
          ? Buffer.from(signedInfo, 'utf8')
          : Buffer.from(signedInfo as Uint8Array);
      return signer.sign(data).toString('base64');
    }
    verifySignature(): boolean {
      return false;
    }
    getAlgorithmName(): string {
      return signer.algorithm;
    }
  } as unknown as AlgorithmClass;
  return { [signer.algorithm]: cls };
}

type HashClass = new () => HashAlgorithm;
const HASH_NAMES: Record<string, string> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

/** The HashAlgorithms map of a verifier or signer: exactly the allowed digest URIs (SHA-2 only). */
export function hashAlgorithms(allowed: readonly string[]): Record<string, HashClass> {
  const out: Record<string, HashClass> = {};
  for (const uri of allowed) {
    const name = HASH_NAMES[uri];
    if (!name) continue;
    out[uri] = class implements HashAlgorithm {
      getHash(xml: string): string {
        return createHash(name).update(xml, 'utf8').digest('base64');
      }
      getAlgorithmName(): string {
        return uri;
      }
    };
  }
  return out;
}
