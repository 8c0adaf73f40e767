/**
 * parseXml's limits, enforced by the streaming pre-check (src/xml/scan.ts)
 * before any DOM is built: node count, depth (end tags matched by name), and
 * markup inside comments, CDATA and attribute values.
 */
import { describe, expect, it } from 'vitest';
import { XmlError } from '../../src/xml/errors.js';
import { parseXml } from '../../src/xml/parse.js';

const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof XmlError ? e.code : String(e);
  }
};

describe('parseXml limits', () => {
  it('refuses a million elements at the node limit, without building them', () => {
    const flood = `<r>${'<a/>'.repeat(1_000_000)}</r>`;
    expect(code(() => parseXml(flood, { maxBytes: 8 * 1024 * 1024 }))).toBe('too-many-nodes');
  });

  it('counts attributes, comments and CDATA sections as nodes', () => {
    const attrs = `<r ${Array.from({ length: 50 }, (_, i) => `a${i}="x"`).join(' ')}/>`;
    expect(code(() => parseXml(attrs, { maxNodes: 40 }))).toBe('too-many-nodes');
    expect(code(() => parseXml(attrs, { maxNodes: 60 }))).toBe('ok');
    expect(code(() => parseXml(`<r>${'<!--c-->'.repeat(20)}</r>`, { maxNodes: 10 }))).toBe('too-many-nodes');
    expect(code(() => parseXml(`<r>${'<![CDATA[x]]>'.repeat(20)}</r>`, { maxNodes: 10 }))).toBe(
      'too-many-nodes',
    );
  });

  it('refuses nesting beyond the depth limit, and stray or mismatched end tags that would hide it', () => {
    expect(code(() => parseXml(`${'<a>'.repeat(33)}${'</a>'.repeat(33)}`))).toBe('too-deep');
    expect(code(() => parseXml(`${'<a>'.repeat(32)}${'</a>'.repeat(32)}`))).toBe('ok');
    expect(code(() => parseXml('<r><a></b></r>'))).toBe('malformed');
    expect(code(() => parseXml('<r></r></r>'))).toBe('malformed');
  });

  it('skips markup in comments and CDATA, and refuses "<" in attribute values', () => {
    expect(code(() => parseXml('<r><!-- <a><a><a> --><![CDATA[<b><b>]]></r>', { maxDepth: 1 }))).toBe('ok');
    expect(code(() => parseXml(`<r a="${'<x/>'.repeat(100)}"/>`))).toBe('malformed');
    expect(code(() => parseXml('<r a="1 > 0" b=\'it"s\'><c/></r>'))).toBe('ok');
  });

  it('still refuses DTDs and foreign processing instructions', () => {
    expect(code(() => parseXml('<!DOCTYPE r [<!ENTITY a "b">]><r/>'))).toBe('dtd-forbidden');
    expect(code(() => parseXml('<?xml version="1.0"?><r><?php x ?></r>'))).toBe('malformed');
  });
});
