/** SOAP eID-Interface settings of an eService in config/relying-parties.yaml. */
import { join } from 'node:path';
import { soapClientFiles } from '../../pki/layout.js';
import type { Reader } from '../validate.js';

export interface SoapSettings {
  /**
   * PEM file of the eService's TLS client certificate (mutual TLS) — also its
   * WS-Security signing certificate unless `signingCertificate` is given.
   * Default: the certificate `neid pki init` issued, in the PKI directory.
   */
  readonly clientCertificate: string;
  readonly signingCertificate?: string;
}

export function readSoap(r: Reader, file: (x: Reader) => string, eServiceId: string, pkiDir?: string): SoapSettings {
  r.only(['clientCertificate', 'signingCertificate']);
  const client = r.at('clientCertificate');
  const signing = r.at('signingCertificate');
  return {
    clientCertificate: client.present ? file(client) : join(pkiDir ?? 'var/pki', soapClientFiles(eServiceId).cert),
    ...(signing.present ? { signingCertificate: file(signing) } : {}),
  };
}
