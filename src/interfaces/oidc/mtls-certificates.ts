/** Helpers of RFC 8705 mutual-TLS client authentication: the peer certificate, subject DNs, CA bundles. */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** RFC 4514 DN → sorted "type=value" list (order-insensitive comparison of subject DNs). */
export function dnParts(dn: string, separator: RegExp): string[] {
  return dn
    .split(separator)
    .map((p) => p.trim().replace(/\\(.)/g, '$1'))
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      return `${p.slice(0, i).trim().toUpperCase()}=${p.slice(i + 1).trim()}`;
    })
    .sort();
}

export const peerCertificate = (ctx: KoaContextWithOIDC): X509Certificate | undefined => {
  const socket = ctx.req.socket as Partial<TLSSocket>;
  return socket.getPeerX509Certificate?.() ?? undefined;
};

/** The certificates of a PEM bundle. */
export function splitPem(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (c) => new X509Certificate(c),
  );
}
