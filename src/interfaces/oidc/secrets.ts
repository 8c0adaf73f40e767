/**
 * Server secrets of the OpenID Provider, in one JSON file (mode 0600) created
 * on first start: the pairwise-subject key (changing it changes every `sub`),
 * the key sealing released claims at rest, and the cookie signing keys
 * (newest first; older ones still verify). All instances of a deployment must
 * share the file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface OidcSecrets {
  /** HMAC key of pairwise subject identifiers (OIDC Core §8.1). */
  readonly pairwise: Buffer;
  /** AES-256-GCM key of the per-login claims records. */
  readonly claims: Buffer;
  readonly cookieKeys: readonly string[];
}

const hex32 = (v: unknown, what: string, file: string): Buffer => {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/i.test(v))
    throw new Error(`${file}: ${what} must be 32 bytes in hex`);
  return Buffer.from(v, 'hex');
};

export function loadOidcSecrets(file: string): OidcSecrets {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const doc = {
      pairwise: randomBytes(32).toString('hex'),
      claims: randomBytes(32).toString('hex'),
      cookieKeys: [randomBytes(32).toString('base64url')],
    };
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  }
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const keys = doc.cookieKeys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'string' || k.length < 32)) {
    throw new Error(`${file}: cookieKeys must list strings of at least 32 characters`);
  }
  return {
    pairwise: hex32(doc.pairwise, 'pairwise', file),
    claims: hex32(doc.claims, 'claims', file),
    cookieKeys: keys as string[],
  };
}
