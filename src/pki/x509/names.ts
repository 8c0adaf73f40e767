/**
 * X.500 distinguished names (RFC 5280 §4.1.2.4):
 *
 *   Name ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 *   AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value DirectoryString }
 *
 * One attribute per RDN, in the order C, O, OU, CN, serialNumber. countryName
 * and serialNumber are PrintableString (RFC 5280 appendix A), the rest UTF8String.
 */
import { oid, printable, seq, set, utf8 } from '../../asn1/der.js';
import { X509Error } from './errors.js';
import { X509_OID } from './oids.js';

export interface NameSpec {
  /** ISO 3166 alpha-2 country code, e.g. 'TW'. */
  readonly C?: string;
  readonly O?: string;
  readonly OU?: string;
  readonly CN: string;
  /** X.520 serialNumber attribute (e.g. a CSCA/DS sequence number). */
  readonly serialNumber?: string;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]+$/;

function utf8Value(v: string, what: string): Buffer {
  if (v.length === 0 || v.length > 64)
    throw new X509Error('invalid-input', `${what} must be 1-64 characters`);
  return utf8(v);
}

function printableValue(v: string, what: string): Buffer {
  if (!PRINTABLE.test(v) || v.length > 64)
    throw new X509Error('invalid-input', `${what} is not a PrintableString`);
  return printable(v);
}

const rdn = (type: string, value: Buffer): Buffer => set(seq(oid(type), value));

/** The DER Name for `spec`. */
export function encodeName(spec: NameSpec): Buffer {
  const rdns: Buffer[] = [];
  if (spec.C !== undefined) {
    if (!/^[A-Z]{2}$/.test(spec.C))
      throw new X509Error('invalid-input', `country must be two capital letters, got ${spec.C}`);
    rdns.push(rdn(X509_OID.countryName, printable(spec.C)));
  }
  if (spec.O !== undefined) rdns.push(rdn(X509_OID.organizationName, utf8Value(spec.O, 'O')));
  if (spec.OU !== undefined) rdns.push(rdn(X509_OID.organizationalUnitName, utf8Value(spec.OU, 'OU')));
  rdns.push(rdn(X509_OID.commonName, utf8Value(spec.CN, 'CN')));
  if (spec.serialNumber !== undefined) {
    rdns.push(rdn(X509_OID.serialNumber, printableValue(spec.serialNumber, 'serialNumber')));
  }
  return seq(...rdns);
}
