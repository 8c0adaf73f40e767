/**
 * The verifier's challenge for Chip Authentication (docs/open-api.md §5).
 *
 * Chip Authentication version 2 (TR-03110-2 §3.4) ends with the chip's token
 * T_PICC = CMAC(KDF(K, r_PICC, 2), 7F49{06 OID, 86 PK_PCD}), K = x(SK_PICC ·
 * PK_PCD) = x(SK_PCD · PK_PICC). Whoever holds SK_PCD can check it against
 * the chip's static key PK_PICC of the signed EF.CardSecurity — and whoever
 * holds SK_PCD could also have made it. So the verifier, not the reader,
 * makes the ephemeral key: the challenge carries only PK_PCD (one per curve
 * the card may use), the verifier keeps SK_PCD. A valid token then shows the
 * verifier that a chip holding SK_PICC answered this challenge after it was
 * issued: a copied data set, or a recorded answer to another challenge, fails.
 *
 * Stateless: SK_PCD = HKDF-SHA-256(secret, salt = nonce, info = curve ‖ iat ‖
 * exp) reduced to [1, n-1], so the verifier needs only its 32-byte secret; the
 * token is authenticated by the token check itself (a changed nonce or time
 * derives another key). Single use is the caller's (replay.ts).
 *
 *   token = base64url(JSON { v: 1, n: base64url(16-byte nonce), iat, exp (Unix seconds),
 *                            k: { "<standardized domain parameter id>": base64url(PK_PCD) } })
 */
import { hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import { CURVES, type Curve, toBigInt, toFixed } from '../crypto/curves.js';
import { privateKeyFromScalar, publicPointOf } from '../crypto/keys.js';
import { OpenApiError } from './errors.js';

export const CHALLENGE_SECRET_BYTES = 32;
export const DEFAULT_CHALLENGE_TTL_SECONDS = 300;
export const MAX_CHALLENGE_TTL_SECONDS = 3600;
/** How far a challenge's issue time may lie ahead of the verifier's clock (several verifier instances). */
const CLOCK_SKEW_SECONDS = 60;

export interface Challenge {
  readonly token: string;
  readonly nonce: Buffer;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** PK_PCD by the standardized domain parameter id of its curve (TR-03110-3 A.2.1.1). */
  readonly publicKeys: ReadonlyMap<number, Buffer>;
}

const bad = (m: string): never => {
  throw new OpenApiError('malformed-challenge', m);
};

function checkSecret(secret: Buffer): void {
  if (secret.length < CHALLENGE_SECRET_BYTES)
    throw new OpenApiError(
      'invalid-argument',
      `the challenge secret must have ${CHALLENGE_SECRET_BYTES} bytes`,
    );
}

/** SK_PCD of a challenge on `curve`, derived from the verifier's secret. */
export function challengeKey(
  secret: Buffer,
  c: Pick<Challenge, 'nonce' | 'issuedAt' | 'expiresAt'>,
  curve: Curve,
): KeyObject {
  checkSecret(secret);
  const info = `neid open-api chip-authentication v1|${curve.name}|${c.issuedAt.getTime() / 1000}|${c.expiresAt.getTime() / 1000}`;
  // 16 bytes beyond the order's size make the reduction's bias negligible (FIPS 186-5 A.2.1).
  const okm = Buffer.from(hkdfSync('sha256', secret, c.nonce, info, curve.size + 16));
  const d = (toBigInt(okm) % (curve.n - 1n)) + 1n;
  return privateKeyFromScalar(curve, toFixed(d, curve.size));
}

/** A new challenge, valid for `ttlSeconds` from `now`. */
export function issueChallenge(secret: Buffer, o: { now?: Date; ttlSeconds?: number } = {}): Challenge {
  checkSecret(secret);
  const ttl = o.ttlSeconds ?? DEFAULT_CHALLENGE_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_CHALLENGE_TTL_SECONDS)
    throw new OpenApiError(
      'invalid-argument',
      `the challenge lifetime must be 1..${MAX_CHALLENGE_TTL_SECONDS} s`,
    );
  const iat = Math.floor((o.now ?? new Date()).getTime() / 1000);
  const base = {
    nonce: randomBytes(16),
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date((iat + ttl) * 1000),
  };
  const publicKeys = new Map(
    CURVES.map((c) => [c.standardizedId, publicPointOf(challengeKey(secret, base, c))]),
  );
  const k = Object.fromEntries([...publicKeys].map(([id, p]) => [String(id), p.toString('base64url')]));
  const json = JSON.stringify({ v: 1, n: base.nonce.toString('base64url'), iat, exp: iat + ttl, k });
  return { ...base, token: Buffer.from(json).toString('base64url'), publicKeys };
}

/** Reads a challenge token (what the reader needs: the public keys); no secret, no time check. */
export function readChallenge(token: string): Challenge {
  if (token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token)) bad('not a challenge token');
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return bad('not a challenge token');
  }
  if (typeof o !== 'object' || o === null || o.v !== 1) bad('unsupported challenge version');
  const nonce = typeof o.n === 'string' ? Buffer.from(o.n, 'base64url') : Buffer.alloc(0);
  if (nonce.length !== 16) bad('the challenge nonce has not 16 bytes');
  const { iat, exp } = o;
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp) || (exp as number) <= (iat as number))
    bad('the challenge times are not valid');
  if ((exp as number) - (iat as number) > MAX_CHALLENGE_TTL_SECONDS) bad('the challenge lives too long');
  const keys = o.k;
  if (typeof keys !== 'object' || keys === null) return bad('the challenge has no keys');
  const publicKeys = new Map<number, Buffer>();
  for (const [id, p] of Object.entries(keys as Record<string, unknown>)) {
    const curve = CURVES.find((c) => String(c.standardizedId) === id);
    if (!curve || typeof p !== 'string') continue;
    const point = Buffer.from(p, 'base64url');
    if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04)
      bad(`the challenge key for ${curve.name} is not a point`);
    publicKeys.set(curve.standardizedId, point);
  }
  return {
    token,
    nonce,
    issuedAt: new Date((iat as number) * 1000),
    expiresAt: new Date((exp as number) * 1000),
    publicKeys,
  };
}

/** Why a challenge is not usable at `at`, or undefined when it is. */
export function challengeTimeProblem(c: Challenge, at: Date): 'expired' | 'not-yet-valid' | undefined {
  if (at.getTime() > c.expiresAt.getTime()) return 'expired';
  if (c.issuedAt.getTime() > at.getTime() + CLOCK_SKEW_SECONDS * 1000) return 'not-yet-valid';
  return undefined;
}
