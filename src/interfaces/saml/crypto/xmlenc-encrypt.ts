/**
 * XML Encryption of one element (XML-Enc 1.1 §3–5; saml-core §6; TR-03130-1
 * §4.9.1): hybrid encryption with a fresh random content key per message
 * (TR-03116-4 §3.4), transported to the recipient's RSA key with RSAES-OAEP.
 *
 * - AES-GCM (xmlenc11#aes{128,256}-gcm): CipherValue = IV(12) ‖ ciphertext ‖ tag(16);
 * - AES-CBC (legacy): CipherValue = IV(16) ‖ ciphertext (PKCS#7 padding, which
 *   satisfies XML-Enc §5.2.1);
 * - xmlenc11#rsa-oaep with DigestMethod and MGF (SHA-256 / MGF1-SHA-256 by
 *   default), or xmlenc#rsa-oaep-mgf1p (SHA-1, legacy).
 */
import {
  type CipherGCM,
  constants,
  createCipheriv,
  type KeyObject,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { digestUriOf, ENC, MGF1, type OutboundAlgorithms } from '../algorithms.js';
import { NS } from '../namespaces.js';

const ELEMENT_TYPE = 'http://www.w3.org/2001/04/xmlenc#Element';

const CONTENT: Record<string, { cipher: string; keyLength: number; ivLength: number; gcm: boolean }> = {
  [ENC.aes128Gcm]: { cipher: 'aes-128-gcm', keyLength: 16, ivLength: 12, gcm: true },
  [ENC.aes256Gcm]: { cipher: 'aes-256-gcm', keyLength: 32, ivLength: 12, gcm: true },
  [ENC.aes128Cbc]: { cipher: 'aes-128-cbc', keyLength: 16, ivLength: 16, gcm: false },
  [ENC.aes256Cbc]: { cipher: 'aes-256-cbc', keyLength: 32, ivLength: 16, gcm: false },
};
export const contentCipher = (uri: string) => CONTENT[uri];

export function encryptContent(uri: string, key: Buffer, plaintext: Buffer): Buffer {
  const c = CONTENT[uri];
  if (!c || key.length !== c.keyLength) throw new Error(`unsupported content encryption ${uri}`);
  const iv = randomBytes(c.ivLength);
  const cipher = createCipheriv(c.cipher, key, iv) as CipherGCM;
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, ...(c.gcm ? [cipher.getAuthTag()] : [])]);
}

function keyTransportMethod(t: OutboundAlgorithms['keyTransport']): string {
  if (t.algorithm === ENC.rsaOaepMgf1p) return `<xenc:EncryptionMethod Algorithm="${ENC.rsaOaepMgf1p}"/>`;
  const mgf = MGF1[t.mgf];
  return (
    `<xenc:EncryptionMethod Algorithm="${ENC.rsaOaep}">` +
    `<ds:DigestMethod xmlns:ds="${NS.ds}" Algorithm="${digestUriOf(t.digest)}"/>` +
    `<xenc11:MGF xmlns:xenc11="${NS.xenc11}" Algorithm="${mgf}"/>` +
    '</xenc:EncryptionMethod>'
  );
}

/** Wraps `cek` for `recipient` (an RSA public key). */
export function wrapKey(t: OutboundAlgorithms['keyTransport'], recipient: KeyObject, cek: Buffer): Buffer {
  if (recipient.asymmetricKeyType !== 'rsa') throw new Error('the recipient encryption key must be RSA');
  // Node's OAEP uses the same digest for MGF1; the sets of algorithms.ts never differ.
  if (t.algorithm === ENC.rsaOaep && t.digest !== t.mgf)
    throw new Error('OAEP digest and MGF1 digest must agree');
  return publicEncrypt(
    { key: recipient, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: t.digest },
    cek,
  );
}

/** `<xenc:EncryptedData Type="…#Element">` of `plaintextXml`, the encrypted key inside its ds:KeyInfo. */
export function encryptElement(
  plaintextXml: string,
  recipient: KeyObject,
  algs: Pick<OutboundAlgorithms, 'content' | 'keyTransport'>,
): string {
  const c = CONTENT[algs.content];
  if (!c) throw new Error(`unsupported content encryption ${algs.content}`);
  const cek = randomBytes(c.keyLength);
  const cipherValue = encryptContent(algs.content, cek, Buffer.from(plaintextXml, 'utf8'));
  const wrapped = wrapKey(algs.keyTransport, recipient, cek);
  cek.fill(0);
  return (
    `<xenc:EncryptedData xmlns:xenc="${NS.xenc}" Type="${ELEMENT_TYPE}">` +
    `<xenc:EncryptionMethod Algorithm="${algs.content}"/>` +
    `<ds:KeyInfo xmlns:ds="${NS.ds}"><xenc:EncryptedKey>` +
    keyTransportMethod(algs.keyTransport) +
    `<xenc:CipherData><xenc:CipherValue>${wrapped.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    '</xenc:EncryptedKey></ds:KeyInfo>' +
    `<xenc:CipherData><xenc:CipherValue>${cipherValue.toString('base64')}</xenc:CipherValue></xenc:CipherData>` +
    '</xenc:EncryptedData>'
  );
}
