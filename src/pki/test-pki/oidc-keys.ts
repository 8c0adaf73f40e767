/** OpenID Provider signing keys as a private JWKS (RFC 7517): PS256 on RSA-3072 and ES256 on P-256. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { PKI_FILES } from '../layout.js';
import type { PkiWriter } from './create.js';

export function writeOidcJwks(w: PkiWriter, rsa: KeyObject): void {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const stamp = new Date().toISOString().slice(0, 10);
  const keys = [
    { ...rsa.export({ format: 'jwk' }), kid: `ps256-${stamp}`, alg: 'PS256', use: 'sig' },
    { ...ec.export({ format: 'jwk' }), kid: `es256-${stamp}`, alg: 'ES256', use: 'sig' },
  ];
  w.write(PKI_FILES.oidcJwks, `${JSON.stringify({ keys }, null, 2)}\n`, true);
}
