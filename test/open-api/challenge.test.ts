/** The verifier's challenge: public keys only in the token, keys derived from the secret, bounded lifetime. */
import { describe, expect, it } from 'vitest';
import { CURVES } from '../../src/crypto/curves.js';
import { publicPointOf } from '../../src/crypto/keys.js';
import {
  challengeKey,
  challengeTimeProblem,
  issueChallenge,
  readChallenge,
} from '../../src/open-api/challenge.js';
import { OpenApiError } from '../../src/open-api/errors.js';
import { newSecret } from './support.js';

const encode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('challenge', () => {
  it('carries a PK_PCD per curve whose private key only the secret’s holder derives', () => {
    const secret = newSecret();
    const c = issueChallenge(secret, { ttlSeconds: 60 });
    const read = readChallenge(c.token);
    expect(read.nonce).toEqual(c.nonce);
    expect(read.expiresAt.getTime() - read.issuedAt.getTime()).toBe(60_000);
    for (const curve of CURVES) {
      expect(read.publicKeys.get(curve.standardizedId)).toEqual(
        publicPointOf(challengeKey(secret, read, curve)),
      );
      expect(read.publicKeys.get(curve.standardizedId)).not.toEqual(
        publicPointOf(challengeKey(newSecret(), read, curve)),
      );
    }
    // Another time derives another key: the token's times are bound to the key.
    const later = { ...read, expiresAt: new Date(read.expiresAt.getTime() + 1000) };
    expect(publicPointOf(challengeKey(secret, later, CURVES[0]!))).not.toEqual(
      read.publicKeys.get(CURVES[0]!.standardizedId),
    );
    expect(JSON.parse(Buffer.from(c.token, 'base64url').toString())).not.toHaveProperty('secret');
  });

  it('has a bounded lifetime and a time check', () => {
    const c = issueChallenge(newSecret(), { ttlSeconds: 10 });
    expect(challengeTimeProblem(c, new Date())).toBeUndefined();
    expect(challengeTimeProblem(c, new Date(Date.now() + 11_000))).toBe('expired');
    expect(challengeTimeProblem(c, new Date(Date.now() - 3600_000))).toBe('not-yet-valid');
    expect(() => issueChallenge(newSecret(), { ttlSeconds: 7200 })).toThrow(OpenApiError);
    expect(() => issueChallenge(Buffer.alloc(8))).toThrow(/32 bytes/);
  });

  it('refuses malformed tokens', () => {
    const n = Buffer.alloc(16, 1).toString('base64url');
    for (const token of [
      'not a token!',
      encode({ v: 2, n, iat: 1, exp: 2, k: {} }),
      encode({ v: 1, n: 'AA', iat: 1, exp: 2, k: {} }),
      encode({ v: 1, n, iat: 5, exp: 5, k: {} }),
      encode({ v: 1, n, iat: 1, exp: 7201, k: {} }),
      encode({ v: 1, n, iat: 1, exp: 2, k: { 13: Buffer.alloc(65, 2).toString('base64url') } }),
      'A'.repeat(5000),
    ])
      expect(() => readChallenge(token), token.slice(0, 30)).toThrow(OpenApiError);
  });
});
