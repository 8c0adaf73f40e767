/** The registry settings: embedded PGlite by default, PostgreSQL by URL (file or NEID_REGISTRY_URL), validated. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config/server-config.js';

const parse = (doc: unknown, env: NodeJS.ProcessEnv = {}) => parseServerConfig(doc, undefined, env);

describe('registry settings', () => {
  it('defaults: embedded PGlite under var/, schema neid, renewal 14 days before a 90-day validity', () => {
    const r = parse({}).registry;
    expect(r).toMatchObject({
      databaseUrl: null,
      dataDir: resolve('var/registry'),
      schema: 'neid',
      keyFile: resolve('var/registry.key'),
      connectTimeoutSeconds: 5,
      pollSeconds: 5,
      terminals: { validityDays: 90, renewDaysBefore: 14 },
      saml: {
        metadataMaxBytes: 1024 * 1024,
        fetchTimeoutSeconds: 10,
        refreshHours: 24,
        metadataSigningCertificate: null,
      },
      audit: { retentionDays: 365 },
    });
  });

  it('PostgreSQL from the file or NEID_REGISTRY_URL (which wins)', () => {
    expect(parse({ registry: { databaseUrl: 'postgresql://a@h/db' } }).registry.databaseUrl).toBe(
      'postgresql://a@h/db',
    );
    expect(
      parse({ registry: { databaseUrl: 'postgresql://a@h/db' } }, { NEID_REGISTRY_URL: 'postgres://b@h2/x' })
        .registry.databaseUrl,
    ).toBe('postgres://b@h2/x');
  });

  it('refuses what cannot work, naming the key', () => {
    expect(() => parse({ registry: { databaseUrl: 'mysql://x' } })).toThrow(
      /registry.databaseUrl must be a postgresql/,
    );
    expect(() => parse({ registry: { schema: 'Bad-Name' } })).toThrow(
      /registry.schema must be a lower-case SQL identifier/,
    );
    expect(() => parse({ registry: { terminals: { validityDays: 10, renewDaysBefore: 10 } } })).toThrow(
      /renewDaysBefore must be less than validityDays/,
    );
    expect(() => parse({ registry: { bogus: 1 } })).toThrow(/unknown key "bogus"/);
  });
});
