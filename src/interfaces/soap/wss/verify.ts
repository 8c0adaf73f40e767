/**
 * Verification of a request's WS-Security signature (OASIS WSS 1.1 SOAP
 * Message Security §8, X.509 Token Profile; TR-03130-1 §3.5.2), resistant to
 * signature wrapping:
 *
 * - the envelope is exactly soap:Header, soap:Body; the header holds exactly
 *   one wsse:Security with exactly one ds:Signature and one wsu:Timestamp
 *   (and optionally BinarySecurityTokens), and the document holds no other
 *   Signature or SignedInfo element;
 * - no Id value occurs twice anywhere in the document;
 * - SignedInfo uses exclusive canonicalisation, an allowed signature method,
 *   and references "#id" with exactly one exclusive-c14n transform and an
 *   allowed digest; each reference is resolved here to the one element with
 *   that Id, which must be the envelope's soap:Body, the Security header's
 *   wsu:Timestamp or one of its BinarySecurityTokens; Body and Timestamp must
 *   both be covered;
 * - xml-crypto then verifies digests and signature with the eService's
 *   REGISTERED certificate (KeyInfo is never consulted), and the bytes it
 *   digested must equal our own canonical form of the elements resolved;
 * - the Body and the Timestamp are read only from those signed bytes; the
 *   Timestamp must be fresh.
 */
import { createHash } from 'node:crypto';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import type { XmlError } from '../../../xml/errors.js';
import { parseXml } from '../../../xml/parse.js';
import { ALG, NS } from '../namespaces.js';
import { xmlCryptoAlgorithms } from './algorithms.js';
import { invalid, WssError } from './errors.js';
import { canonicalReference, elementChildren, is, readSignedInfo } from './signed-info.js';
import { DEFAULT_TIMESTAMP_POLICY, readTimestamp, type TimestampPolicy } from './timestamp.js';

export { WssError } from './errors.js';
export { DEFAULT_TIMESTAMP_POLICY, type TimestampPolicy } from './timestamp.js';

export interface VerifiedEnvelope {
  /** soap:Body parsed from the bytes the signature covers. */
  readonly body: Element;
  /** The envelope's SOAP version: the eID-Interface binds 1.1 (the endpoint refuses 1.2 after verifying). */
  readonly soapVersion: '1.1' | '1.2';
  /** SHA-256 (hex) over everything the references cover, canonical: the same for a replayed message. */
  readonly signedDigest: string;
  readonly created: Date;
  readonly expires?: Date;
  readonly signatureMethod: string;
}

const ID_ATTRS = new Set(['Id', 'ID', 'id']);
/** The same node bound as the request itself (endpoint.ts). */
export const SIGNED_BODY_MAX_NODES = 2_000;

/** Every element of the document, iteratively. */
function allElements(root: Element): Element[] {
  const out: Element[] = [];
  const stack: Element[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    out.push(e);
    for (let c: Node | null = e.lastChild; c; c = c.previousSibling)
      if (c.nodeType === 1) stack.push(c as Element);
  }
  return out;
}

/**
 * Verifies `xml` (already parsed as `doc` by parseXml) with the eService's
 * registered certificate (PEM). Throws WssError.
 */
export function verifySignedEnvelope(
  xml: string,
  doc: Document,
  certPem: string,
  policy: TimestampPolicy = DEFAULT_TIMESTAMP_POLICY,
  now = Date.now(),
): VerifiedEnvelope {
  const envelope = doc.documentElement!;
  // SOAP 1.2 envelopes are verified the same way, so that the refusal can say whether one was signed.
  const soapNs = is(envelope, NS.soap12, 'Envelope') ? NS.soap12 : NS.soap;
  if (!is(envelope, soapNs, 'Envelope')) throw new WssError('not-soap', 'not a SOAP envelope');
  const signatures = doc.getElementsByTagNameNS(NS.ds, 'Signature');
  if (signatures.length === 0) throw new WssError('not-signed', 'the message carries no signature');

  const everything = allElements(envelope);
  const byLocal = (n: string) => everything.filter((e) => e.localName === n).length;
  if (signatures.length !== 1 || byLocal('Signature') !== 1 || byLocal('SignedInfo') !== 1)
    throw invalid('exactly one signature is allowed');

  const parts = elementChildren(envelope);
  if (parts.length !== 2 || !is(parts[0], soapNs, 'Header') || !is(parts[1], soapNs, 'Body'))
    throw invalid('the envelope must be soap:Header, soap:Body');
  const [header, body] = parts as [Element, Element];
  const securities = elementChildren(header).filter((h) => is(h, NS.wsse, 'Security'));
  if (securities.length !== 1) throw invalid('exactly one wsse:Security header is required');
  for (const h of elementChildren(header)) {
    if (h !== securities[0] && /^(1|true)$/.test(h.getAttributeNS(soapNs, 'mustUnderstand') ?? ''))
      throw invalid(`header <${h.localName}> is not understood`);
  }
  const security = securities[0]!;
  let signature: Element | undefined;
  let timestamp: Element | undefined;
  const tokens: Element[] = [];
  for (const c of elementChildren(security)) {
    if (is(c, NS.ds, 'Signature') && !signature) signature = c;
    else if (is(c, NS.wsu, 'Timestamp') && !timestamp) timestamp = c;
    else if (is(c, NS.wsse, 'BinarySecurityToken')) tokens.push(c);
    else throw invalid(`unexpected <${c.localName}> in wsse:Security`);
  }
  if (!signature || signature !== signatures[0]) throw invalid('the signature must be in wsse:Security');
  if (!timestamp) throw invalid('wsse:Security lacks wsu:Timestamp');

  // Id values are unique in the whole document (any attribute named Id/ID/id, any namespace).
  const ids = new Map<string, Element>();
  for (const e of everything) {
    for (let i = 0; i < e.attributes.length; i++) {
      const a = e.attributes[i]!;
      if (a.prefix === 'xmlns' || !ID_ATTRS.has(a.localName ?? '')) continue;
      if (ids.has(a.value)) throw invalid(`the Id "${a.value}" occurs twice`);
      ids.set(a.value, e);
    }
  }

  const { method, refs } = readSignedInfo(signature);
  const targets = new Map<string, Element>();
  for (const r of refs) {
    const target = ids.get(r.id);
    if (!target) throw invalid(`the reference #${r.id} resolves to nothing`);
    if (target !== body && target !== timestamp && !tokens.includes(target))
      throw invalid(`the reference #${r.id} is not to soap:Body, wsu:Timestamp or a token of wsse:Security`);
    if ([...targets.values()].includes(target)) throw invalid('an element is referenced twice');
    targets.set(r.id, target);
  }
  const bodyRef = refs.find((r) => targets.get(r.id) === body);
  const tsRef = refs.find((r) => targets.get(r.id) === timestamp);
  if (!bodyRef) throw invalid('the signature does not cover soap:Body');
  if (!tsRef) throw invalid('the signature does not cover wsu:Timestamp');

  // Cryptographic verification by xml-crypto, with the registered certificate only.
  const sig = new SignedXml({ publicCert: certPem, getCertFromKeyInfo: () => null });
  const algs = xmlCryptoAlgorithms();
  sig.SignatureAlgorithms = algs.signature as typeof sig.SignatureAlgorithms;
  sig.HashAlgorithms = algs.hash as typeof sig.HashAlgorithms;
  sig.CanonicalizationAlgorithms = {
    [ALG.excC14n]: ExclusiveCanonicalization,
  } as typeof sig.CanonicalizationAlgorithms;
  let ok: boolean;
  try {
    sig.loadSignature(signature as never);
    ok = sig.checkSignature(xml);
  } catch (e) {
    throw invalid(`signature verification failed: ${(e as Error).message.slice(0, 200)}`);
  }
  if (!ok) throw invalid('a digest does not match');

  // What xml-crypto digested must be exactly our canonical form of the elements we resolved.
  const signed = new Map<string, string>();
  for (const r of sig.getReferences()) {
    if (typeof r.signedReference !== 'string') throw invalid('a reference was not verified');
    signed.set((r.uri ?? '').replace(/^#/, ''), r.signedReference);
  }
  for (const r of refs) {
    if (signed.get(r.id) !== canonicalReference(targets.get(r.id)!, r.inclusivePrefixes))
      throw invalid(`the signed content of #${r.id} is not the element resolved`);
  }

  const stamp = readTimestamp(signed.get(tsRef.id)!, now, policy);
  let signedBody: Element;
  try {
    signedBody = parseXml(signed.get(bodyRef.id)!, {
      maxBytes: xml.length + 1024,
      maxNodes: SIGNED_BODY_MAX_NODES,
    }).documentElement!;
  } catch (e) {
    throw invalid(`the signed Body is unreadable: ${(e as XmlError).message}`);
  }
  if (!is(signedBody, soapNs, 'Body')) throw invalid('the signed Body is not soap:Body');
  const digest = createHash('sha256');
  for (const r of refs) digest.update(signed.get(r.id)!).update('\0');
  return {
    body: signedBody,
    ...stamp,
    signatureMethod: method,
    soapVersion: soapNs === NS.soap12 ? '1.2' : '1.1',
    signedDigest: digest.digest('hex'),
  };
}
