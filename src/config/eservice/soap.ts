/** SOAP eID-Interface settings of an eService in config/relying-parties.yaml (docs/soap-interface.md). */
import { join } from 'node:path';
import { soapClientFiles } from '../../pki/layout.js';
import type { Reader } from '../validate.js';

export interface SoapSettings {
  /**
   * PEM file of the eService's TLS client certificate (mutual TLS): the
   * certificate identifies the eService (exact match) and is also its
   * WS-Security signing certificate unless `signingCertificate` is given.
   * Default: the certificate `neid pki init` issued, in the PKI directory.
   */
  readonly clientCertificate: string;
  /** PEM file of the certificate whose key signs the eService's requests, if not the client certificate's. */
  readonly signingCertificate?: string;
  /**
   * getResult RequestCounter rule. 'strict' (default): every call must carry
   * the previous counter plus one (TR-03130-1 §3.2.2.1). 'increasing': any
   * larger value is accepted, as the conformance test TR-03130-4
   * EIDSERVER_A1_3_06 expects.
   */
  readonly requestCounter: 'strict' | 'increasing';
  /**
   * The registered certificates (the registry database holds them, several per use at once for a
   * rollover); when present they replace the files above. Each is accepted only within its validity.
   */
  readonly certificates?: readonly SoapCertificateEntry[];
}

export interface SoapCertificateEntry {
  /** `tls-client`: identifies the eService on the mutual-TLS listener; `signing`: verifies WS-Security. */
  readonly usage: 'tls-client' | 'signing';
  readonly pem: string;
}

export function readSoap(
  r: Reader,
  file: (x: Reader) => string,
  eServiceId: string,
  pkiDir?: string,
): SoapSettings {
  r.only(['clientCertificate', 'signingCertificate', 'requestCounter']);
  const client = r.at('clientCertificate');
  const signing = r.at('signingCertificate');
  return {
    clientCertificate: client.present
      ? file(client)
      : join(pkiDir ?? 'var/pki', soapClientFiles(eServiceId).cert),
    ...(signing.present ? { signingCertificate: file(signing) } : {}),
    requestCounter: r.at('requestCounter').oneOf(['strict', 'increasing'] as const, 'strict'),
  };
}
