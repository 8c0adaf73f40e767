/**
 * Building XML as text with correct escaping. Messages are templates of
 * elements; every text and attribute value passes through `esc`/`escAttr`.
 */
export function esc(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function escAttr(s: string): string {
  return s.replace(/[&<>"'\r\n\t]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<name a="v">children</name>`; children are pre-built XML strings, undefined entries are skipped. */
export function el(
  name: string,
  attrs: Record<string, string | undefined> = {},
  ...children: (string | undefined)[]
): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escAttr(v!)}"`)
    .join('');
  const body = children.filter((c) => c !== undefined).join('');
  return body ? `<${name}${a}>${body}</${name}>` : `<${name}${a}/>`;
}

/** An element with escaped text content. */
export function textEl(name: string, text: string, attrs: Record<string, string | undefined> = {}): string {
  return el(name, attrs, esc(text));
}

export const hexUpper = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
