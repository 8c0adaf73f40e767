/** PEM armour (RFC 7468) for DER certificates, CRLs and keys. */
import { X509Error } from './errors.js';

export function pemFromDer(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER of the first PEM block (any label); X509Error('malformed') when there is none. */
export function derFromPem(pem: string): Buffer {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new X509Error('malformed', 'no PEM block found');
  const body = m[2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new X509Error('malformed', 'PEM body is not base64');
  return Buffer.from(body, 'base64');
}
