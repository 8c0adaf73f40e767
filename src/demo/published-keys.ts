/**
 * The demo SP's key pairs are published in the repository
 * (metadata/demo-portal/README.md): anyone can decrypt what the IdP encrypts
 * for an SP registered with them, and sign requests in its name. Registering
 * them is fine for the localhost demo and tests, a data leak anywhere else —
 * so the server warns about it on every start and refuses to start with
 * NODE_ENV=production. The fingerprints are constants so that the check works
 * where metadata/ is not deployed (the container image); a test keeps them
 * equal to the files.
 */
import type { X509Certificate } from 'node:crypto';

/** SHA-256 fingerprints of metadata/demo-portal/signing.pem and encryption.pem (X509Certificate.fingerprint256). */
export const PUBLISHED_DEMO_CERTIFICATES: ReadonlySet<string> = new Set([
  '93:91:53:86:CF:55:C8:90:E0:FC:42:96:CD:38:A1:18:E7:DC:00:D1:52:31:BC:9E:36:12:C8:2C:23:2F:67:B0',
  'F8:72:76:92:0B:F5:A3:13:B5:84:E8:AD:0A:45:F4:29:BE:02:6A:58:36:AC:19:01:CF:8F:A5:D2:35:1C:95:90',
]);

export class PublishedKeyError extends Error {
  override readonly name = 'PublishedKeyError';
}

/**
 * Returns the ids of the eServices registered with a published demo
 * certificate; throws PublishedKeyError when there are any and `production`.
 */
export function checkPublishedKeys(
  sps: readonly { readonly eServiceId: string; readonly certificates: readonly X509Certificate[] }[],
  production: boolean,
): string[] {
  const hits = sps
    .filter((sp) => sp.certificates.some((c) => PUBLISHED_DEMO_CERTIFICATES.has(c.fingerprint256)))
    .map((sp) => sp.eServiceId);
  if (hits.length && production)
    throw new PublishedKeyError(
      `eService(s) ${hits.join(', ')} are registered with the published DEMO keys of metadata/demo-portal; ` +
        'remove them from the registry (NODE_ENV=production)',
    );
  return hits;
}
