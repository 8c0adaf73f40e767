/**
 * CertificateDescription (TR-03110-4 §2.2.6), explicitly tagged as real
 * eID-Clients parse it:
 *
 *   CertificateDescription ::= SEQUENCE {
 *     descriptionType  OBJECT IDENTIFIER,
 *     issuerName       [1] UTF8String,
 *     issuerURL        [2] PrintableString OPTIONAL,
 *     subjectName      [3] UTF8String,
 *     subjectURL       [4] PrintableString OPTIONAL,
 *     termsOfUsage     [5] ANY DEFINED BY descriptionType,
 *     redirectURL      [6] PrintableString OPTIONAL,
 *     commCertificates [7] SET OF OCTET STRING OPTIONAL }
 *
 * commCertificates holds the hashes of the server's TLS certificates; the
 * hash function is the one that signs the terminal certificate. The
 * id-description extension of the terminal certificate carries the hash of
 * this whole encoding.
 */
import { createHash } from 'node:crypto';
import {
  decodeUtf8Strict,
  ia5,
  octets,
  oid,
  printable,
  readOid,
  sequenceOf,
  set,
  TAG,
  utf8,
} from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import type { HashName } from '../../crypto/curves.js';
import { TlvError } from '../../tlv/errors.js';
import { childrenOf, findTlv, type Tlv, tlv } from '../../tlv/tlv.js';
import { CvcError } from './errors.js';

export interface CertificateDescription {
  readonly issuerName: string;
  readonly issuerUrl?: string;
  readonly subjectName: string;
  readonly subjectUrl?: string;
  /** Plain-text terms of usage (id-plainFormat), shown to the citizen. */
  readonly termsOfUsage: string;
  readonly format?: 'plain' | 'html';
  readonly redirectUrl?: string;
  /** Hashes of the TLS server certificates the eID-Client will see. */
  readonly commCertificates?: readonly Buffer[];
}

const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);

/** PrintableString (X.680 §41.4): a URL with characters outside it cannot be encoded faithfully. */
function printableUrl(what: string, s: string): Buffer {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s))
    throw new CvcError('malformed', `${what} has characters a PrintableString cannot carry: ${s}`);
  return printable(s);
}

export function encodeCertificateDescription(d: CertificateDescription): Buffer {
  const html = d.format === 'html';
  const items: Buffer[] = [oid(html ? OID.idHtmlFormat : OID.idPlainFormat), explicit(1, utf8(d.issuerName))];
  if (d.issuerUrl) items.push(explicit(2, printableUrl('issuerURL', d.issuerUrl)));
  items.push(explicit(3, utf8(d.subjectName)));
  if (d.subjectUrl) items.push(explicit(4, printableUrl('subjectURL', d.subjectUrl)));
  items.push(explicit(5, html ? ia5(d.termsOfUsage) : utf8(d.termsOfUsage)));
  if (d.redirectUrl) items.push(explicit(6, printableUrl('redirectURL', d.redirectUrl)));
  if (d.commCertificates?.length) items.push(explicit(7, set(...d.commCertificates.map((h) => octets(h)))));
  return tlv(TAG.SEQUENCE, items);
}

export function decodeCertificateDescription(buf: Buffer): CertificateDescription {
  try {
    const kids = sequenceOf(buf, 'CertificateDescription');
    const type = readOid(kids[0]!, 'descriptionType');
    const inner = (n: number): Tlv | undefined => {
      const t = findTlv(kids, 0xa0 | n);
      return t ? childrenOf(t)[0] : undefined;
    };
    const text = (n: number) => {
      const t = inner(n);
      if (!t) return undefined;
      return t.tag === TAG.UTF8_STRING ? decodeUtf8Strict(t.value, `[${n}]`) : t.value.toString('latin1');
    };
    const issuerName = text(1);
    const subjectName = text(3);
    const terms = inner(5);
    if (!issuerName || !subjectName || !terms)
      throw new CvcError('malformed', 'CertificateDescription lacks issuerName, subjectName or termsOfUsage');
    const comm = inner(7);
    const format = type === OID.idHtmlFormat ? 'html' : 'plain';
    if (type !== OID.idPlainFormat && type !== OID.idHtmlFormat) {
      throw new CvcError('unsupported-algorithm', `terms of usage format ${type} is not supported`);
    }
    const issuerUrl = text(2);
    const subjectUrl = text(4);
    const redirectUrl = text(6);
    return {
      issuerName,
      subjectName,
      termsOfUsage:
        terms.tag === TAG.UTF8_STRING
          ? decodeUtf8Strict(terms.value, 'termsOfUsage')
          : terms.value.toString('latin1'),
      format,
      ...(issuerUrl ? { issuerUrl } : {}),
      ...(subjectUrl ? { subjectUrl } : {}),
      ...(redirectUrl ? { redirectUrl } : {}),
      ...(comm ? { commCertificates: childrenOf(comm).map((o) => Buffer.from(o.value)) } : {}),
    };
  } catch (e) {
    if (e instanceof CvcError) throw e;
    if (e instanceof TlvError)
      throw new CvcError('malformed', `malformed CertificateDescription: ${e.message}`);
    throw e;
  }
}

export function hashCertificateDescription(encoded: Buffer, hash: HashName): Buffer {
  return createHash(hash).update(encoded).digest();
}
