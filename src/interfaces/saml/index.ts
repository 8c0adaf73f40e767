/** The SAML IdP (docs/saml-idp.md): mount, public API, and the XML Security building blocks. */
export {
  ATTRIBUTES,
  type AttributeDef,
  attributeByName,
  NEID_ATTRIBUTE_PREFIX,
} from './attributes/catalogue.js';
export { redirectUrl } from './bindings/redirect.js';
export { keySigner, type Signer } from './crypto/keys.js';
export { signEnveloped } from './crypto/xmldsig-sign.js';
export { verifyEnvelopedSignature } from './crypto/xmldsig-verify.js';
export { decryptEncryptedData } from './crypto/xmlenc-decrypt.js';
export { encryptElement } from './crypto/xmlenc-encrypt.js';
export { mountSamlIdp, SAML_BASE, type SamlIdp, type SamlMountContext } from './idp.js';
export { buildSpMetadata, type SpMetadataSpec } from './metadata/sp-metadata-builder.js';
export { BINDING, NAMEID_FORMAT, NS as SAML_NS, STATUS } from './namespaces.js';
export {
  type ExtensionAttribute,
  type LoginResult,
  loginRequestUrl,
  type ReleasedAttribute,
  readLoginResponse,
  SamlResponseError,
  type SpClientConfig,
} from './sp-client.js';
export { NEID_STATUS_PREFIX, STATUS_TABLE } from './status.js';
