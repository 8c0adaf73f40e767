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
}

export function readSaml(r: Reader, file: (x: Reader) => string): SamlSettings {
  r.only(['metadata', 'nameIdFormat', 'algorithms', 'requireSignedRequests']);
  return {
    metadata: file(r.at('metadata')),
    nameIdFormat: r.at('nameIdFormat').oneOf(['transient', 'persistent'] as const, 'transient'),
    algorithms: r.at('algorithms').oneOf(['tr-03116-4', 'legacy'] as const, 'tr-03116-4'),
    requireSignedRequests: r.at('requireSignedRequests').bool(true),
  };
}
