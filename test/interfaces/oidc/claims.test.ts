/** The claim catalogue: one claim per card field, scopes, and OIDC Core §5.1 value formats. */
import { describe, expect, it } from 'vitest';
import {
  addressClaim,
  claimsConfiguration,
  claimsOf,
  FIELD_CLAIMS,
  SCOPES,
  scopesFor,
} from '../../../src/interfaces/oidc/claims.js';
import { FIELD_IDS } from '../../../src/profile/fields.js';
import type { AuthResult } from '../../../src/workflows/session/types.js';

describe('claim catalogue', () => {
  it('has exactly one claim per card field, with unique names', () => {
    expect(FIELD_CLAIMS.map((c) => c.field).sort()).toEqual([...FIELD_IDS].sort());
    expect(new Set(FIELD_CLAIMS.map((c) => c.claim)).size).toBe(FIELD_CLAIMS.length);
  });

  it('uses the standard names where they fit and neid_ names otherwise', () => {
    const names = Object.fromEntries(FIELD_CLAIMS.map((c) => [c.field, c.claim]));
    expect(names).toMatchObject({
      chineseName: 'name',
      dateOfBirth: 'birthdate',
      sex: 'gender',
      householdAddress: 'address',
    });
    for (const c of FIELD_CLAIMS)
      if (!['name', 'birthdate', 'gender', 'address'].includes(c.claim))
        expect(c.claim).toMatch(/^neid_[a-z_]+$/);
  });

  it('configures every scope and puts acr/amr into the openid scope', () => {
    const cfg = claimsConfiguration();
    for (const s of SCOPES) expect(cfg[s]).toBeDefined();
    expect(cfg.openid).toEqual(['sub', 'acr', 'amr', 'auth_time']);
    expect(cfg.neid_age_over).toBeNull();
  });

  it('offers a scope when at least one of its fields is approved', () => {
    expect(scopesFor(['sex'])).toEqual(['openid', 'profile']);
    expect(scopesFor(['nationalIdNumber', 'photo'])).toEqual(['openid', 'neid:national_id', 'neid:photo']);
  });

  it('converts values to the OIDC formats', () => {
    const result: AuthResult = {
      fields: {
        dateOfBirth: '19900315',
        sex: 'X',
        photo: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
        householdAddress: { state: '臺北市', city: '松山區', street: '八德路四段123號', country: 'TWN' },
        nationalIdNumber: 'A123456789',
      },
      operations: {},
      ageVerification: false,
      documentValidity: 'valid',
      completedAt: 0,
    };
    expect(claimsOf(result)).toEqual({
      birthdate: '1990-03-15',
      gender: 'other',
      neid_photo: 'data:image/jpeg;base64,/9j/2Q==',
      address: {
        formatted: '臺北市松山區八德路四段123號',
        street_address: '八德路四段123號',
        locality: '松山區',
        region: '臺北市',
        country: 'TWN',
      },
      neid_national_id: 'A123456789',
      neid_age_over: false,
    });
    expect(
      addressClaim({ state: 's', city: 'c', street: 'x', country: 'TWN', zipcode: '105' }).postal_code,
    ).toBe('105');
  });
});
