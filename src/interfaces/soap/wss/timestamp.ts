/**
 * The wsu:Timestamp of a request (OASIS WSS 1.1 §10): read from the signed
 * bytes only; Created is required, Expires optional; freshness within the
 * policy's maximum age and clock skew.
 */
import type { Element } from '@xmldom/xmldom';
import { parseXml } from '../../../xml/parse.js';
import { NS } from '../namespaces.js';
import { invalid } from './errors.js';
import { elementChildren, is } from './signed-info.js';

export interface TimestampPolicy {
  /** A message older than this (by its Created) is refused. */
  readonly maxAgeMs: number;
  /** Tolerated clock difference between the peers. */
  readonly skewMs: number;
}

export const DEFAULT_TIMESTAMP_POLICY: TimestampPolicy = { maxAgeMs: 5 * 60_000, skewMs: 60_000 };

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function readTimestamp(
  canonical: string,
  now: number,
  p: TimestampPolicy,
): { created: Date; expires?: Date } {
  const ts = parseXml(canonical, { maxBytes: 16 * 1024, maxDepth: 4 }).documentElement!;
  const kids = elementChildren(ts);
  const created = kids[0];
  const expires = kids[1];
  if (!is(created, NS.wsu, 'Created') || (expires && !is(expires, NS.wsu, 'Expires')) || kids.length > 2)
    throw invalid('malformed wsu:Timestamp');
  const time = (e: Element) => {
    const s = (e.textContent ?? '').trim();
    const t = Date.parse(s);
    if (!DATE_TIME.test(s) || Number.isNaN(t)) throw invalid(`wsu:${e.localName} is not a UTC dateTime`);
    return t;
  };
  const c = time(created!);
  if (c > now + p.skewMs) throw invalid('the Timestamp is created in the future');
  if (now - c > p.maxAgeMs + p.skewMs) throw invalid('the Timestamp is stale');
  let x: number | undefined;
  if (expires) {
    x = time(expires);
    if (x <= c) throw invalid('the Timestamp expires before it was created');
    if (x + p.skewMs < now) throw invalid('the Timestamp has expired');
  }
  return { created: new Date(c), ...(x !== undefined ? { expires: new Date(x) } : {}) };
}

/**
 * Until when a request with this Timestamp is accepted (by its Created, or its Expires if earlier):
 * how long it must be remembered against replay.
 */
export function acceptedUntil(stamp: { created: Date; expires?: Date }, p: TimestampPolicy): number {
  const byAge = stamp.created.getTime() + p.maxAgeMs + p.skewMs;
  return stamp.expires ? Math.min(byAge, stamp.expires.getTime() + p.skewMs) : byAge;
}
