/**
 * HTTP-Redirect binding (saml-bindings §3.4; TR-03130-1 §4.1, §4.9.2.1).
 *
 * Inbound: the signature covers the query string octets exactly as received —
 * `SAMLRequest=…[&RelayState=…]&SigAlg=…`, then `&Signature=…` last — never a
 * re-encoding; so the parameters must arrive in that order, each once, and
 * nothing else may be in the query. The message is DEFLATE-decoded with an
 * output limit — at most MAX_INFLATED, and at most MAX_RATIO times the
 * compressed size (no decompression bombs: a few hundred bytes may not
 * become a document the parser spends on) — and must not carry an XML
 * signature of its own (§3.4.4.1).
 *
 * Outbound: DEFLATE, base64, URL-encode, and sign the octet string with the
 * IdP key of the SP's algorithm set.
 */

import type { KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Signer } from '../crypto/keys.js';
import { verifyRaw } from '../crypto/signature-algorithms.js';
import { SamlRejection } from '../errors.js';

export type MessageParam = 'SAMLRequest' | 'SAMLResponse';

export interface RedirectMessage {
  readonly xml: string;
  readonly relayState?: string;
  readonly signature?: { readonly algorithm: string; readonly value: Buffer; readonly octets: Buffer };
}

/** An AuthnRequest is at most a few KB (intake.ts MAX_REQUEST_XML bounds what is parsed). */
export const MAX_INFLATED = 64 * 1024;
/**
 * XML compresses about 2–5 times (a signed request with an encrypted extension, mostly base64, about
 * 1.5); 20 leaves room for a redundant request and refuses a bomb before the parser sees it.
 */
export const MAX_RATIO = 20;
const MAX_QUERY = 64 * 1024;

const malformed = (msg: string): never => {
  throw new SamlRejection('malformed', msg);
};

/** application/x-www-form-urlencoded value decoding. */
function formDecode(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return malformed(`${name} is not correctly URL-encoded`);
  }
}

export function strictBase64(s: string, name: string, allowWhitespace = false): Buffer {
  const t = allowWhitespace ? s.replace(/[\r\n\t ]+/g, '') : s;
  if (t.length === 0 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t))
    malformed(`${name} is not base64`);
  return Buffer.from(t, 'base64');
}

/** Parses the raw query string of a Redirect-binding request; checks order and uniqueness. */
export function parseRedirectQuery(rawQuery: string, param: MessageParam): RedirectMessage {
  if (rawQuery.length > MAX_QUERY) malformed('the query string is too long');
  if (rawQuery === '') malformed(`no ${param} (empty query string)`);
  const parts = rawQuery.split('&');
  const names = parts.map((p) => {
    const i = p.indexOf('=');
    return i < 0 ? p : p.slice(0, i);
  });
  const allowed = [param, 'RelayState', 'SigAlg', 'Signature'];
  for (const n of names)
    if (!allowed.includes(n)) malformed(`unexpected query parameter "${n.slice(0, 40)}"`);
  if (new Set(names).size !== names.length) malformed('a query parameter occurs more than once');
  const expected = allowed.filter((n) => names.includes(n));
  if (expected.join('&') !== names.join('&'))
    malformed(`query parameters must be in the order ${param}, RelayState, SigAlg, Signature`);
  if (names[0] !== param) malformed(`no ${param}`);
  const hasSigAlg = names.includes('SigAlg');
  if (hasSigAlg !== names.includes('Signature')) malformed('SigAlg and Signature must come together');
  const raw = (n: string) => {
    const p = parts[names.indexOf(n)]!;
    return p.slice(p.indexOf('=') + 1);
  };
  let xml: string;
  const deflated = strictBase64(formDecode(raw(param), param), param);
  const limit = Math.min(MAX_INFLATED, deflated.length * MAX_RATIO);
  try {
    xml = inflateRawSync(deflated, { maxOutputLength: limit }).toString('utf8');
  } catch {
    return malformed(
      `${param} is not DEFLATE-encoded or inflates beyond ${limit} bytes (${MAX_RATIO} times its ${deflated.length} compressed bytes, at most ${MAX_INFLATED})`,
    );
  }
  const relayState = names.includes('RelayState') ? formDecode(raw('RelayState'), 'RelayState') : undefined;
  if (relayState !== undefined && Buffer.byteLength(relayState) > 1024)
    malformed('RelayState is longer than 1024 bytes');
  if (!hasSigAlg) return { xml, ...(relayState !== undefined ? { relayState } : {}) };
  const sigIndex = rawQuery.lastIndexOf('&Signature=');
  return {
    xml,
    ...(relayState !== undefined ? { relayState } : {}),
    signature: {
      algorithm: formDecode(raw('SigAlg'), 'SigAlg'),
      value: strictBase64(formDecode(raw('Signature'), 'Signature'), 'Signature'),
      octets: Buffer.from(rawQuery.slice(0, sigIndex), 'utf8'),
    },
  };
}

/** Verifies the query-string signature with the SP's registered keys. */
export function verifyRedirectSignature(
  sig: NonNullable<RedirectMessage['signature']>,
  keys: readonly KeyObject[],
  allowed: readonly string[],
): void {
  if (!allowed.includes(sig.algorithm))
    throw new SamlRejection(
      'algorithm-refused',
      `SigAlg ${sig.algorithm.slice(0, 100)} is not accepted for this SP`,
    );
  if (!keys.some((k) => verifyRaw(sig.algorithm, k, sig.octets, sig.value))) {
    throw new SamlRejection(
      'signature-invalid',
      'the query-string signature does not verify with the registered certificate',
    );
  }
}

/** The URL delivering `xml` to `endpoint` over HTTP-Redirect, signed with `signer`. */
export function redirectUrl(
  endpoint: string,
  param: MessageParam,
  xml: string,
  relayState: string | undefined,
  signer: Signer,
): string {
  const enc = encodeURIComponent;
  let octets = `${param}=${enc(deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'))}`;
  if (relayState !== undefined) octets += `&RelayState=${enc(relayState)}`;
  octets += `&SigAlg=${enc(signer.algorithm)}`;
  const signature = signer.sign(Buffer.from(octets, 'utf8')).toString('base64');
  return `${endpoint}${endpoint.includes('?') ? '&' : '?'}${octets}&Signature=${enc(signature)}`;
}
