/**
 * Signing a response (TR-03130-1 §3.5.2.2 RecipientToken; OASIS WSS 1.1):
 * wsse:Security with the server's X.509 certificate as BinarySecurityToken,
 * a wsu:Timestamp, and a ds:Signature over soap:Body and wsu:Timestamp —
 * exclusive c14n, SHA-256 digests, RSA-SHA256 (Basic256Sha256) or
 * ECDSA-SHA256 for an EC key. KeyInfo names the certificate by issuer and
 * serial number, as the TR's policy (RequireIssuerSerialReference) asks.
 * The same function signs the test eService's requests.
 */
import { createHash, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { asSigningKey, type SigningKey } from '../../../crypto/signing-key.js';
import { el, esc, textEl } from '../../../xml/build.js';
import { parseXml } from '../../../xml/parse.js';
import { ALG, NS, WSS } from '../namespaces.js';
import { signatureValue } from './algorithms.js';
import { canonicalReference, elementChildren } from './signed-info.js';

export interface SigningCredential {
  /** A private KeyObject, or a SigningKey (the server's key may be in a PKCS#11 token). */
  readonly key: KeyObject | SigningKey;
  /** PEM certificate of `key`. */
  readonly certPem: string;
}

export interface SignOptions {
  readonly now?: number;
  /** Lifetime of the Timestamp (wsu:Expires − wsu:Created). */
  readonly ttlMs?: number;
  /** Override the signature method (tests). */
  readonly signatureMethod?: string;
}

const iso = (t: number) => new Date(t).toISOString();

/** RFC 4514 string of an X.509 name as node prints it (one RDN per line, most significant first). */
function rfc4514(name: string): string {
  return name
    .split('\n')
    .filter(Boolean)
    .reverse()
    .map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',');
}

function keyInfo(cert: X509Certificate): string {
  const serial = BigInt(`0x${cert.serialNumber}`).toString();
  return el(
    'wsse:SecurityTokenReference',
    {},
    el(
      'ds:X509Data',
      {},
      el(
        'ds:X509IssuerSerial',
        {},
        textEl('ds:X509IssuerName', rfc4514(cert.issuer)),
        textEl('ds:X509SerialNumber', serial),
      ),
    ),
  );
}

/** The BinarySecurityToken and KeyInfo content of a certificate: parsed once per certificate (a few are in use). */
const parts = new Map<string, { readonly token: string; readonly keyInfo: string }>();
function certificateParts(certPem: string): { readonly token: string; readonly keyInfo: string } {
  let p = parts.get(certPem);
  if (!p) {
    const cert = new X509Certificate(certPem);
    p = { token: cert.raw.toString('base64'), keyInfo: keyInfo(cert) };
    if (parts.size >= 64) parts.delete(parts.keys().next().value!);
    parts.set(certPem, p);
  }
  return p;
}

/**
 * SignedInfo in canonical form (exc-c14n of an apex element: only the visibly used `ds` namespace,
 * no attributes to order, empty elements as start-end pairs) — what is signed, byte for byte. The
 * Ids are ours (hex suffixes) and the URIs are constants: nothing c14n would escape.
 */
function canonicalSignedInfo(method: string, refs: readonly { id: string; digest: string }[]): string {
  const reference = (r: { id: string; digest: string }) =>
    `<ds:Reference URI="#${r.id}"><ds:Transforms><ds:Transform Algorithm="${ALG.excC14n}"></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${ALG.sha256}"></ds:DigestMethod><ds:DigestValue>${r.digest}</ds:DigestValue></ds:Reference>`;
  return (
    `<ds:SignedInfo xmlns:ds="${NS.ds}"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${method}"></ds:SignatureMethod>${refs.map(reference).join('')}</ds:SignedInfo>`
  );
}

/**
 * A signed SOAP 1.1 envelope around `bodyContent` (one element, with its own namespace declarations).
 *
 * The envelope is ours, built as text, so signing needs no XPath and no round trip through a DOM
 * serialiser: the unsigned envelope is parsed once, soap:Body and wsu:Timestamp are canonicalised
 * exactly as the verifier does (`canonicalReference`, xml-crypto's exclusive c14n), SignedInfo is
 * written in its canonical form, and ds:Signature is spliced into the text at the end of
 * wsse:Security. xml-crypto (test/interfaces/soap/verify.test.ts) and xmlsec1
 * (test/interop/soap-xmlsec.test.ts) verify the result.
 */
export function signEnvelope(bodyContent: string, cred: SigningCredential, o: SignOptions = {}): string {
  const now = o.now ?? Date.now();
  const suffix = randomBytes(12).toString('hex');
  const ids = { body: `Body-${suffix}`, ts: `TS-${suffix}`, token: `X509-${suffix}` };
  const { token, keyInfo } = certificateParts(cred.certPem);
  // Split at the end of wsse:Security's content, where the signature goes.
  const head =
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soap}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">` +
    `<soap:Header><wsse:Security soap:mustUnderstand="1">` +
    `<wsse:BinarySecurityToken wsu:Id="${ids.token}" EncodingType="${WSS.base64}" ValueType="${WSS.x509v3}">${esc(token)}</wsse:BinarySecurityToken>` +
    el(
      'wsu:Timestamp',
      { 'wsu:Id': ids.ts },
      textEl('wsu:Created', iso(now)),
      textEl('wsu:Expires', iso(now + (o.ttlMs ?? 5 * 60_000))),
    );
  const tail = `</wsse:Security></soap:Header>${el('soap:Body', { 'wsu:Id': ids.body }, bodyContent)}</soap:Envelope>`;
  const envelope = parseXml(head + tail, {
    maxBytes: 64 * 1024 * 1024,
    maxDepth: 64,
    maxNodes: 1_000_000,
  }).documentElement as unknown as Element;
  const [header, body] = elementChildren(envelope) as [Element, Element];
  const timestamp = elementChildren(elementChildren(header)[0]!)[1]!;
  const digest = (e: Element) => createHash('sha256').update(canonicalReference(e), 'utf8').digest('base64');
  const key = asSigningKey(cred.key);
  const method = o.signatureMethod ?? (key.type === 'ec' ? ALG.ecdsaSha256 : ALG.rsaSha256);
  const signedInfo = canonicalSignedInfo(method, [
    { id: ids.body, digest: digest(body) },
    { id: ids.ts, digest: digest(timestamp) },
  ]);
  const value = signatureValue(method, key, signedInfo);
  // In place the SignedInfo inherits `ds` from Signature; its canonical form is the string signed above.
  const signature =
    `<ds:Signature xmlns:ds="${NS.ds}">${signedInfo.replace(` xmlns:ds="${NS.ds}"`, '')}` +
    `<ds:SignatureValue>${value}</ds:SignatureValue><ds:KeyInfo>${keyInfo}</ds:KeyInfo></ds:Signature>`;
  return head + signature + tail;
}
