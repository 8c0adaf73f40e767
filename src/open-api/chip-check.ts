/**
 * The chip-authentication check of `verifyPublicData` (docs/open-api.md §5).
 *
 * What a passing check proves: a chip holding the private key of the Chip
 * Authentication public key in this (verified) EF.CardSecurity computed
 * T_PICC over the verifier's PK_PCD, between the challenge's issue and its
 * expiry, once. Since the data-group hashes are in the same signed object, the
 * data set belongs to that chip. A copy of a bundle, or a bundle made for
 * another challenge, fails.
 *
 * What it does not prove: that the data groups were read in the same session
 * (an older signed version of the same card's data passes too); who held the
 * card (the CAN is printed on it: this is possession, not the holder's
 * identity); that the card was near the reader (a relay can forward the
 * challenge in real time); anything to a third party (T_PICC is a MAC that the
 * holder of SK_PCD — the verifier — could also compute).
 */

import { publicPointOf } from '../crypto/keys.js';
import { finishChipAuthentication } from '../eac/ca.js';
import { chipAuthenticationKey, chooseChipAuthentication } from '../eac/card-access.js';
import { EacError } from '../eac/errors.js';
import type { SecurityInfo } from '../pki/security-infos.js';
import type { ChipAuthenticationEvidence } from './bundle.js';
import { challengeKey, challengeTimeProblem, readChallenge } from './challenge.js';
import { CheckFailure, type CheckOutcome } from './checks.js';
import { OpenApiError } from './errors.js';
import type { ReplayGuard } from './replay.js';

export interface ChipCheckOptions {
  /** The verifier's challenge secret; without it no evidence can be checked. */
  readonly challengeSecret?: Buffer;
  readonly replay?: ReplayGuard;
  /** Accept a bundle without checkable evidence, as a warning. */
  readonly allowWithoutChipAuthentication?: boolean;
}

export function checkChipAuthentication(
  evidence: ChipAuthenticationEvidence | undefined,
  infos: readonly SecurityInfo[],
  o: ChipCheckOptions,
  at: Date,
): CheckOutcome<undefined> {
  const missing = !evidence
    ? 'the bundle carries no Chip Authentication: the data set could be a copy'
    : !o.challengeSecret
      ? 'no challenge secret is configured: the chip evidence cannot be checked'
      : undefined;
  if (missing) {
    if (o.allowWithoutChipAuthentication)
      return { detail: `${missing} (accepted by configuration)`, value: undefined, warning: true };
    throw new CheckFailure('chip-not-authenticated', missing);
  }
  const ev = evidence!;
  let challenge: ReturnType<typeof readChallenge>;
  try {
    challenge = readChallenge(ev.challenge);
  } catch (e) {
    if (e instanceof OpenApiError) throw new CheckFailure('chip-authentication-failed', e.message);
    throw e;
  }
  const time = challengeTimeProblem(challenge, at);
  if (time)
    throw new CheckFailure(
      'challenge-expired',
      time === 'expired'
        ? `the challenge expired ${challenge.expiresAt.toISOString()}`
        : `the challenge is issued in the future (${challenge.issuedAt.toISOString()})`,
    );
  // The CA key the reader used, from the signed SecurityInfos only.
  let key: ReturnType<typeof chipAuthenticationKey>;
  try {
    const candidates = infos.filter(
      (i) => i.kind !== 'ca' || (i.protocol === ev.protocol && i.keyId === ev.keyId),
    );
    key = chipAuthenticationKey(infos, chooseChipAuthentication(candidates));
  } catch (e) {
    if (e instanceof EacError)
      throw new CheckFailure(
        'chip-authentication-failed',
        `EF.CardSecurity offers no such Chip Authentication: ${e.message}`,
      );
    throw e;
  }
  const sk = challengeKey(o.challengeSecret!, challenge, key.curve);
  if (!challenge.publicKeys.get(key.curve.standardizedId)?.equals(publicPointOf(sk)))
    throw new CheckFailure('chip-authentication-failed', 'the challenge was not issued by this verifier');
  try {
    const keys = finishChipAuthentication({
      protocol: key.protocol,
      curve: key.curve,
      ephemeralPrivate: sk,
      chipPublicPoint: key.publicPoint,
      nonce: ev.nonce,
      token: ev.token,
    });
    keys.enc.fill(0);
    keys.mac.fill(0);
  } catch (e) {
    if (e instanceof EacError) throw new CheckFailure('chip-authentication-failed', e.message);
    throw e;
  }
  // Single use, counted only for a valid answer: garbage cannot burn a verifier's challenges.
  if (o.replay && !o.replay.use(challenge.nonce.toString('hex'), challenge.expiresAt, at))
    throw new CheckFailure(
      'challenge-replayed',
      'this challenge was answered before: the bundle is a replay',
    );
  return {
    detail: `the chip of this EF.CardSecurity answered the challenge issued ${challenge.issuedAt.toISOString()}${o.replay ? ', first use' : ''}`,
    value: undefined,
    ...(o.replay ? {} : { warning: true }),
  };
}
