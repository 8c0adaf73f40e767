/**
 * OpenID Provider signing keys as a private JWKS (RFC 7517): PS256 on
 * RSA-3072 and ES256 on P-256; and, for every eService whose OIDC client
 * authenticates with keys but names no JWKS file, a TEST client JWKS (ES256
 * signing key, id_token decryption key) at oidcClientJwksFile(id).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { needsJwks, oidcClientJwksFile } from '../../config/eservice/oidc.js';
import type { Registry } from '../../config/relying-parties.js';
import { PKI_FILES } from '../../pki/layout.js';
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

export function writeOidcClientJwks(w: PkiWriter, registry: Registry, rsa: () => KeyObject): void {
  for (const es of registry.eServices) {
    const c = es.oidc?.client;
    if (!c || c.jwks || !needsJwks(c)) continue;
    const sig = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const enc =
      c.idTokenEncryption?.alg === 'RSA-OAEP-256'
        ? { ...rsa().export({ format: 'jwk' }), kid: 'enc-rsa', alg: 'RSA-OAEP-256', use: 'enc' }
        : {
            ...generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'jwk' }),
            kid: 'enc-ec',
            alg: 'ECDH-ES',
            use: 'enc',
          };
    const keys = [{ ...sig.export({ format: 'jwk' }), kid: 'sig-es256', alg: 'ES256', use: 'sig' }, enc];
    w.write(oidcClientJwksFile(es.id), `${JSON.stringify({ keys }, null, 2)}\n`, true);
  }
}
