/**
 * schemas/public-data-bundle.schema.json describes what the reader writes:
 * Ajv (an independent JSON Schema 2020-12 validator) accepts a bundle read from
 * the virtual card and refuses what parseBundle refuses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBundle, serializeBundle } from '../../src/open-api/bundle.js';
import { ROOT } from '../support/cli.js';
import { cardFor, makeTestPki, newSecret, readWithChallenge } from './support.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/public-data-bundle.schema.json'), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true, formats: { 'date-time': true } }).compile(
  schema,
);

let bundle: Record<string, unknown>;
beforeAll(async () => {
  const pki = makeTestPki();
  bundle = JSON.parse(serializeBundle((await readWithChallenge(cardFor(pki).json, newSecret())).bundle));
}, 120_000);

describe('the bundle JSON Schema', () => {
  it('accepts a bundle as read-public writes it', () => {
    expect(validate(bundle), JSON.stringify(validate.errors)).toBe(true);
    const { chipAuthentication, ...withoutChip } = bundle;
    expect(chipAuthentication).toBeDefined();
    expect(validate(withoutChip)).toBe(true);
  });

  it('refuses what parseBundle refuses', () => {
    const dgs = bundle.dataGroups as Record<string, string>;
    const { '3': _dg3, ...noDg3 } = dgs;
    const ca = bundle.chipAuthentication as Record<string, unknown>;
    for (const bad of [
      { ...bundle, extra: true },
      { ...bundle, version: 2 },
      { ...bundle, dataGroups: noDg3 },
      { ...bundle, dataGroups: { ...dgs, '11': 'awMTAU0=' } },
      { ...bundle, cardSecurity: 'not*base64' },
      { ...bundle, chipAuthentication: { ...ca, token: 'AAAA' } },
      { ...bundle, chipAuthentication: { ...ca, keyId: 256 } },
    ]) {
      expect(validate(bad)).toBe(false);
      expect(() => parseBundle(JSON.stringify(bad))).toThrow();
    }
  });
});
