/**
 * A streaming pre-check of untrusted XML, run by parseXml before any DOM is
 * built: one pass over the text that counts nodes (elements, attributes,
 * comments, CDATA sections) and tracks the nesting depth, and stops at the
 * first limit exceeded. A hostile document — a million `<a/>`, a deep nest,
 * a tag with a hundred thousand attributes — is refused after reading only
 * as much of it as the limit allows, without allocating per node; the DOM
 * parser only ever sees documents inside the limits.
 *
 * It is not a full well-formedness check (the parser that follows does
 * that); it bounds what the parser will build. So that its depth is the
 * parser's, it matches end tags to start tags by name: a stray or mismatched
 * end tag is refused here. `<` cannot occur inside an attribute value
 * (XML 1.0 §3.1, AttValue) and markup inside comments, CDATA and processing
 * instructions is skipped, so every `<` the scanner stops at starts a tag.
 */
import { XmlError } from './errors.js';

export interface ScanLimits {
  readonly maxDepth: number;
  /** Elements + attributes + comments + CDATA sections. */
  readonly maxNodes: number;
}

const LT = 60;
const GT = 62;
const SLASH = 47;
const BANG = 33;
const QUESTION = 63;
const EQUALS = 61;
const DQUOTE = 34;
const SQUOTE = 39;

function skipTo(text: string, from: number, end: string, what: string): number {
  const i = text.indexOf(end, from);
  if (i < 0) throw new XmlError('malformed', `unterminated ${what}`);
  return i + end.length;
}

/** The tag name starting at `from` (ends at whitespace, "/" or ">"). */
function nameAt(text: string, from: number): string {
  let j = from;
  for (; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === GT || c === SLASH || c <= 32) break;
  }
  return text.slice(from, j);
}

export function scanXml(text: string, limits: ScanLimits): void {
  const { maxDepth, maxNodes } = limits;
  const open: string[] = [];
  let nodes = 0;
  const count = () => {
    if (++nodes > maxNodes) throw new XmlError('too-many-nodes', `more than ${maxNodes} XML nodes`);
  };
  let i = text.indexOf('<');
  while (i >= 0) {
    const next = text.charCodeAt(i + 1);
    if (next === BANG) {
      if (text.startsWith('<!--', i)) i = skipTo(text, i + 4, '-->', 'comment');
      else if (text.startsWith('<![CDATA[', i)) i = skipTo(text, i + 9, ']]>', 'CDATA section');
      else throw new XmlError('dtd-forbidden', 'document type and entity declarations are not accepted');
      count();
    } else if (next === QUESTION) {
      i = skipTo(text, i + 2, '?>', 'processing instruction');
    } else if (next === SLASH) {
      if (open.pop() !== nameAt(text, i + 2)) throw new XmlError('malformed', 'mismatched end tag');
      i = skipTo(text, i + 2, '>', 'end tag');
    } else {
      count();
      if (open.length >= maxDepth) throw new XmlError('too-deep', `XML nesting deeper than ${maxDepth}`);
      open.push(nameAt(text, i + 1));
      let quote = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (quote) {
          if (c === quote) quote = 0;
          else if (c === LT) throw new XmlError('malformed', '"<" in an attribute value');
        } else if (c === DQUOTE || c === SQUOTE) quote = c;
        else if (c === EQUALS) count();
        else if (c === GT) break;
        else if (c === LT) throw new XmlError('malformed', 'unterminated start tag');
      }
      if (j >= text.length) throw new XmlError('malformed', 'unterminated start tag');
      if (text.charCodeAt(j - 1) === SLASH) open.pop();
      i = j + 1;
    }
    i = text.indexOf('<', i);
  }
}
