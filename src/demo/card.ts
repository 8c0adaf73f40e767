/**
 * The demo citizen's card for `npm start`: a virtual New eID card (src/card)
 * personalised from the server's test PKI on first start and kept in
 * `demo.card` (var/cards/demo.json). Its retry counters persist like a real
 * card's: two wrong PINs suspend it (the CAN resumes it), a third blocks it
 * (the user code unblocks it); delete the file to get a fresh card.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createCard } from '../card/personalize.js';
import { writeCardFileAtomic } from '../card/virtual-card.js';

export const DEMO_PIN = '123456';
/** The demo card's CAN (resumes a suspended PIN1) and user code (unblocks a blocked one), shown on the portal. */
export const DEMO_CAN = '456789';
export const DEMO_USER_CODE = 'A1B2C3D4';

/** Creates the demo card if `file` does not exist; returns whether it did. */
export function ensureDemoCard(file: string, pkiDir: string): boolean {
  if (existsSync(file)) return false;
  mkdirSync(dirname(file), { recursive: true });
  writeCardFileAtomic(file, createCard({ pkiDir, pin: DEMO_PIN, can: DEMO_CAN, userCode: DEMO_USER_CODE }));
  return true;
}
