/**
 * Strict XML decryption of one EncryptedData (XML-Enc 1.1 §3–5) with the
 * IdP's encryption key, limited to the algorithms the SP may use
 * (algorithms.ts). Used for the TR-03130 EncryptedAuthnRequestExtension
 * (TR-03130-1 §4.5.2, §4.9.1), which is decrypted only after the request's
 * signature has been verified. The encrypted key is the single
 * xenc:EncryptedKey in the EncryptedData's ds:KeyInfo, or else the single
 * EncryptedKey next to it (saml:EncryptedElementType). Every failure is a
 * `DecryptionError` with a reason for the log.
 */
import { constants, createDecipheriv, type DecipherGCM, type KeyObject, privateDecrypt } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { elementChildren, textOf } from '../../../xml/dom.js';
import { ENC, type HashName, hashOfDigestUri, hashOfMgfUri, type InboundAlgorithms } from '../algorithms.js';
import { NS } from '../namespaces.js';
import { contentCipher } from './xmlenc-encrypt.js';

export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

const fail = (msg: string): never => {
  throw new DecryptionError(msg);
};

function one(parent: Element, ns: string, local: string): Element {
  const l = elementChildren(parent, ns, local);
  if (l.length !== 1) fail(`<${parent.localName}> must have exactly one <${local}>`);
  return l[0]!;
}

function base64(el: Element): Buffer {
  const t = textOf(el).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) fail('CipherValue is not base64');
  return Buffer.from(t, 'base64');
}

function cipherValue(parent: Element): Buffer {
  return base64(one(one(parent, NS.xenc, 'CipherData'), NS.xenc, 'CipherValue'));
}

function findEncryptedKey(data: Element, siblings: readonly Element[]): Element {
  const keyInfo = elementChildren(data, NS.ds, 'KeyInfo');
  if (keyInfo.length > 1) fail('more than one ds:KeyInfo');
  const inside = keyInfo[0] ? elementChildren(keyInfo[0], NS.xenc, 'EncryptedKey') : [];
  if (inside.length > 1) fail('more than one EncryptedKey in ds:KeyInfo');
  if (inside.length === 1) return inside[0]!;
  if (siblings.length !== 1) fail('expected exactly one EncryptedKey');
  return siblings[0]!;
}

function unwrapKey(encKey: Element, key: KeyObject, allowed: InboundAlgorithms): Buffer {
  const method = one(encKey, NS.xenc, 'EncryptionMethod');
  const alg = method.getAttribute('Algorithm') ?? '';
  if (!allowed.keyTransport.includes(alg)) fail(`key transport ${alg} is not accepted`);
  let digest: HashName = 'sha1';
  let mgf: HashName = 'sha1';
  for (const c of elementChildren(method)) {
    if (c.namespaceURI === NS.ds && c.localName === 'DigestMethod') {
      digest = hashOfDigestUri(c.getAttribute('Algorithm') ?? '') ?? fail('unknown OAEP DigestMethod');
    } else if (c.namespaceURI === NS.xenc11 && c.localName === 'MGF' && alg === ENC.rsaOaep) {
      mgf = hashOfMgfUri(c.getAttribute('Algorithm') ?? '') ?? fail('unknown OAEP MGF');
    } else if (c.namespaceURI === NS.xenc && c.localName === 'OAEPparams') {
      if (textOf(c).trim() !== '') fail('an OAEP label is not supported');
    } else if (c.namespaceURI !== NS.xenc || c.localName !== 'KeySize') {
      fail(`unexpected <${c.localName}> in the key transport EncryptionMethod`);
    }
  }
  if (digest !== mgf) fail('OAEP digest and MGF1 digest must agree');
  if (!allowed.oaepHashes.includes(digest)) fail(`OAEP with ${digest} is not accepted`);
  try {
    return privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: digest },
      cipherValue(encKey),
    );
  } catch (e) {
    if (e instanceof DecryptionError) throw e;
    return fail('the content key cannot be decrypted with the IdP encryption key');
  }
}

/** Decrypts `data` (xenc:EncryptedData) and returns the plaintext octets. */
export function decryptEncryptedData(
  data: Element,
  siblingKeys: readonly Element[],
  key: KeyObject,
  allowed: InboundAlgorithms,
): Buffer {
  if (data.namespaceURI !== NS.xenc || data.localName !== 'EncryptedData') fail('not an xenc:EncryptedData');
  const type = data.getAttribute('Type');
  if (type && type !== 'http://www.w3.org/2001/04/xmlenc#Element')
    fail(`EncryptedData Type ${type} is not an element`);
  const alg = one(data, NS.xenc, 'EncryptionMethod').getAttribute('Algorithm') ?? '';
  const c = contentCipher(alg);
  if (!c || !allowed.content.includes(alg)) fail(`content encryption ${alg} is not accepted`);
  const cek = unwrapKey(findEncryptedKey(data, siblingKeys), key, allowed);
  if (cek.length !== c!.keyLength) fail('the content key has the wrong length');
  const octets = cipherValue(data);
  try {
    if (c!.gcm) {
      if (octets.length < c!.ivLength + 16) fail('GCM ciphertext too short');
      const d = createDecipheriv(c!.cipher, cek, octets.subarray(0, c!.ivLength)) as DecipherGCM;
      d.setAuthTag(octets.subarray(octets.length - 16));
      return Buffer.concat([d.update(octets.subarray(c!.ivLength, octets.length - 16)), d.final()]);
    }
    const body = octets.subarray(c!.ivLength);
    if (body.length === 0 || body.length % 16 !== 0)
      fail('CBC ciphertext length is not a multiple of the block size');
    const d = createDecipheriv(c!.cipher, cek, octets.subarray(0, c!.ivLength));
    d.setAutoPadding(false);
    const plain = Buffer.concat([d.update(body), d.final()]);
    const pad = plain[plain.length - 1]!;
    if (pad < 1 || pad > 16) fail('bad padding');
    return plain.subarray(0, plain.length - pad);
  } catch (e) {
    if (e instanceof DecryptionError) throw e;
    return fail('the content cannot be decrypted');
  } finally {
    cek.fill(0);
  }
}
