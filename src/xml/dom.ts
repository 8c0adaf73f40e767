/** Namespace-aware accessors over a parsed DOM; missing or duplicated elements are typed errors. */
import type { Element, Node } from '@xmldom/xmldom';
import { XmlError } from './errors.js';

export function elementChildren(el: Element, ns?: string, local?: string): Element[] {
  const out: Element[] = [];
  for (let c: Node | null = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType !== 1) continue;
    const e = c as Element;
    if (ns !== undefined && (e.namespaceURI ?? '') !== ns) continue;
    if (local !== undefined && e.localName !== local) continue;
    out.push(e);
  }
  return out;
}

/** The single child (ns, local), or undefined; more than one is a schema error. */
export function optionalChild(el: Element, ns: string, local: string): Element | undefined {
  const list = elementChildren(el, ns, local);
  if (list.length > 1) throw new XmlError('schema', `more than one <${local}> in <${el.localName}>`);
  return list[0];
}

export function requireChild(el: Element, ns: string, local: string): Element {
  const c = optionalChild(el, ns, local);
  if (!c) throw new XmlError('schema', `<${el.localName}> lacks <${local}>`);
  return c;
}

/** Text content of an element made only of text (no child elements). */
export function textOf(el: Element): string {
  let s = '';
  for (let c: Node | null = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 3 || c.nodeType === 4) s += c.nodeValue ?? '';
    else if (c.nodeType === 1) throw new XmlError('schema', `<${el.localName}> must contain text only`);
  }
  return s;
}

export function childText(el: Element, ns: string, local: string): string | undefined {
  const c = optionalChild(el, ns, local);
  return c ? textOf(c).trim() : undefined;
}

export function requireChildText(el: Element, ns: string, local: string): string {
  return textOf(requireChild(el, ns, local)).trim();
}

/** Strict hexBinary (XML Schema): even number of hex digits. */
export function hexBinary(s: string, what: string): Buffer {
  const t = s.trim();
  // Even length and hex digits: the same language as ([0-9a-fA-F]{2})*, without a capture per byte.
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t))
    throw new XmlError('schema', `${what} is not hexBinary`);
  return Buffer.from(t, 'hex');
}

export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** The local part of an xsi:type value ("iso:EAC1InputType" → "EAC1InputType"). */
export function xsiTypeLocal(el: Element): string | undefined {
  const t = el.getAttributeNS(XSI, 'type');
  if (!t) return undefined;
  const i = t.indexOf(':');
  return i >= 0 ? t.slice(i + 1) : t;
}
