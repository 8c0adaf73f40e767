/**
 * The IdP's SAML keys (src/pki/layout.ts): an ECDSA P-256 and an RSA-3072
 * signing key, and a separate RSA-3072 encryption key (TR-03130-1 §4.9.1–4.9.2:
 * signing and encryption key pairs differ). Signing goes through `Signer`, so
 * a key in a PKCS#11 token (src/provisioning/keys/) signs without the XML code
 * knowing.
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asSigningKey, type SignatureScheme, type SigningKey } from '../../../crypto/signing-key.js';
import { PKI_FILES } from '../../../pki/layout.js';
import type { KeyName } from '../../../provisioning/keys/names.js';
import { fileKeySource, type KeySource } from '../../../provisioning/keys/source.js';
import { signatureScheme } from '../algorithms.js';

export interface Signer {
  /** Signature algorithm URI (XML-DSig). */
  readonly algorithm: string;
  readonly certificate: X509Certificate;
  /** The signature value as XML-DSig defines it (ECDSA: r ‖ s, RFC 4051 §3.4.1). */
  sign(data: Buffer): Buffer;
}

export interface IdpKeys {
  /** The signing keys: PEM files or keys in the PKCS#11 token (src/provisioning/keys/source.ts). */
  readonly signingEc: { readonly key: SigningKey; readonly certificate: X509Certificate };
  readonly signingRsa: { readonly key: SigningKey; readonly certificate: X509Certificate };
  /** The decryption key is always a file (docs/operations.md: keys in an HSM). */
  readonly encryption: { readonly key: KeyObject; readonly certificate: X509Certificate };
}

const SCHEMES: Record<'ec' | 'rsa' | 'rsa-pss', SignatureScheme> = {
  ec: 'ecdsa',
  rsa: 'rsa-pkcs1',
  'rsa-pss': 'rsa-pss',
};

/** A Signer for `algorithm` with a KeyObject or a SigningKey (a key in a token). */
export function keySigner(
  key: KeyObject | SigningKey,
  certificate: X509Certificate,
  algorithm: string,
): Signer {
  const scheme = signatureScheme(algorithm);
  if (!scheme) throw new Error(`unsupported signature algorithm ${algorithm}`);
  const signing = asSigningKey(key);
  const params = { hash: scheme.hash, scheme: SCHEMES[scheme.key] };
  return { algorithm, certificate, sign: (data) => signing.sign(params, data) };
}

function certificateOf(dir: string, certFile: string, what: string): X509Certificate {
  try {
    return new X509Certificate(readFileSync(join(dir, certFile)));
  } catch (e) {
    throw new Error(`SAML ${what} certificate in ${dir} is missing or unreadable: ${(e as Error).message}`);
  }
}

function signingPair(keys: KeySource, dir: string, name: KeyName, certFile: string, type: 'ec' | 'rsa') {
  const certificate = certificateOf(dir, certFile, `${type === 'ec' ? 'ECDSA' : 'RSA'} signing`);
  const key = keys.signingKey(name, certificate.publicKey);
  if (key.type !== type)
    throw new Error(
      `the SAML ${type === 'ec' ? 'ECDSA' : 'RSA'} signing key is not an ${type.toUpperCase()} key`,
    );
  return { key, certificate };
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

/** The IdP's keys; the signing keys come from `keys` (PEM files of `pkiDir` unless a token is configured). */
export function loadIdpKeys(pkiDir: string, keys: KeySource = fileKeySource(pkiDir)): IdpKeys {
  const out: IdpKeys = {
    signingEc: signingPair(keys, pkiDir, 'saml-signing-ec', PKI_FILES.samlSigningEcCert, 'ec'),
    signingRsa: signingPair(keys, pkiDir, 'saml-signing-rsa', PKI_FILES.samlSigningRsaCert, 'rsa'),
    encryption: pair(pkiDir, PKI_FILES.samlEncryptionKey, PKI_FILES.samlEncryptionCert, 'encryption'),
  };
  if (out.encryption.key.asymmetricKeyType !== 'rsa')
    throw new Error('the SAML encryption key must be an RSA key');
  return out;
}

/** True when the encryption key is one of the signing keys (a test PKI may share one cached RSA key). */
export function encryptionKeyReused(k: IdpKeys): boolean {
  const spki = (x: KeyObject) =>
    (x.type === 'private' ? createPublicKey(x) : x).export({ format: 'der', type: 'spki' });
  return spki(k.encryption.key).equals(spki(k.signingRsa.key.publicKey));
}
