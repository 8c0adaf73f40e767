/**
 * Certificates for the server's own TLS endpoint and for SOAP (TR-03130 eID
 * interface) client authentication, issued with issueCertificate.
 */
import type { KeyObject } from 'node:crypto';
import type { HashName } from '../../crypto/curves.js';
import { isSigningKey, type SigningKey } from '../../crypto/signing-key.js';
import { spkiOf } from './algorithms.js';
import { issueCertificate } from './certificate.js';
import { X509Error } from './errors.js';
import type { NameSpec } from './names.js';

export { derFromPem, pemFromDer } from './pem.js';

const DAY = 86_400_000;
/** Back-dating absorbs clock skew between this host and its peers. */
const SKEW = 5 * 60_000;

function validity(days: number): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(days) || days <= 0) throw new X509Error('invalid-input', 'days must be positive');
  const now = Date.now();
  return { notBefore: new Date(now - SKEW), notAfter: new Date(now + days * DAY) };
}

export interface SelfSignedTlsOptions {
  readonly commonName: string;
  /** The server key (RSA 3072 or EC; a KeyObject or a SigningKey in a token); signs its own certificate. */
  readonly key: KeyObject | SigningKey;
  /** Default ['127.0.0.1'] when neither ips nor dns is given. */
  readonly ips?: readonly string[];
  /** Default ['localhost'] when neither ips nor dns is given. */
  readonly dns?: readonly string[];
  readonly days: number;
  readonly hash?: HashName;
}

/**
 * A self-signed TLS server certificate (serverAuth; SANs for hostname
 * verification, RFC 6125). Returns DER.
 */
export function selfSignedTlsCertificate(opts: SelfSignedTlsOptions): Buffer {
  const none = !opts.ips && !opts.dns;
  const ip = none ? ['127.0.0.1'] : (opts.ips ?? []);
  const dns = none ? ['localhost'] : (opts.dns ?? []);
  const subject: NameSpec = { CN: opts.commonName };
  const rsa = isSigningKey(opts.key) ? opts.key.type === 'rsa' : opts.key.asymmetricKeyType === 'rsa';
  return issueCertificate({
    subject,
    issuer: subject,
    ...validity(opts.days),
    subjectPublicKey: isSigningKey(opts.key) ? opts.key.publicKey : opts.key,
    issuerKey: opts.key,
    ...(opts.hash ? { hash: opts.hash } : {}),
    keyUsage: rsa ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
    extKeyUsage: ['serverAuth'],
    subjectAltNames: { ip, dns },
  });
}

export interface ClientCertificateOptions {
  /** Subject name, or just a common name. */
  readonly subject: NameSpec | string;
  /** The client's key (a private key is accepted; its public half is certified). */
  readonly publicKey: KeyObject;
  /** The issuer's private key; for a self-signed certificate the client's own key. */
  readonly issuerKey: KeyObject;
  /** The issuing CA certificate (DER); absent for a self-signed certificate. */
  readonly issuerCert?: Buffer;
  readonly days: number;
  readonly hash?: HashName;
  readonly serial?: bigint;
}

/** A TLS client certificate (clientAuth), e.g. for the SOAP eID interface. Returns DER. */
export function issueClientCertificate(opts: ClientCertificateOptions): Buffer {
  const subject: NameSpec = typeof opts.subject === 'string' ? { CN: opts.subject } : opts.subject;
  const rsa = opts.publicKey.asymmetricKeyType === 'rsa';
  if (!opts.issuerCert && !spkiOf(opts.publicKey).equals(spkiOf(opts.issuerKey))) {
    throw new X509Error(
      'invalid-input',
      'a self-signed client certificate needs issuerKey to be the client key',
    );
  }
  return issueCertificate({
    subject,
    issuer: opts.issuerCert ?? subject,
    ...validity(opts.days),
    ...(opts.serial !== undefined ? { serial: opts.serial } : {}),
    subjectPublicKey: opts.publicKey,
    issuerKey: opts.issuerKey,
    ...(opts.hash ? { hash: opts.hash } : {}),
    keyUsage: rsa ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
    extKeyUsage: ['clientAuth'],
  });
}
