/**
 * Parsing CMS SignedData (RFC 5652 §5; ASN.1 in cms.ts) with exactly one
 * signer that has signed attributes, as EF.CardSecurity requires. Every part
 * needed for verification is kept as received; the signed attributes are
 * returned re-tagged as the DER SET OF that the signature covers (§5.4).
 */
import { readOid, TAG } from '../../asn1/der.js';
import { OID } from '../../asn1/oids.js';
import type { HashName } from '../../crypto/curves.js';
import { childrenOf, parseTlv, type Tlv, validateTree } from '../../tlv/tlv.js';
import { decodeHashAlgorithm } from '../security-infos/hash-algorithm.js';
import { guard, malformed, readBigInteger, readTime } from './der.js';
import { X509Error } from './errors.js';

export type SignerIdentifier =
  | { readonly issuer: Buffer; readonly serial: bigint }
  | { readonly subjectKeyIdentifier: Buffer };

export interface ParsedSignerInfo {
  readonly sid: SignerIdentifier;
  readonly digestAlgorithm: HashName;
  /** Encoded signatureAlgorithm AlgorithmIdentifier. */
  readonly signatureAlgorithm: Buffer;
  /** The signed attributes as SET OF (tag 0x31), the bytes the signature covers. */
  readonly signedAttrsDer: Buffer;
  readonly signature: Buffer;
  /** The messageDigest attribute value. */
  readonly messageDigest: Buffer;
  /** The contentType attribute value (an OID). */
  readonly contentTypeAttr: string;
  readonly signingTime?: Date;
}

export interface ParsedCms {
  /** eContentType. */
  readonly contentType: string;
  /** eContent; empty for a detached signature (`detached`). */
  readonly content: Buffer;
  /** True when eContent is absent: the signed content travels beside the SignedData (RFC 5652 §5.2). */
  readonly detached: boolean;
  /** Embedded X.509 certificates (DER), in encoding order. */
  readonly certificates: Buffer[];
  readonly signer: ParsedSignerInfo;
}

function children(t: Tlv | undefined, tag: number, what: string): Tlv[] {
  if (!t || t.tag !== tag) malformed(`${what}: unexpected tag`);
  return childrenOf(t);
}

/** The single value of each attribute (RFC 5652 §5.3: each type at most once). */
function readAttributes(t: Tlv): Map<string, Tlv> {
  const out = new Map<string, Tlv>();
  for (const a of childrenOf(t)) {
    const [type, values, ...rest] = children(a, TAG.SEQUENCE, 'Attribute');
    if (!type || rest.length > 0) malformed('bad Attribute');
    const id = readOid(type, 'attrType');
    if (out.has(id)) malformed(`attribute ${id} appears twice`);
    const vals = children(values, TAG.SET, 'attrValues');
    if (vals.length === 1) out.set(id, vals[0]!);
    else if (id === OID.idContentType || id === OID.idMessageDigest || id === OID.idSigningTime) {
      malformed(`attribute ${id} must have exactly one value`);
    }
  }
  return out;
}

function readSignerIdentifier(t: Tlv | undefined): SignerIdentifier {
  if (t?.tag === TAG.SEQUENCE) {
    const [issuer, serial, ...rest] = childrenOf(t);
    if (issuer?.tag !== TAG.SEQUENCE || rest.length > 0) malformed('bad IssuerAndSerialNumber');
    return { issuer: issuer.raw, serial: readBigInteger(serial, 'serialNumber') };
  }
  if (t?.tag === 0x80) return { subjectKeyIdentifier: t.value };
  malformed('bad SignerIdentifier');
}

function readSignerInfo(t: Tlv): ParsedSignerInfo {
  const kids = children(t, TAG.SEQUENCE, 'SignerInfo');
  const [version, sidT, digestT, attrsT, sigAlgT, sigT, ...rest] = kids;
  readBigInteger(version, 'SignerInfo version');
  if (attrsT?.tag !== 0xa0) malformed('SignerInfo has no signed attributes');
  if (!sigAlgT || sigAlgT.tag !== TAG.SEQUENCE || !sigT || sigT.tag !== TAG.OCTET_STRING)
    malformed('bad SignerInfo');
  if (rest.length > 1 || (rest[0] && rest[0].tag !== 0xa1)) malformed('unexpected SignerInfo element');
  if (!digestT) malformed('digestAlgorithm is missing');
  const { algorithm, hash } = decodeHashAlgorithm(digestT, 'digestAlgorithm');
  if (!hash) throw new X509Error('unsupported', `unsupported digest algorithm ${algorithm}`);
  const signedAttrsDer = Buffer.concat([Buffer.from([TAG.SET]), attrsT.raw.subarray(1)]);
  const attrs = readAttributes(attrsT);
  const ct = attrs.get(OID.idContentType);
  const md = attrs.get(OID.idMessageDigest);
  if (!ct || !md) malformed('contentType and messageDigest attributes are required');
  if (md.tag !== TAG.OCTET_STRING) malformed('messageDigest is not an OCTET STRING');
  const st = attrs.get(OID.idSigningTime);
  return {
    sid: readSignerIdentifier(sidT),
    digestAlgorithm: hash,
    signatureAlgorithm: sigAlgT.raw,
    signedAttrsDer,
    signature: sigT.value,
    messageDigest: md.value,
    contentTypeAttr: readOid(ct, 'contentType attribute'),
    ...(st ? { signingTime: readTime(st, 'signingTime') } : {}),
  };
}

/**
 * Parses DER ContentInfo/SignedData; X509Error('malformed' | 'unsupported') on bad input. A detached
 * signature (eContent absent) is accepted only with `allowDetached` (its caller holds the content).
 */
export function parseCms(der: Buffer, opts: { readonly allowDetached?: boolean } = {}): ParsedCms {
  return guard('CMS', () => {
    validateTree(der, 24);
    const [contentType, wrapped, ...extra] = children(parseTlv(der), TAG.SEQUENCE, 'ContentInfo');
    if (!contentType || extra.length > 0 || readOid(contentType, 'contentType') !== OID.idSignedData) {
      malformed('not a ContentInfo of type id-signedData');
    }
    const [sd, ...more] = children(wrapped, 0xa0, 'ContentInfo content');
    if (more.length > 0) malformed('bad ContentInfo content');
    const kids = children(sd, TAG.SEQUENCE, 'SignedData');
    const [version, digestAlgorithms, encap] = kids;
    readBigInteger(version, 'SignedData version');
    children(digestAlgorithms, TAG.SET, 'digestAlgorithms');
    const [eContentType, eContentWrapper, ...encapRest] = children(
      encap,
      TAG.SEQUENCE,
      'EncapsulatedContentInfo',
    );
    if (!eContentType || encapRest.length > 0) malformed('bad EncapsulatedContentInfo');
    if (!eContentWrapper && !opts.allowDetached)
      malformed('eContent is absent (detached signatures are not supported)');
    let content: Buffer = Buffer.alloc(0);
    if (eContentWrapper) {
      const [eContent, ...ecRest] = children(eContentWrapper, 0xa0, 'eContent');
      if (!eContent || ecRest.length > 0 || eContent.tag !== TAG.OCTET_STRING)
        malformed('eContent is not an OCTET STRING');
      content = eContent.value;
    }
    let i = 3;
    const certificates: Buffer[] = [];
    if (kids[i]?.tag === 0xa0) {
      for (const c of childrenOf(kids[i++]!)) if (c.tag === TAG.SEQUENCE) certificates.push(c.raw);
    }
    if (kids[i]?.tag === 0xa1) i++;
    const signerInfos = children(kids[i++], TAG.SET, 'signerInfos');
    if (i !== kids.length) malformed('unexpected SignedData element');
    if (signerInfos.length !== 1) malformed(`expected exactly one SignerInfo, got ${signerInfos.length}`);
    return {
      contentType: readOid(eContentType, 'eContentType'),
      content,
      detached: !eContentWrapper,
      certificates,
      signer: readSignerInfo(signerInfos[0]!),
    };
  });
}
