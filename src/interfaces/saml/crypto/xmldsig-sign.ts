/**
 * Enveloped signatures on SAML messages and metadata (saml-core §5.4):
 * exclusive c14n, one Reference to the root's ID, transforms
 * enveloped-signature + exclusive c14n, placed after the Issuer (protocol
 * messages, assertions) or first (metadata). The key is reached only through
 * a `Signer`. KeyInfo names the signing certificate (X509Certificate) so an
 * SP with several registered IdP signing keys can pick the right one; SPs
 * must still verify against the registered metadata only.
 */
import { SignedXml } from 'xml-crypto';
import { C14N } from '../algorithms.js';
import { NS } from '../namespaces.js';
import type { Signer } from './keys.js';
import { hashAlgorithms, signerAlgorithms } from './signature-algorithms.js';

export interface SignOptions {
  readonly digest: string;
  /** 'issuer': after the root's saml:Issuer child (protocol messages, assertions); 'first': first child (metadata). */
  readonly position: 'issuer' | 'first';
  readonly keyInfo?: boolean;
}

export const certificateBase64 = (signer: Signer): string => signer.certificate.raw.toString('base64');

/** Returns `xml` (one root element carrying an ID attribute) with an enveloped ds:Signature. */
export function signEnveloped(xml: string, signer: Signer, o: SignOptions): string {
  const sig = new SignedXml({
    // The key never reaches xml-crypto: the algorithm class delegates to `signer`.
    privateKey: 'delegated-to-signer',
    signatureAlgorithm: signer.algorithm,
    canonicalizationAlgorithm: C14N.exclusive,
    getKeyInfoContent:
      o.keyInfo === false
        ? () => null
        : () =>
            `<ds:X509Data><ds:X509Certificate>${certificateBase64(signer)}</ds:X509Certificate></ds:X509Data>`,
  });
  sig.SignatureAlgorithms = signerAlgorithms(signer);
  sig.HashAlgorithms = hashAlgorithms([o.digest]);
  sig.addReference({ xpath: '/*', transforms: [C14N.enveloped, C14N.exclusive], digestAlgorithm: o.digest });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location:
      o.position === 'first'
        ? { reference: '/*', action: 'prepend' }
        : { reference: `/*/*[local-name(.)='Issuer' and namespace-uri(.)='${NS.saml}']`, action: 'after' },
  });
  return sig.getSignedXml();
}
