/**
 * The one way untrusted XML enters the product. Refuses, before any DOM is
 * built: documents over `maxBytes`; any document type declaration, entity
 * declaration or processing instruction other than the XML declaration (no
 * XXE, no entity expansion — "billion laughs" never reaches a parser); and,
 * in one streaming pass (scan.ts), more than `maxNodes` nodes or nesting
 * deeper than `maxDepth`. Parser warnings are errors.
 */
import { DOMParser, type Document } from '@xmldom/xmldom';
import { XmlError } from './errors.js';
import { scanXml } from './scan.js';

export interface ParseOptions {
  readonly maxBytes?: number;
  readonly maxDepth?: number;
  /** Elements + attributes + comments + CDATA sections. */
  readonly maxNodes?: number;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 32;
export const DEFAULT_MAX_NODES = 10_000;

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
  scanXml(text, {
    maxDepth: opts.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxNodes: opts.maxNodes ?? DEFAULT_MAX_NODES,
  });
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
  return doc;
}
