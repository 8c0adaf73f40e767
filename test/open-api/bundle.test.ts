/** The public-data bundle is bounded and strict before any work is spent on it. */
import { describe, expect, it } from 'vitest';
import { MAX_BUNDLE_BYTES, parseBundle } from '../../src/open-api/bundle.js';

const dg3 = Buffer.from('630a12083230333630313031', 'hex').toString('base64');
const base = () => ({
  format: 'neid-public-data',
  version: 1,
  readAt: '2025-01-01T00:00:00Z',
  cardSecurity: Buffer.from('3000', 'hex').toString('base64'),
  dataGroups: { '3': dg3 } as Record<string, string>,
});

describe('parseBundle', () => {
  it('accepts a minimal bundle', () => {
    expect(parseBundle(JSON.stringify(base())).dataGroups.get(3)?.[0]).toBe(0x63);
  });

  it('refuses what is not a bounded, well-formed bundle', () => {
    const cases: [string, unknown][] = [
      ['too large', 'x'.repeat(MAX_BUNDLE_BYTES + 1)],
      ['not JSON', '{'],
      ['unknown member', { ...base(), extra: 1 }],
      ['other format', { ...base(), format: 'x' }],
      ['other version', { ...base(), version: 2 }],
      ['no DG3', { ...base(), dataGroups: {} }],
      ['an encrypted-area DG', { ...base(), dataGroups: { '3': dg3, '11': 'awMTAU0=' } }],
      ['bad base64', { ...base(), cardSecurity: 'a*b' }],
      ['wrong tag', { ...base(), dataGroups: { '3': Buffer.from('640100', 'hex').toString('base64') } }],
      [
        'short token',
        {
          ...base(),
          chipAuthentication: { challenge: 'abc', protocol: '1.2.3', nonce: 'AAAAAAAAAAA=', token: 'AAA=' },
        },
      ],
      [
        'bad keyId',
        {
          ...base(),
          chipAuthentication: {
            challenge: 'abc',
            protocol: '1.2',
            keyId: 300,
            nonce: 'AAAAAAAAAAA=',
            token: 'AAAAAAAAAAA=',
          },
        },
      ],
    ];
    for (const [what, input] of cases)
      expect(() => parseBundle(typeof input === 'string' ? input : JSON.stringify(input)), what).toThrow();
  });
});
