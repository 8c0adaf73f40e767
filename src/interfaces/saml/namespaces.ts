/**
 * Namespaces and fixed URIs of the SAML IdP: SAML 2.0 (saml-core, saml-bindings,
 * saml-metadata), XML Signature / Encryption, the TR-03130 eID namespace
 * (TR-03130-1 §4.4–4.6, TR-03130eID-Server.xsd) and this server's own
 * namespace for what TR-03130 does not define (docs/saml-idp.md).
 */
export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  alg: 'urn:oasis:names:tc:SAML:metadata:algsupport',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  xenc11: 'http://www.w3.org/2009/xmlenc11#',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  /** TR-03130 eID namespace (AuthnRequestExtension, result types, RequiredAttribute, AttributeNotOnChip). */
  eid: 'http://bsi.bund.de/eID/',
  /** N_eID-Server's namespace: Taiwan attribute names and types, status details, metadata extensions. */
  neid: 'urn:tw:neid:saml:1.0',
} as const;

export const BINDING = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const;
export type BindingUri = (typeof BINDING)[keyof typeof BINDING];
export type Binding = keyof typeof BINDING;

export const bindingOf = (uri: string): Binding | undefined =>
  uri === BINDING.redirect ? 'redirect' : uri === BINDING.post ? 'post' : undefined;

export const NAMEID_FORMAT = {
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;

export const ATTRNAME_FORMAT = {
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
} as const;

/** saml-core §3.2.2.2 status codes. */
export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  versionMismatch: 'urn:oasis:names:tc:SAML:2.0:status:VersionMismatch',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  requestUnsupported: 'urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported',
  invalidNameIdPolicy: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
  invalidAttrNameOrValue: 'urn:oasis:names:tc:SAML:2.0:status:InvalidAttrNameOrValue',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  noAuthnContext: 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext',
} as const;

/** TR-03130-1 §4.7.4: AuthnContextDeclRef SmartcardPKI (also sent as AuthnContextClassRef). */
export const AUTHN_CONTEXT_SMARTCARD_PKI = 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI';
export const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
export const SAML_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
