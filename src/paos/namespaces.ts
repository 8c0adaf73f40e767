/** XML namespaces of the PAOS binding (TR-03112-7 §3.2, Liberty PAOS v2.0) and the ISO 24727 messages. */
export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  paos: 'urn:liberty:paos:2006-08',
  wsa: 'http://www.w3.org/2005/03/addressing',
  iso: 'urn:iso:std:iso-iec:24727:tech:schema',
  dss: 'urn:oasis:names:tc:dss:1.0:core:schema',
  ecard: 'http://www.bsi.bund.de/ecard/api/1.1',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** The EAC protocol URN of DIDAuthenticate (TR-03112-7 §3.6.4). */
export const EAC_PROTOCOL = 'urn:oid:1.3.162.15480.3.0.14.2';
export const PAOS_VERSION = 'urn:liberty:paos:2006-08';
export const PAOS_SERVICE_TYPE = 'http://www.bsi.bund.de/ecard/api/1.1/PAOS/GetNextCommand';
export const PAOS_CONTENT_TYPE = 'application/vnd.paos+xml';
