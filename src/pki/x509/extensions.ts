/**
 * Certificate and CRL extensions (RFC 5280 §4.2, §5.2):
 *
 *   Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 *   SubjectKeyIdentifier ::= OCTET STRING                                         -- §4.2.1.2
 *   AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } -- §4.2.1.1 (only field used)
 *   KeyUsage ::= BIT STRING { digitalSignature(0), nonRepudiation(1), keyEncipherment(2),
 *                             dataEncipherment(3), keyAgreement(4), keyCertSign(5), cRLSign(6) }  -- §4.2.1.3
 *   BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } -- §4.2.1.9
 *   ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId                                 -- §4.2.1.12
 *   GeneralNames ::= SEQUENCE OF GeneralName { dNSName [2] IA5String, iPAddress [7] OCTET STRING } -- §4.2.1.6
 *   CRLNumber ::= INTEGER (0..MAX)                                                 -- §5.2.3
 */
import { isIP } from 'node:net';
import { integer, octets, oid, seq } from '../../asn1/der.js';
import { bitString, boolTrue, implicitPrimitive } from './der.js';
import { X509Error } from './errors.js';
import { X509_OID } from './oids.js';

export type KeyUsage =
  | 'digitalSignature'
  | 'keyEncipherment'
  | 'keyCertSign'
  | 'cRLSign'
  | 'keyAgreement'
  | 'dataEncipherment'
  /** contentCommitment (formerly nonRepudiation), RFC 5280 §4.2.1.3 bit 1. */
  | 'nonRepudiation';
export type ExtKeyUsage = 'serverAuth' | 'clientAuth' | 'cscaMasterListSigning';

const EXT_KEY_USAGE_OIDS: Readonly<Record<ExtKeyUsage, string>> = {
  serverAuth: X509_OID.serverAuth,
  clientAuth: X509_OID.clientAuth,
  // id-icao-cscaMasterListSigningKey (ICAO Doc 9303-12 §9)
  cscaMasterListSigning: X509_OID.icaoCscaMasterListSigningKey,
};

export const KEY_USAGE_BITS: Readonly<Record<KeyUsage, number>> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
};

export function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [boolTrue()] : []), octets(value));
}

export const subjectKeyIdentifier = (keyId: Buffer): Buffer =>
  extension(X509_OID.subjectKeyIdentifier, false, octets(keyId));

export const authorityKeyIdentifier = (keyId: Buffer): Buffer =>
  extension(X509_OID.authorityKeyIdentifier, false, seq(implicitPrimitive(0, keyId)));

export function basicConstraints(ca: { pathLen?: number } | undefined): Buffer {
  if (!ca) return extension(X509_OID.basicConstraints, false, seq());
  const { pathLen } = ca;
  if (pathLen !== undefined && (!Number.isSafeInteger(pathLen) || pathLen < 0)) {
    throw new X509Error('invalid-input', 'pathLen must be a non-negative integer');
  }
  return extension(
    X509_OID.basicConstraints,
    true,
    seq(boolTrue(), ...(pathLen === undefined ? [] : [integer(pathLen)])),
  );
}

/** KeyUsage as a DER named-bit BIT STRING (trailing zero bits removed, X.690 §11.2.2). */
export function keyUsage(usages: readonly KeyUsage[]): Buffer {
  if (usages.length === 0) throw new X509Error('invalid-input', 'keyUsage must not be empty');
  let bits = 0;
  for (const u of usages) {
    const bit = KEY_USAGE_BITS[u];
    if (bit === undefined) throw new X509Error('invalid-input', `unknown key usage ${u}`);
    bits |= 0x80 >> bit;
  }
  let unused = 0;
  while (((bits >> unused) & 1) === 0) unused++;
  return extension(X509_OID.keyUsage, true, bitString(Buffer.from([bits]), unused));
}

export function extKeyUsage(usages: readonly ExtKeyUsage[]): Buffer {
  const ids = usages.map((u) => {
    const id = EXT_KEY_USAGE_OIDS[u];
    if (!id) throw new X509Error('invalid-input', `unknown extended key usage ${u}`);
    return oid(id);
  });
  return extension(X509_OID.extKeyUsage, false, seq(...ids));
}

/** IPv4 or IPv6 text to its 4 or 16 octets. */
export function ipOctets(ip: string): Buffer {
  const v = isIP(ip);
  if (v === 4) return Buffer.from(ip.split('.').map(Number));
  if (v !== 6) throw new X509Error('invalid-input', `not an IP address: ${ip}`);
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const text = ip.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_m, a, b, c, d) =>
      `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((h) => Number.parseInt(h, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const words =
    tail === undefined
      ? left
      : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => {
    out.writeUInt16BE(w, i * 2);
  });
  return out;
}

export function subjectAltName(san: { dns?: readonly string[]; ip?: readonly string[] }): Buffer {
  const names: Buffer[] = [];
  for (const d of san.dns ?? []) {
    if (
      !/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(d)
    ) {
      throw new X509Error('invalid-input', `not a DNS name: ${d}`);
    }
    names.push(implicitPrimitive(2, Buffer.from(d, 'latin1')));
  }
  for (const ip of san.ip ?? []) names.push(implicitPrimitive(7, ipOctets(ip)));
  if (names.length === 0) throw new X509Error('invalid-input', 'subjectAltName must not be empty');
  return extension(X509_OID.subjectAltName, false, seq(...names));
}

export const crlNumber = (n: bigint): Buffer => {
  if (n < 0n) throw new X509Error('invalid-input', 'CRL number must not be negative');
  return extension(X509_OID.cRLNumber, false, integer(n));
};
