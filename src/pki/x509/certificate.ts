/**
 * Issuing X.509 v3 certificates (RFC 5280 §4.1) signed with node:crypto:
 *
 *   Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier,
 *                              signatureValue BIT STRING }
 *
 * Every certificate carries SubjectKeyIdentifier, BasicConstraints (critical
 * for CAs) and KeyUsage (critical); AuthorityKeyIdentifier whenever issuer and
 * subject differ. The SubjectPublicKeyInfo is the key's SPKI exactly as
 * node:crypto exports it (named curve for brainpool and NIST curves).
 */
import { type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { explicit, integer, seq } from '../../asn1/der.js';
import type { HashName } from '../../crypto/curves.js';
import { isSigningKey, type SigningKey } from '../../crypto/signing-key.js';
import { encodeSignatureAlgorithm, schemeForKey, signData, spkiOf } from './algorithms.js';
import { keyIdentifierOf, parseCertificate, subjectKeyIdentifierOf } from './certificate-parser.js';
import { bitString, signedInteger, time } from './der.js';
import { X509Error } from './errors.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  type ExtKeyUsage,
  extKeyUsage,
  type KeyUsage,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
} from './extensions.js';
import { encodeName, type NameSpec } from './names.js';

export interface IssueCertificateOptions {
  readonly subject: NameSpec;
  /** The issuer's Name, or the issuer's certificate (DER) for a subordinate certificate. */
  readonly issuer: NameSpec | Buffer;
  /** Default: 16 random bytes, positive. */
  readonly serial?: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The certified key (a private key is accepted; its public half is used). */
  readonly subjectPublicKey: KeyObject;
  /** A private KeyObject, or a SigningKey (e.g. in a PKCS#11 token). */
  readonly issuerKey: KeyObject | SigningKey;
  /** Default: the curve's hash for EC issuer keys (TR-03116-4), SHA-256 for RSA. */
  readonly hash?: HashName;
  /** Present for CA certificates. */
  readonly ca?: { readonly pathLen?: number };
  readonly keyUsage: readonly KeyUsage[];
  readonly extKeyUsage?: readonly ExtKeyUsage[];
  readonly subjectAltNames?: { readonly dns?: readonly string[]; readonly ip?: readonly string[] };
}

/** A positive 128-bit serial number (RFC 5280 §4.1.2.2: at most 20 octets, positive). */
export function randomSerial(): bigint {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return BigInt(`0x${b.toString('hex')}`);
}

function checkKeyMatchesCertificate(certDer: Buffer, key: KeyObject | SigningKey): void {
  let ok = false;
  try {
    const cert = new X509Certificate(certDer);
    ok = isSigningKey(key) ? spkiOf(cert.publicKey).equals(spkiOf(key)) : cert.checkPrivateKey(key);
  } catch {
    ok = false;
  }
  if (!ok) throw new X509Error('invalid-input', 'issuerKey does not belong to the issuer certificate');
}

/** Issues a certificate; returns its DER encoding. */
export function issueCertificate(opts: IssueCertificateOptions): Buffer {
  const { notBefore, notAfter, issuerKey } = opts;
  if (!isSigningKey(issuerKey) && issuerKey.type !== 'private')
    throw new X509Error('invalid-input', 'issuerKey must be a private key');
  if (!(notAfter.getTime() > notBefore.getTime()))
    throw new X509Error('invalid-input', 'notAfter must be after notBefore');
  const serial = opts.serial ?? randomSerial();
  if (serial <= 0n) throw new X509Error('invalid-input', 'serial must be positive');
  const serialDer = signedInteger(serial);
  if (serialDer.length - 2 > 20) throw new X509Error('invalid-input', 'serial must fit 20 octets');

  const subjectName = encodeName(opts.subject);
  const spki = spkiOf(opts.subjectPublicKey);
  let issuerName: Buffer;
  let issuerKeyId: Buffer;
  if (Buffer.isBuffer(opts.issuer)) {
    const issuerCert = parseCertificate(opts.issuer);
    checkKeyMatchesCertificate(opts.issuer, issuerKey);
    issuerName = issuerCert.subject;
    issuerKeyId = subjectKeyIdentifierOf(issuerCert);
  } else {
    issuerName = encodeName(opts.issuer);
    issuerKeyId = keyIdentifierOf(spkiOf(issuerKey));
  }

  const scheme = schemeForKey(issuerKey, opts.hash);
  const algorithm = encodeSignatureAlgorithm(scheme);
  const exts: Buffer[] = [basicConstraints(opts.ca), keyUsage(opts.keyUsage)];
  if (opts.extKeyUsage?.length) exts.push(extKeyUsage(opts.extKeyUsage));
  if (opts.subjectAltNames) exts.push(subjectAltName(opts.subjectAltNames));
  exts.push(subjectKeyIdentifier(keyIdentifierOf(spki)));
  if (!issuerName.equals(subjectName)) exts.push(authorityKeyIdentifier(issuerKeyId));

  const tbs = seq(
    explicit(0, integer(2)),
    serialDer,
    algorithm,
    issuerName,
    seq(time(notBefore), time(notAfter)),
    subjectName,
    spki,
    explicit(3, seq(...exts)),
  );
  return seq(tbs, algorithm, bitString(signData(scheme, issuerKey, tbs)));
}
