/**
 * Reading ds:SignedInfo strictly (XML-DSig §4.4; TR-03130-1 §3.5.2): exclusive
 * canonicalisation, an accepted signature method, and References "#id"
 * with exactly one exclusive-c14n transform and an accepted digest.
 */
import type { Element, Node } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { ALG, NS } from '../namespaces.js';
import { DIGEST_ALGORITHMS, SIGNATURE_ALGORITHMS } from './algorithms.js';
import { invalid } from './errors.js';

export function elementChildren(e: Element): Element[] {
  const out: Element[] = [];
  for (let c: Node | null = e.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) out.push(c as Element);
    else if ((c.nodeType === 3 || c.nodeType === 4) && (c.nodeValue ?? '').trim() !== '')
      throw invalid(`text in <${e.localName}>`);
  }
  return out;
}

export const is = (e: Element | undefined, ns: string, local: string): boolean =>
  !!e && e.namespaceURI === ns && e.localName === local;

export interface ReferenceSpec {
  readonly id: string;
  readonly inclusivePrefixes: string[];
}

export function readSignedInfo(signature: Element): { method: string; refs: ReferenceSpec[] } {
  const [signedInfo, value, ...rest] = elementChildren(signature);
  if (!is(signedInfo, NS.ds, 'SignedInfo') || !is(value, NS.ds, 'SignatureValue'))
    throw invalid('malformed ds:Signature');
  if (rest.length > 1 || (rest[0] && !is(rest[0], NS.ds, 'KeyInfo')))
    throw invalid('unexpected content in ds:Signature');
  const [c14n, method, ...refs] = elementChildren(signedInfo!);
  if (!is(c14n, NS.ds, 'CanonicalizationMethod') || c14n!.getAttribute('Algorithm') !== ALG.excC14n) {
    throw invalid('SignedInfo must use exclusive canonicalisation');
  }
  const alg = method?.getAttribute('Algorithm') ?? '';
  if (
    !is(method, NS.ds, 'SignatureMethod') ||
    !SIGNATURE_ALGORITHMS[alg] ||
    elementChildren(method!).length
  ) {
    throw invalid(`signature method ${alg || '(none)'} is not accepted`);
  }
  if (refs.length === 0) throw invalid('SignedInfo has no Reference');
  const out: ReferenceSpec[] = [];
  for (const r of refs) {
    if (!is(r, NS.ds, 'Reference')) throw invalid('unexpected element in SignedInfo');
    const uri = r.getAttribute('URI') ?? '';
    if (!/^#[A-Za-z_][\w.-]*$/.test(uri))
      throw invalid(`reference URI "${uri}" is not a same-document Id reference`);
    const [transforms, digestMethod, digestValue, ...more] = elementChildren(r);
    if (
      more.length ||
      !is(transforms, NS.ds, 'Transforms') ||
      !is(digestMethod, NS.ds, 'DigestMethod') ||
      !is(digestValue, NS.ds, 'DigestValue')
    ) {
      throw invalid('a Reference must have Transforms, DigestMethod and DigestValue');
    }
    if (!DIGEST_ALGORITHMS[digestMethod!.getAttribute('Algorithm') ?? ''])
      throw invalid('digest method is not accepted');
    const ts = elementChildren(transforms!);
    if (
      ts.length !== 1 ||
      !is(ts[0], NS.ds, 'Transform') ||
      ts[0]!.getAttribute('Algorithm') !== ALG.excC14n
    ) {
      throw invalid('a Reference must have exactly one exclusive-c14n transform');
    }
    const inc = elementChildren(ts[0]!);
    if (inc.length > 1 || (inc[0] && !is(inc[0], ALG.excC14n, 'InclusiveNamespaces')))
      throw invalid('unexpected transform parameter');
    out.push({
      id: uri.slice(1),
      inclusivePrefixes: (inc[0]?.getAttribute('PrefixList') ?? '').split(/\s+/).filter(Boolean),
    });
  }
  return { method: alg, refs: out };
}

/** The in-scope namespace declarations of `e`'s ancestors (nearest wins), for InclusiveNamespaces. */
function ancestorNamespaces(e: Element): { prefix: string; namespaceURI: string }[] {
  const seen = new Map<string, string>();
  for (let p = e.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const pe = p as Element;
    for (let i = 0; i < pe.attributes.length; i++) {
      const a = pe.attributes[i]!;
      if (a.prefix === 'xmlns' && !seen.has(a.localName!)) seen.set(a.localName!, a.value);
    }
  }
  return [...seen].map(([prefix, namespaceURI]) => ({ prefix, namespaceURI }));
}

/**
 * The exclusive canonical form (exc-c14n, xml-crypto) of a referenced element in its document:
 * what a Reference with one exclusive-c14n transform and `inclusivePrefixes` digests.
 */
export function canonicalReference(target: Element, inclusivePrefixes: readonly string[] = []): string {
  return new ExclusiveCanonicalization().process(target as never, {
    inclusiveNamespacesPrefixList: [...inclusivePrefixes],
    ancestorNamespaces: ancestorNamespaces(target),
  }) as string;
}
