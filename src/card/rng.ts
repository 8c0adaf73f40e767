/**
 * The card's source of randomness. Production uses node:crypto; tests may
 * inject a deterministic source to reproduce worked examples (ICAO Doc 9303-11
 * appendix G.1) byte for byte. `purpose` names the value being drawn.
 */
import { randomBytes } from 'node:crypto';
import type { Curve } from '../crypto/curves.js';
import { randomScalar } from '../crypto/random.js';

export type RandomPurpose = 'pace-nonce' | 'ta-challenge' | 'ca-nonce';
export type ScalarPurpose = 'pace-mapping' | 'pace-ephemeral';

export interface CardRng {
  bytes(length: number, purpose: RandomPurpose): Buffer;
  scalar(curve: Curve, purpose: ScalarPurpose): bigint;
}

export const systemRng: CardRng = {
  bytes: (length) => randomBytes(length),
  scalar: (curve) => randomScalar(curve),
};
