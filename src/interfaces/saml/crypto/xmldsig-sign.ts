/**
 * Enveloped signatures on SAML messages and metadata (saml-core §5.4):
 * exclusive c14n, one Reference to the root's ID, transforms
 * enveloped-signature + exclusive c14n, placed after the Issuer (protocol
 * messages, assertions) or first (metadata). The key is reached only through
 * a `Signer`. KeyInfo names the signing certificate (X509Certificate) so an
 * SP with several registered IdP signing keys can pick the right one; SPs
 * must still verify against the registered metadata only.
 *
 * The messages are ours (built as text by src/xml/build.ts), so signing needs
 * no round trip through a DOM serialiser: the root is parsed once to
 * canonicalise it (xml-crypto's exclusive c14n, XML-DSig §6.6.4 / exc-c14n),
 * SignedInfo is written directly in its canonical form (exc-c14n of an apex
 * element: only the visibly used `ds` namespace, no attributes to order,
 * empty elements as start-end pairs), and the Signature element is spliced
 * into the original text. The enveloped-signature transform (XML-DSig
 * §6.6.4) removes exactly that element again, so the digest over the
 * unsigned root is the digest a verifier computes. xmlsec1, samlify and
 * SimpleSAMLphp verify the result (test/interop, test/e2e).
 */
import { createHash } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { elementChildren } from '../../../xml/dom.js';
import { parseXml } from '../../../xml/parse.js';
import { C14N, DIGEST } from '../algorithms.js';
import { NS } from '../namespaces.js';
import type { Signer } from './keys.js';

export interface SignOptions {
  readonly digest: string;
  /** 'issuer': after the root's saml:Issuer child (protocol messages, assertions); 'first': first child (metadata). */
  readonly position: 'issuer' | 'first';
  readonly keyInfo?: boolean;
}

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const HASH: Readonly<Record<string, string>> = {
  [DIGEST.sha256]: 'sha256',
  [DIGEST.sha384]: 'sha384',
  [DIGEST.sha512]: 'sha512',
};

export const certificateBase64 = (signer: Signer): string => signer.certificate.raw.toString('base64');

/**
 * SignedInfo in canonical form (exc-c14n, apex element): what is signed, byte for byte. The
 * values are an NCName and algorithm URIs of our allow-lists: nothing c14n would escape.
 */
function canonicalSignedInfo(id: string, algorithm: string, digestUri: string, digest: string): string {
  if (!/^[A-Za-z_][\w.-]*$/.test(id)) throw new Error('signEnveloped: the root ID is not an NCName');
  if (/[&<"\s]/.test(algorithm + digestUri)) throw new Error('signEnveloped: unexpected algorithm URI');
  return (
    `<ds:SignedInfo xmlns:ds="${DS}">` +
    `<ds:CanonicalizationMethod Algorithm="${C14N.exclusive}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${algorithm}"></ds:SignatureMethod>` +
    `<ds:Reference URI="#${id}"><ds:Transforms>` +
    `<ds:Transform Algorithm="${C14N.enveloped}"></ds:Transform>` +
    `<ds:Transform Algorithm="${C14N.exclusive}"></ds:Transform>` +
    `</ds:Transforms><ds:DigestMethod Algorithm="${digestUri}"></ds:DigestMethod>` +
    `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`
  );
}

/** Offset just past the root element's start tag (attribute values may hold '>'). */
function endOfRootStartTag(xml: string): number {
  let i = xml.indexOf('<');
  while (xml.startsWith('<?', i) || xml.startsWith('<!--', i)) i = xml.indexOf('<', xml.indexOf('>', i) + 1);
  let quote = '';
  for (i++; i < xml.length; i++) {
    const c = xml[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  throw new Error('signEnveloped: the root start tag does not end');
}

/** Where the Signature goes: after the root's first child, which must be its Issuer; or first. */
function insertionPoint(xml: string, root: Element, position: SignOptions['position']): number {
  const afterStart = endOfRootStartTag(xml);
  if (xml[afterStart - 2] === '/') throw new Error('signEnveloped: the root element is empty');
  if (position === 'first') return afterStart;
  const issuer = elementChildren(root)[0];
  if (!issuer || issuer.namespaceURI !== NS.saml || issuer.localName !== 'Issuer')
    throw new Error('signEnveloped: the first child of the root is not saml:Issuer');
  const close = `</${issuer.tagName}>`;
  const at = xml.indexOf(close, afterStart);
  if (at < 0) throw new Error('signEnveloped: the Issuer element is not closed');
  return at + close.length;
}

/** Returns `xml` (one root element carrying an ID attribute) with an enveloped ds:Signature. */
export function signEnveloped(xml: string, signer: Signer, o: SignOptions): string {
  const hash = HASH[o.digest];
  if (!hash) throw new Error(`signEnveloped: unsupported digest ${o.digest}`);
  const root = parseXml(xml, { maxBytes: 16 * 1024 * 1024, maxDepth: 64, maxNodes: 1_000_000 })
    .documentElement as unknown as Element;
  const id = root.getAttribute('ID');
  if (!id) throw new Error('signEnveloped: the root element has no ID');
  const canonical = new ExclusiveCanonicalization().process(root as never, {}) as string;
  const digest = createHash(hash).update(canonical, 'utf8').digest('base64');
  const signedInfo = canonicalSignedInfo(id, signer.algorithm, o.digest, digest);
  const value = signer.sign(Buffer.from(signedInfo, 'utf8')).toString('base64');
  const keyInfo =
    o.keyInfo === false
      ? ''
      : `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBase64(signer)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  // In place the SignedInfo inherits `ds` from Signature; its canonical form is the string signed above.
  const signature = `<ds:Signature xmlns:ds="${DS}">${signedInfo.replace(` xmlns:ds="${DS}"`, '')}<ds:SignatureValue>${value}</ds:SignatureValue>${keyInfo}</ds:Signature>`;
  const at = insertionPoint(xml, root, o.position);
  return xml.slice(0, at) + signature + xml.slice(at);
}
