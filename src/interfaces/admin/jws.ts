/**
 * The compact JWS of admin API client assertions (RFC 7515, RFC 7523 §3):
 * ES256 (P-256, r ‖ s) or PS256, on node:crypto. Only what private_key_jwt
 * needs: sign a claims set, verify one with a registered public JWK.
 */
import { constants, createPublicKey, type JsonWebKey, type KeyObject, sign, verify } from 'node:crypto';

export type JwsAlg = 'ES256' | 'PS256';

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function params(alg: JwsAlg, key: KeyObject) {
  return alg === 'ES256'
    ? { key, dsaEncoding: 'ieee-p1363' as const }
    : { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
}

export function signJws(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const alg: JwsAlg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'PS256';
  const input = `${b64(JSON.stringify({ alg, typ: 'JWT', kid }))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(sign('sha256', Buffer.from(input), params(alg, key)))}`;
}

export interface ParsedJws {
  readonly header: { readonly alg?: unknown; readonly kid?: unknown };
  readonly claims: Record<string, unknown>;
  readonly input: Buffer;
  readonly signature: Buffer;
}

/** Splits and decodes; throws on anything that is not a compact JWS of JSON objects. */
export function parseJws(token: string): ParsedJws {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p)))
    throw new Error('not a compact JWS');
  const json = (s: string) => {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  };
  return {
    header: json(parts[0]!),
    claims: json(parts[1]!),
    input: Buffer.from(`${parts[0]}.${parts[1]}`),
    signature: Buffer.from(parts[2]!, 'base64url'),
  };
}

/** Verifies with `jwk`; the algorithm must be the one the key type allows (no `none`, no HMAC). */
export function verifyJws(j: ParsedJws, jwk: JsonWebKey): boolean {
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const alg = j.header.alg;
  if (
    key.asymmetricKeyType === 'ec' &&
    alg === 'ES256' &&
    key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
  )
    return verify('sha256', j.input, params('ES256', key), j.signature);
  if (
    key.asymmetricKeyType === 'rsa' &&
    alg === 'PS256' &&
    (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048
  )
    return verify('sha256', j.input, params('PS256', key), j.signature);
  return false;
}

/** A public JWK acceptable as a credential: EC P-256 or RSA ≥ 2048, no private members. */
export function checkPublicJwk(jwk: JsonWebKey): string | undefined {
  if ('d' in jwk) return 'the JWK holds a private key; register the public key only';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch (e) {
    return `not a usable JWK: ${(e as Error).message}`;
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return undefined;
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048)
    return undefined;
  return 'the key must be EC P-256 (ES256) or RSA of at least 2048 bits (PS256)';
}
