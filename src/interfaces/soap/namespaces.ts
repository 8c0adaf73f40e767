/**
 * XML namespaces and URIs of the SOAP eID-Interface (TR-03130-1 §3): SOAP 1.1,
 * OASIS WS-Security 1.1 (X.509 token profile), XML-DSig, OASIS DSS (Result),
 * the TR-03130 types (`http://bsi.bund.de/eID/`) and the product's own
 * namespace for Taiwan's card fields.
 */
export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  /** SOAP 1.2: not part of the interface (the WSDL binds SOAP 1.1); recognised only to refuse it precisely. */
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  dss: 'urn:oasis:names:tc:dss:1.0:core:schema',
  eid: 'http://bsi.bund.de/eID/',
  tw: 'urn:tw:gov:moi:neid:eid:1',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** WS-Security X.509 token profile 1.1 URIs. */
export const WSS = {
  x509v3: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3',
  base64: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary',
} as const;

/** XML-DSig algorithm URIs accepted and used (TR-03116-4 §4.3; WS-SecurityPolicy Basic256Sha256). */
export const ALG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaPssSha256: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
  rsaPssSha384: 'http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1',
  rsaPssSha512: 'http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  ecdsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  ecdsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
} as const;

/** SOAPAction values of the WSDL binding. */
export const SOAP_ACTION = {
  useID: 'http://bsi.bund.de/eID/useID',
  getResult: 'http://bsi.bund.de/eID/getResult',
  getServerInfo: 'http://bsi.bund.de/eID/getServerInfo',
} as const;

/** Path of the endpoint on the SOAP listener; the WSDL is at `?wsdl`, the schemas under `/schemas/`. */
export const SOAP_PATH = '/eid-interface';
