/**
 * The IdP's SAML keys (src/pki/layout.ts): an ECDSA P-256 and an RSA-3072
 * signing key, and a separate RSA-3072 encryption key (TR-03130-1 §4.9.1–4.9.2:
 * signing and encryption key pairs differ). Signing goes through `Signer`, so
 * a key store / HSM can replace the in-memory key without touching the XML
 * code.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  X509Certificate,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PKI_FILES } from '../../../pki/layout.js';
import { signatureScheme } from '../algorithms.js';

export interface Signer {
  /** Signature algorithm URI (XML-DSig). */
  readonly algorithm: string;
  readonly certificate: X509Certificate;
  /** The signature value as XML-DSig defines it (ECDSA: r ‖ s, RFC 4051 §3.4.1). */
  sign(data: Buffer): Buffer;
}

export interface IdpKeys {
  readonly signingEc: { readonly key: KeyObject; readonly certificate: X509Certificate };
  readonly signingRsa: { readonly key: KeyObject; readonly certificate: X509Certificate };
  readonly encryption: { readonly key: KeyObject; readonly certificate: X509Certificate };
}

export function keySigner(key: KeyObject, certificate: X509Certificate, algorithm: string): Signer {
  const scheme = signatureScheme(algorithm);
  if (!scheme) throw new Error(`unsupported signature algorithm ${algorithm}`);
  return {
    algorithm,
    certificate,
    sign: (data) =>
      sign(scheme.hash, data, {
        key,
        ...(scheme.key === 'ec' ? { dsaEncoding: 'ieee-p1363' as const } : {}),
        ...(scheme.key === 'rsa-pss'
          ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
          : {}),
      }),
  };
}

function pair(dir: string, keyFile: string, certFile: string, what: string) {
  let key: KeyObject;
  let certificate: X509Certificate;
  try {
    key = createPrivateKey(readFileSync(join(dir, keyFile)));
    certificate = new X509Certificate(readFileSync(join(dir, certFile)));
  } catch (e) {
    throw new Error(
      `SAML ${what} key or certificate in ${dir} is missing or unreadable: ${(e as Error).message}`,
    );
  }
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (!pub.equals(certificate.publicKey.export({ format: 'der', type: 'spki' }))) {
    throw new Error(`the SAML ${what} certificate ${certFile} does not belong to ${keyFile}`);
  }
  return { key, certificate };
}

export function loadIdpKeys(pkiDir: string): IdpKeys {
  const keys: IdpKeys = {
    signingEc: pair(pkiDir, PKI_FILES.samlSigningEcKey, PKI_FILES.samlSigningEcCert, 'ECDSA signing'),
    signingRsa: pair(pkiDir, PKI_FILES.samlSigningRsaKey, PKI_FILES.samlSigningRsaCert, 'RSA signing'),
    encryption: pair(pkiDir, PKI_FILES.samlEncryptionKey, PKI_FILES.samlEncryptionCert, 'encryption'),
  };
  if (keys.signingEc.key.asymmetricKeyType !== 'ec')
    throw new Error('the SAML ECDSA signing key is not an EC key');
  if (keys.signingRsa.key.asymmetricKeyType !== 'rsa' || keys.encryption.key.asymmetricKeyType !== 'rsa') {
    throw new Error('the SAML RSA signing and encryption keys must be RSA keys');
  }
  return keys;
}

/** True when the encryption key is one of the signing keys (a test PKI may share one cached RSA key). */
export function encryptionKeyReused(k: IdpKeys): boolean {
  const spki = (x: KeyObject) => createPublicKey(x).export({ format: 'der', type: 'spki' });
  return spki(k.encryption.key).equals(spki(k.signingRsa.key));
}
