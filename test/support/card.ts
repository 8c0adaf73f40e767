/** Virtual cards for tests, personalised from a test PKI and written to a temp file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CardFileJson } from '../../src/card/card-file.js';
import { type CreateCardOptions, createCard } from '../../src/card/personalize.js';

export function writeTestCard(
  pkiDir: string,
  opts: Omit<CreateCardOptions, 'pkiDir'> = {},
): { file: string; json: CardFileJson } {
  const json = createCard({ pkiDir, pin: '123456', can: '654321', ...opts });
  const file = join(mkdtempSync(join(tmpdir(), 'neid-card-')), 'card.json');
  writeFileSync(file, JSON.stringify(json, null, 2));
  return { file, json };
}
