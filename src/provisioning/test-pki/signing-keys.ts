/**
 * The test PKI's SAML and SOAP keys (src/pki/layout.ts): the SAML signing
 * keys (ECDSA P-256 and RSA-3072), the SAML encryption key (RSA-3072) and the
 * SOAP WS-Security signing key (RSA-3072), each with a self-signed
 * certificate. With a PKCS#11 token (`tokenKeys`), the two SAML signing keys
 * and the SOAP signing key are generated in the token and certified there
 * (the self-signature is made by the token); the encryption key stays a file.
 */
import type { KeyObject } from 'node:crypto';
import { curveByName } from '../../crypto/curves.js';
import { generateEcKeyPair } from '../../crypto/keys.js';
import type { SigningKey } from '../../crypto/signing-key.js';
import { PKI_FILES } from '../../pki/layout.js';
import { selfSignedTlsCertificate } from '../../pki/x509/tls.js';
import { type KeyName, keyFile } from '../keys/names.js';
import type { KeyGenerator } from '../keys/source.js';
import type { PkiWriter } from './create.js';

/** A signing key generated in the token; a PEM file an earlier PKI left at its place is removed. */
export function inToken(
  gen: KeyGenerator,
  w: PkiWriter,
  name: KeyName,
  spec: Parameters<KeyGenerator['generate']>[1],
): SigningKey {
  w.remove(keyFile(name));
  return gen.generate(name, spec);
}

export function writeSamlSoapKeys(w: PkiWriter, rsa: () => KeyObject, tokenKeys?: KeyGenerator): void {
  const p256 = curveByName('prime256v1');
  let samlEc: KeyObject | SigningKey;
  if (tokenKeys) samlEc = inToken(tokenKeys, w, 'saml-signing-ec', { type: 'ec', curve: p256 });
  else {
    samlEc = generateEcKeyPair(p256).privateKey;
    w.key(PKI_FILES.samlSigningEcKey, samlEc);
  }
  w.pem(
    PKI_FILES.samlSigningEcCert,
    selfSignedTlsCertificate({ commonName: 'N_eID-Server SAML signing (ECDSA)', key: samlEc, days: 730 }),
  );
  const rsaKeys = [
    [PKI_FILES.samlSigningRsaCert, 'N_eID-Server SAML signing (RSA)', 'saml-signing-rsa'],
    [PKI_FILES.samlEncryptionCert, 'N_eID-Server SAML encryption', PKI_FILES.samlEncryptionKey],
    [PKI_FILES.soapSigningCert, 'N_eID-Server SOAP signing', 'soap-signing'],
  ] as const;
  for (const [certFile, cn, key] of rsaKeys) {
    let k: KeyObject | SigningKey;
    if (key === 'saml-signing-rsa' || key === 'soap-signing') {
      if (tokenKeys) k = inToken(tokenKeys, w, key, { type: 'rsa', bits: 3072 });
      else {
        k = rsa();
        w.key(keyFile(key), k);
      }
    } else {
      k = rsa();
      w.key(key, k);
    }
    w.pem(certFile, selfSignedTlsCertificate({ commonName: cn, key: k, days: 730 }));
  }
}
