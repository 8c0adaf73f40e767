/**
 * The IdP's signed metadata (saml-metadata §2.3–2.4.3; TR-03130-1 §4.9.1–4.9.2:
 * separate signing and encryption keys exchanged when the trust relationship
 * is set up): IDPSSODescriptor with WantAuthnRequestsSigned, the supported
 * algorithms (SAML metadata algorithm support profile), KeyDescriptors for
 * signing (ECDSA P-256 and RSA-3072) and encryption (RSA-3072, for the
 * EncryptedAuthnRequestExtension), NameID formats, SingleSignOnService for
 * HTTP-Redirect and HTTP-POST, the TR-03130 eID-Client endpoint (N_eID
 * extension) and the attributes on offer. Signed with the ECDSA key; the
 * document only changes when keys or URLs change, so it is built once and
 * its ID and ETag are derived from its content.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { el, textEl } from '../../../xml/build.js';
import { DIGEST, ENC, MGF1, SIG } from '../algorithms.js';
import { ATTRIBUTES } from '../attributes/catalogue.js';
import type { IdpKeys, Signer } from '../crypto/keys.js';
import { signEnveloped } from '../crypto/xmldsig-sign.js';
import { BINDING, NAMEID_FORMAT, NS, SAML_PROTOCOL } from '../namespaces.js';

export interface IdpEndpoints {
  readonly entityId: string;
  /** SingleSignOnService (HTTP-Redirect and HTTP-POST). */
  readonly ssoUrl: string;
  /** TR-03130-1 §4.2.1 step 5: where the eID-Client brings the AuthnRequest and receives the TC Token. */
  readonly tcTokenUrl: string;
}

export interface SignedMetadata {
  readonly xml: string;
  readonly etag: string;
  readonly validUntil: string;
}

const keyDescriptor = (use: 'signing' | 'encryption', cert: X509Certificate, methods = '') =>
  el(
    'md:KeyDescriptor',
    { use },
    el('ds:KeyInfo', {}, el('ds:X509Data', {}, textEl('ds:X509Certificate', cert.raw.toString('base64')))),
    methods,
  );

function encryptionMethods(): string {
  return [
    el('md:EncryptionMethod', { Algorithm: ENC.aes256Gcm }),
    el('md:EncryptionMethod', { Algorithm: ENC.aes128Gcm }),
    el(
      'md:EncryptionMethod',
      { Algorithm: ENC.rsaOaep },
      el('ds:DigestMethod', { Algorithm: DIGEST.sha256 }),
      el('xenc11:MGF', { Algorithm: MGF1.sha256 }),
    ),
  ].join('');
}

export function buildIdpMetadata(e: IdpEndpoints, keys: IdpKeys, signer: Signer): SignedMetadata {
  const certs = [keys.signingEc.certificate, keys.signingRsa.certificate, keys.encryption.certificate];
  const notAfter = Math.min(...certs.map((c) => Date.parse(c.validTo)));
  const validUntil = new Date(notAfter).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const fingerprint = createHash('sha256');
  for (const part of [e.entityId, e.ssoUrl, e.tcTokenUrl, ...certs.map((c) => c.raw.toString('base64'))])
    fingerprint.update(part).update('\0');
  const digest = fingerprint.digest('hex');
  const descriptor = el(
    'md:IDPSSODescriptor',
    { protocolSupportEnumeration: SAML_PROTOCOL, WantAuthnRequestsSigned: 'true' },
    el(
      'md:Extensions',
      {},
      ...[DIGEST.sha256, DIGEST.sha384, DIGEST.sha512].map((d) => el('alg:DigestMethod', { Algorithm: d })),
      ...[SIG.ecdsaSha256, SIG.ecdsaSha384, SIG.ecdsaSha512, SIG.rsaPssSha256].map((s) =>
        el('alg:SigningMethod', { Algorithm: s }),
      ),
      el('neid:TcTokenService', { Binding: BINDING.redirect, Location: e.tcTokenUrl }),
    ),
    keyDescriptor('signing', keys.signingEc.certificate),
    keyDescriptor('signing', keys.signingRsa.certificate),
    keyDescriptor('encryption', keys.encryption.certificate, encryptionMethods()),
    textEl('md:NameIDFormat', NAMEID_FORMAT.transient),
    textEl('md:NameIDFormat', NAMEID_FORMAT.persistent),
    el('md:SingleSignOnService', { Binding: BINDING.redirect, Location: e.ssoUrl }),
    el('md:SingleSignOnService', { Binding: BINDING.post, Location: e.ssoUrl }),
    ...ATTRIBUTES.map((a) =>
      el('saml:Attribute', { Name: a.name, NameFormat: a.nameFormat, FriendlyName: a.friendlyName }),
    ),
  );
  const unsigned = el(
    'md:EntityDescriptor',
    {
      'xmlns:md': NS.md,
      'xmlns:ds': NS.ds,
      'xmlns:saml': NS.saml,
      'xmlns:alg': NS.alg,
      'xmlns:xenc11': NS.xenc11,
      'xmlns:neid': NS.neid,
      ID: `_${digest.slice(0, 40)}`,
      entityID: e.entityId,
      validUntil,
      cacheDuration: 'PT24H',
    },
    descriptor,
  );
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${signEnveloped(unsigned, signer, { digest: DIGEST.sha256, position: 'first' })}`;
  return { xml, etag: `"${digest.slice(0, 32)}"`, validUntil };
}
