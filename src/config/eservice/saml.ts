/** SAML settings of an eService in config/relying-parties.yaml (docs/saml-idp.md §2; docs/configuration.md). */
import type { Reader } from '../validate.js';

export interface SamlSettings {
  /** SP metadata file (absolute path), or where the registry got it (`registry:<id>`, a URL) for messages. */
  readonly metadata: string;
  /** The metadata document itself (the registry database holds it); read from `metadata` when absent. */
  readonly metadataXml?: string;
  readonly nameIdFormat: 'transient' | 'persistent';
  /** Algorithms: TR-03116-4 set by default; 'legacy' (rsa-sha256, aes-cbc, rsa-oaep-mgf1p) only on explicit opt-in. */
  readonly algorithms: 'tr-03116-4' | 'legacy';
  readonly requireSignedRequests: boolean;
  /**
   * How a card that fails its checks (revoked, expired, not authentic) and a REQUIRED attribute the
   * citizen withheld are answered: 'tr-03130' — a Success Response whose assertion carries
   * DocumentValidity (and, for an invalid card, nothing else; a withheld attribute is absent), as
   * TR-03130-1 §4.4.3/§4.7.4 and the TR-03130-4 test cases have it; 'status' — an error status
   * and no assertion, so that a generic SAML stack never sees a Success; 'auto' (default) —
   * 'tr-03130' for requests in the TR-03130 profile (EncryptedAuthnRequestExtension, or through
   * the eID-Client at /saml/tctoken), 'status' for plain Web SSO requests.
   */
  readonly resultStyle: 'auto' | 'tr-03130' | 'status';
}

export function readSaml(r: Reader, file: (x: Reader) => string): SamlSettings {
  r.only(['metadata', 'nameIdFormat', 'algorithms', 'requireSignedRequests', 'resultStyle']);
  return {
    metadata: file(r.at('metadata')),
    nameIdFormat: r.at('nameIdFormat').oneOf(['transient', 'persistent'] as const, 'transient'),
    algorithms: r.at('algorithms').oneOf(['tr-03116-4', 'legacy'] as const, 'tr-03116-4'),
    requireSignedRequests: r.at('requireSignedRequests').bool(true),
    resultStyle: r.at('resultStyle').oneOf(['auto', 'tr-03130', 'status'] as const, 'auto'),
  };
}
