/**
 * Strict reading of eID-Interface messages: each element's children must be
 * exactly the schema's sequence (order, cardinality, no unknown elements, no
 * stray text, no undeclared attributes), and simple values must match their
 * XML Schema types. Any deviation is a SoapError with
 * common#schemaViolation (TR-03130-1 §3.4.1).
 */
import type { Element, Node } from '@xmldom/xmldom';
import { el, esc, textEl } from '../../../xml/build.js';
import { NS } from '../namespaces.js';
import { type SoapResult, schemaViolation } from '../result-codes.js';

export interface ChildSpec {
  readonly ns: string;
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
}

/** Attributes other than namespace declarations are not declared by the schema. */
export function noAttributes(e: Element): void {
  for (let i = 0; i < e.attributes.length; i++) {
    const a = e.attributes[i]!;
    if (a.name === 'xmlns' || a.prefix === 'xmlns') continue;
    throw schemaViolation(`<${e.localName}> has an undeclared attribute ${a.name}`);
  }
}

/**
 * Checks that `e` contains exactly the sequence `spec` (each element at most
 * `max`, default 1, at least `min`, default 1) and returns the children by name.
 */
export function sequence(e: Element, spec: readonly ChildSpec[]): Map<string, Element[]> {
  noAttributes(e);
  const out = new Map<string, Element[]>(spec.map((s) => [s.name, []]));
  let i = 0;
  for (let c: Node | null = e.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 3 || c.nodeType === 4) {
      if ((c.nodeValue ?? '').trim() !== '') throw schemaViolation(`<${e.localName}> contains text`);
      continue;
    }
    if (c.nodeType === 8) continue;
    if (c.nodeType !== 1) throw schemaViolation(`<${e.localName}> contains an unexpected node`);
    const child = c as Element;
    while (
      i < spec.length &&
      !(spec[i]!.name === child.localName && spec[i]!.ns === (child.namespaceURI ?? ''))
    ) {
      if ((out.get(spec[i]!.name)?.length ?? 0) < (spec[i]!.min ?? 1))
        throw schemaViolation(`<${e.localName}> lacks <${spec[i]!.name}>`);
      i++;
    }
    if (i >= spec.length)
      throw schemaViolation(`<${e.localName}> has an unexpected or misplaced element <${child.localName}>`);
    const list = out.get(spec[i]!.name)!;
    if (list.length >= (spec[i]!.max ?? 1))
      throw schemaViolation(`<${e.localName}> has too many <${child.localName}>`);
    list.push(child);
  }
  for (; i < spec.length; i++) {
    if ((out.get(spec[i]!.name)?.length ?? 0) < (spec[i]!.min ?? 1))
      throw schemaViolation(`<${e.localName}> lacks <${spec[i]!.name}>`);
  }
  return out;
}

/** The text of a simple-typed element (no child elements, no attributes). */
export function simpleText(e: Element): string {
  noAttributes(e);
  let s = '';
  for (let c: Node | null = e.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 3 || c.nodeType === 4) s += c.nodeValue ?? '';
    else if (c.nodeType === 1) throw schemaViolation(`<${e.localName}> must be a simple value`);
  }
  return s;
}

/** XML Schema whitespace "collapse" (xs:int, xs:hexBinary, xs:anyURI, xs:date …). */
export const collapse = (s: string): string => s.replace(/[\t\n\r ]+/g, ' ').trim();

export function int32(e: Element): number {
  const s = collapse(simpleText(e));
  if (!/^[+-]?\d+$/.test(s)) throw schemaViolation(`<${e.localName}> is not an xs:int`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < -2147483648 || n > 2147483647)
    throw schemaViolation(`<${e.localName}> is out of the xs:int range`);
  return n;
}

export function hexBinaryOf(e: Element, minBytes = 0): Buffer {
  const s = collapse(simpleText(e));
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s))
    throw schemaViolation(`<${e.localName}> is not xs:hexBinary`);
  const b = Buffer.from(s, 'hex');
  if (b.length < minBytes) throw schemaViolation(`<${e.localName}> is shorter than ${minBytes} bytes`);
  return b;
}

export const one = (m: Map<string, Element[]>, name: string): Element => m.get(name)![0]!;
export const maybe = (m: Map<string, Element[]>, name: string): Element | undefined => m.get(name)?.[0];

/** dss:Result (OASIS DSS §3.1.1; TR-03112-1 §4.1.2). */
export function buildResult(r: SoapResult): string {
  return el(
    'dss:Result',
    {},
    textEl('dss:ResultMajor', r.major),
    r.minor ? textEl('dss:ResultMinor', r.minor) : undefined,
    r.message ? `<dss:ResultMessage xml:lang="en">${esc(r.message)}</dss:ResultMessage>` : undefined,
  );
}

/** Namespace declarations of a response body element. */
export const RESPONSE_NS = { 'xmlns:eid': NS.eid, 'xmlns:tw': NS.tw, 'xmlns:dss': NS.dss } as const;
