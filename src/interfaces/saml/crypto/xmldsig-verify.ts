/**
 * Enveloped XML signature verification that binds the signature to the root
 * element (saml-core §5.4; saml-sec-consider §6.4; TR-03130-1 §4.9.2), on top
 * of xml-crypto. Signature-wrapping defences, each refused on its own:
 *
 * - no comments anywhere in the document (canonicalisation drops them, so a
 *   comment could change what a reader sees without changing the digest);
 * - every ID / Id / id value unique in the document; the root has an ID;
 * - exactly one ds:Signature in the document, and it is a direct child of
 *   the root (not in Extensions, not in a nested element);
 * - one SignedInfo, exclusive c14n without comments, a signature algorithm
 *   from the SP's allow-list, exactly one Reference, whose URI is "#" + the
 *   root's ID, with transforms enveloped-signature [+ exclusive c14n] only
 *   and an allowed digest; no ds:Object;
 * - the key comes from the registered metadata only (KeyInfo is ignored);
 * - the caller receives the element re-parsed from the exact canonical bytes
 *   that were digested — the only thing it may read.
 */
import type { KeyObject } from 'node:crypto';
import { type Document, type Element, type Node, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { elementChildren } from '../../../xml/dom.js';
import { parseXml } from '../../../xml/parse.js';
import { C14N, type InboundAlgorithms } from '../algorithms.js';
import { SamlRejection } from '../errors.js';
import { NS } from '../namespaces.js';
import { hashAlgorithms, verifierAlgorithms } from './signature-algorithms.js';

export interface VerifyOptions {
  /** Signing keys from the peer's registered metadata (rollover: several). */
  readonly keys: readonly KeyObject[];
  readonly algorithms: Pick<InboundAlgorithms, 'signatures' | 'digests'>;
}

export interface VerifiedElement {
  /** The root element, re-parsed from the signed canonical bytes (without its Signature). */
  readonly element: Element;
  readonly signatureAlgorithm: string;
}

const NCNAME = /^[A-Za-z_][\w.-]*$/;
const ID_ATTRS = ['ID', 'Id', 'id'];
const INCLUSIVE_NS = 'http://www.w3.org/2001/10/xml-exc-c14n#';

const wrap = (msg: string): never => {
  throw new SamlRejection('signature-wrapping', msg);
};

/** Walks every node; refuses comments and duplicate IDs. Returns the ID → element count map. */
export function checkDocumentHygiene(doc: Document): void {
  const seen = new Set<string>();
  const stack: Node[] = [doc.documentElement!];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.nodeType === 8) wrap('the message contains an XML comment');
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    for (const a of ID_ATTRS) {
      if (!e.hasAttribute(a)) continue;
      const v = e.getAttribute(a)!;
      if (seen.has(v)) wrap(`the ID "${v.slice(0, 64)}" occurs more than once`);
      seen.add(v);
    }
    for (let c = e.firstChild; c; c = c.nextSibling) stack.push(c);
  }
}

function only(parent: Element, ns: string, local: string): Element {
  const list = elementChildren(parent, ns, local);
  if (list.length !== 1) wrap(`<${parent.localName}> must have exactly one <${local}>`);
  return list[0]!;
}

function checkC14nChildren(el: Element): void {
  for (const c of elementChildren(el)) {
    if (c.namespaceURI !== INCLUSIVE_NS || c.localName !== 'InclusiveNamespaces')
      wrap(`unexpected <${c.localName}> in <${el.localName}>`);
  }
}

/** Structural checks on the Signature; returns it with its algorithm. */
function checkSignatureStructure(
  root: Element,
  rootId: string,
  o: VerifyOptions,
): { signature: Element; algorithm: string } {
  const all = root.getElementsByTagNameNS(NS.ds, 'Signature');
  if (all.length === 0) throw new SamlRejection('signature-missing', 'the message is not signed');
  if (all.length !== 1) wrap('the message contains more than one ds:Signature');
  const signature = all.item(0)!;
  if (signature.parentNode !== root) wrap('the ds:Signature is not a direct child of the root element');
  for (const c of elementChildren(signature)) {
    if (c.namespaceURI !== NS.ds || !['SignedInfo', 'SignatureValue', 'KeyInfo'].includes(c.localName!))
      wrap(`unexpected <${c.localName}> in ds:Signature`);
  }
  only(signature, NS.ds, 'SignatureValue');
  const signedInfo = only(signature, NS.ds, 'SignedInfo');
  for (const c of elementChildren(signedInfo)) {
    if (
      c.namespaceURI !== NS.ds ||
      !['CanonicalizationMethod', 'SignatureMethod', 'Reference'].includes(c.localName!)
    )
      wrap(`unexpected <${c.localName}> in SignedInfo`);
  }
  const c14n = only(signedInfo, NS.ds, 'CanonicalizationMethod');
  if (c14n.getAttribute('Algorithm') !== C14N.exclusive)
    wrap('SignedInfo must use exclusive canonicalisation without comments');
  checkC14nChildren(c14n);
  const algorithm = only(signedInfo, NS.ds, 'SignatureMethod').getAttribute('Algorithm') ?? '';
  if (!o.algorithms.signatures.includes(algorithm))
    throw new SamlRejection(
      'algorithm-refused',
      `signature algorithm ${algorithm} is not accepted for this SP`,
    );
  const ref = only(signedInfo, NS.ds, 'Reference');
  if (ref.getAttribute('URI') !== `#${rootId}`) wrap('the signature does not reference the root element');
  const transforms = elementChildren(ref, NS.ds, 'Transforms');
  if (transforms.length !== 1) wrap('the Reference must list its transforms');
  const list = elementChildren(transforms[0]!);
  const algs = list.map((t) =>
    t.namespaceURI === NS.ds && t.localName === 'Transform' ? t.getAttribute('Algorithm') : 'not-a-transform',
  );
  const okTransforms =
    (algs.length === 1 && algs[0] === C14N.enveloped) ||
    (algs.length === 2 && algs[0] === C14N.enveloped && algs[1] === C14N.exclusive);
  if (!okTransforms) wrap('only the transforms enveloped-signature and exclusive c14n are accepted');
  if (list[0] && elementChildren(list[0]).length)
    wrap('the enveloped-signature transform takes no parameters');
  if (list[1]) checkC14nChildren(list[1]);
  const digest = only(ref, NS.ds, 'DigestMethod').getAttribute('Algorithm') ?? '';
  if (!o.algorithms.digests.includes(digest))
    throw new SamlRejection('algorithm-refused', `digest algorithm ${digest} is not accepted`);
  only(ref, NS.ds, 'DigestValue');
  return { signature, algorithm };
}

/**
 * Verifies the enveloped signature of `xml`'s root. `doc` must be `xml`
 * parsed with parseXml. Throws SamlRejection on any failure.
 */
export function verifyEnvelopedSignature(xml: string, doc: Document, o: VerifyOptions): VerifiedElement {
  const root = doc.documentElement!;
  checkDocumentHygiene(doc);
  const rootId = root.getAttribute('ID') ?? '';
  if (!NCNAME.test(rootId)) wrap('the root element has no valid ID');
  const { signature, algorithm } = checkSignatureStructure(root, rootId, o);
  if (o.keys.length === 0)
    throw new SamlRejection('signature-invalid', 'no signing certificate is registered for this SP');

  const sigXml = new XMLSerializer().serializeToString(signature);
  let canonical: string | undefined;
  let lastError = 'signature value does not verify';
  for (const key of o.keys) {
    const sig = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
    sig.SignatureAlgorithms = verifierAlgorithms(o.algorithms.signatures);
    sig.HashAlgorithms = hashAlgorithms(o.algorithms.digests);
    try {
      sig.loadSignature(sigXml);
      if (sig.checkSignature(xml)) {
        const refs = sig.getSignedReferences();
        if (refs.length !== 1) wrap('the signature must cover exactly one reference');
        canonical = refs[0];
        break;
      }
    } catch (e) {
      if (e instanceof SamlRejection) throw e;
      lastError = (e as Error).message.split('\n')[0]!.slice(0, 200);
    }
  }
  if (canonical === undefined) throw new SamlRejection('signature-invalid', lastError);

  const signedDoc = parseXml(canonical);
  const element = signedDoc.documentElement!;
  if (
    element.namespaceURI !== root.namespaceURI ||
    element.localName !== root.localName ||
    element.getAttribute('ID') !== rootId
  ) {
    wrap('the signed content is not the root element');
  }
  if (element.getElementsByTagNameNS(NS.ds, 'Signature').length !== 0)
    wrap('the signed content still contains a signature');
  return { element, signatureAlgorithm: algorithm };
}
