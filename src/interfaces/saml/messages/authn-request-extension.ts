/**
 * The TR-03130 EncryptedAuthnRequestExtension (TR-03130-1 §4.5.2, §4.7.1–4.7.2,
 * §4.9.1): in samlp:Extensions of a *verified* AuthnRequest, an
 * eid:EncryptedAuthnRequestExtension (saml:EncryptedElementType) holding the
 * encrypted eid:AuthnRequestExtension (Version, RequestedAttributes with
 * saml:Attribute elements and the eid:RequiredAttribute flag, default true).
 * Decrypted with the IdP's encryption key; the plaintext is parsed with
 * parseXml like any untrusted XML. An unencrypted AuthnRequestExtension is
 * refused: the profile requires encryption.
 */
import type { KeyObject } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { elementChildren } from '../../../xml/dom.js';
import { XmlError } from '../../../xml/errors.js';
import { parseXml } from '../../../xml/parse.js';
import type { InboundAlgorithms } from '../algorithms.js';
import { checkDocumentHygiene } from '../crypto/xmldsig-verify.js';
import { DecryptionError, decryptEncryptedData } from '../crypto/xmlenc-decrypt.js';
import { SamlRejection } from '../errors.js';
import { type RequestedAttribute, requestedAttribute } from '../metadata/sp-metadata.js';
import { NS } from '../namespaces.js';

const reject = (msg: string): never => {
  throw new SamlRejection('extension', msg);
};

/** The requested attributes of the request's extension, or undefined when it carries none. */
export function readAuthnRequestExtension(
  extensions: Element | undefined,
  key: KeyObject,
  allowed: InboundAlgorithms,
): RequestedAttribute[] | undefined {
  if (!extensions) return undefined;
  if (elementChildren(extensions, NS.eid, 'AuthnRequestExtension').length)
    reject('the AuthnRequestExtension must be encrypted (EncryptedAuthnRequestExtension)');
  const list = elementChildren(extensions, NS.eid, 'EncryptedAuthnRequestExtension');
  if (list.length === 0) return undefined;
  if (list.length > 1) reject('more than one EncryptedAuthnRequestExtension');
  const wrapper = list[0]!;
  const data = elementChildren(wrapper, NS.xenc, 'EncryptedData');
  if (data.length !== 1) reject('EncryptedAuthnRequestExtension must contain one xenc:EncryptedData');
  let plain: Buffer;
  try {
    plain = decryptEncryptedData(data[0]!, elementChildren(wrapper, NS.xenc, 'EncryptedKey'), key, allowed);
  } catch (e) {
    if (e instanceof DecryptionError) return reject(`EncryptedAuthnRequestExtension: ${e.message}`);
    throw e;
  }
  return parseAuthnRequestExtension(plain);
}

/** Parses a decrypted eid:AuthnRequestExtension (TR-03130-1 §4.4.5, table 13). */
export function parseAuthnRequestExtension(plain: Buffer | string): RequestedAttribute[] {
  let root: Element;
  try {
    const doc = parseXml(plain, { maxBytes: 64 * 1024, maxDepth: 16, maxNodes: 1_000 });
    checkDocumentHygiene(doc);
    root = doc.documentElement!;
  } catch (e) {
    if (e instanceof XmlError) return reject(`AuthnRequestExtension: ${e.message}`);
    if (e instanceof SamlRejection) return reject(`AuthnRequestExtension: ${e.message}`);
    throw e;
  }
  if (root.namespaceURI !== NS.eid || root.localName !== 'AuthnRequestExtension')
    reject('the decrypted content is not an eid:AuthnRequestExtension');
  if (!/^[1-9]\d{0,2}$/.test(root.getAttribute('Version') ?? ''))
    reject('AuthnRequestExtension/@Version must be a positive integer');
  const ra = elementChildren(root, NS.eid, 'RequestedAttributes');
  if (ra.length !== 1 || elementChildren(root).length !== 1)
    reject('AuthnRequestExtension must contain exactly one RequestedAttributes');
  const attrs = elementChildren(ra[0]!);
  if (attrs.length === 0)
    reject('RequestedAttributes must contain at least one Attribute (TR-03130-1 table 13)');
  return attrs.map((a) => {
    if (a.namespaceURI !== NS.saml || a.localName !== 'Attribute')
      reject(`unexpected <${a.localName}> in RequestedAttributes`);
    // The XSD defines eid:RequiredAttribute globally (qualified); an unqualified one is accepted too.
    const flag = a.getAttributeNS(NS.eid, 'RequiredAttribute') || a.getAttribute('RequiredAttribute');
    if (flag && !['true', 'false', '1', '0'].includes(flag))
      reject('eid:RequiredAttribute must be a boolean');
    try {
      return requestedAttribute(a, !flag || flag === 'true' || flag === '1');
    } catch (e) {
      return reject((e as Error).message);
    }
  });
}
