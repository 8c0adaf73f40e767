/**
 * The one way untrusted XML enters the product. Refuses, before any parsing:
 * documents over `maxBytes`; any document type declaration, entity
 * declaration or processing instruction other than the XML declaration (no
 * XXE, no entity expansion — "billion laughs" never reaches a parser); and,
 * after parsing, nesting deeper than `maxDepth`. Parser warnings are errors.
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { XmlError } from './errors.js';

export interface ParseOptions {
  readonly maxBytes?: number;
  readonly maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 32;

export function parseXml(input: string | Buffer, opts: ParseOptions = {}): Document {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > maxBytes) throw new XmlError('too-large', `XML document of ${size} bytes exceeds ${maxBytes}`);
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlError('dtd-forbidden', 'document type and entity declarations are not accepted');
  }
  // Only the XML declaration may be a processing instruction.
  const pi = /<\?([A-Za-z_:][\w.:-]*)/g;
  for (let m = pi.exec(text); m; m = pi.exec(text)) {
    if (m[1]!.toLowerCase() !== 'xml' || m.index !== text.search(/\S/)) {
      throw new XmlError('malformed', `processing instruction <?${m[1]} is not accepted`);
    }
  }
  let problem: string | undefined;
  const parser = new DOMParser({
    onError: (level, msg) => {
      problem ??= `${level}: ${msg}`;
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (e) {
    throw new XmlError('malformed', `not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (problem) throw new XmlError('malformed', `not well-formed XML: ${problem.split('\n')[0]}`);
  if (!doc.documentElement) throw new XmlError('malformed', 'no root element');
  checkDepth(doc.documentElement, opts.maxDepth ?? DEFAULT_MAX_DEPTH);
  return doc;
}

function checkDepth(root: Element, max: number): void {
  // Iterative walk: hostile nesting cannot exhaust the stack here.
  const stack: Array<[Element, number]> = [[root, 1]];
  while (stack.length) {
    const [el, depth] = stack.pop()!;
    if (depth > max) throw new XmlError('too-deep', `XML nesting deeper than ${max}`);
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1) stack.push([c as Element, depth + 1]);
    }
  }
}
