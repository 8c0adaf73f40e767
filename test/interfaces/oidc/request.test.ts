/** Planning the card request of an authorization request against the eService's approval. */
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../../../src/config/relying-parties.js';
import { OidcRequestError } from '../../../src/interfaces/oidc/errors.js';
import { checkTransactionInfo, planRequest } from '../../../src/interfaces/oidc/request.js';

const registry = parseRegistry(
  `eServices:
  - id: bank
    displayName: { zh: 銀行, en: Bank }
    purpose: { zh: 開戶, en: KYC }
    approvedFields: [chineseName, romanizedName, nationalIdNumber, dateOfBirth, householdAddress]
    approvedFunctions: [ageVerification]
`,
  '/tmp/registry.yaml',
);
const bank = registry.get('bank')!;

const refusal = (f: () => unknown): OidcRequestError => {
  try {
    f();
  } catch (e) {
    if (e instanceof OidcRequestError) return e;
    throw e;
  }
  throw new Error('no refusal');
};

describe('planRequest', () => {
  it('maps scopes to optional fields, limited to the approval', () => {
    const p = planRequest(bank, 'openid profile address', undefined);
    expect(p.card.required).toEqual([]);
    // profile also names sex, which the bank is not approved for: it is simply not requested.
    expect([...p.card.optional].sort()).toEqual([
      'chineseName',
      'dateOfBirth',
      'householdAddress',
      'romanizedName',
    ]);
    expect(p.scopes).toEqual(['openid', 'profile', 'address']);
    expect(p.claims).toEqual([]);
  });

  it('maps essential claims to required fields and others to optional ones', () => {
    const claims = {
      id_token: { neid_national_id: { essential: true }, name: null },
      userinfo: { birthdate: { essential: false } },
    };
    const p = planRequest(bank, 'openid', JSON.stringify(claims));
    expect(p.card.required).toEqual(['nationalIdNumber']);
    expect([...p.card.optional].sort()).toEqual(['chineseName', 'dateOfBirth']);
    expect([...p.claims].sort()).toEqual(['birthdate', 'name', 'neid_national_id']);
  });

  it('a field both essential and in a scope is required once', () => {
    const p = planRequest(
      bank,
      'openid profile',
      JSON.stringify({ id_token: { name: { essential: true } } }),
    );
    expect(p.card.required).toEqual(['chineseName']);
    expect(p.card.optional).not.toContain('chineseName');
  });

  it('turns neid_age_over into age verification', () => {
    const p = planRequest(
      bank,
      'openid',
      JSON.stringify({ id_token: { neid_age_over: { essential: true, value: 20 } } }),
    );
    expect(p.card.ageVerification).toEqual({ age: 20, required: true });
    expect(p.card.required).toEqual([]);
  });

  it('refuses scopes and claims beyond approval with invalid_scope', () => {
    expect(refusal(() => planRequest(bank, 'openid neid:photo', undefined))).toMatchObject({
      code: 'invalid_scope',
      scope: 'neid:photo',
    });
    expect(
      refusal(() => planRequest(bank, 'openid', JSON.stringify({ userinfo: { neid_photo: null } }))).code,
    ).toBe('invalid_scope');
    expect(
      refusal(() =>
        planRequest(
          bank,
          'openid',
          JSON.stringify({ id_token: { neid_place_verification: { value: '63000' } } }),
        ),
      ).code,
    ).toBe('invalid_scope');
  });

  it('refuses malformed requests with invalid_request', () => {
    expect(refusal(() => planRequest(bank, 'openid', '{not json')).code).toBe('invalid_request');
    expect(refusal(() => planRequest(bank, 'openid', '[]')).code).toBe('invalid_request');
    expect(refusal(() => planRequest(bank, 'openid', JSON.stringify({ id_token: { name: 5 } }))).code).toBe(
      'invalid_request',
    );
    expect(
      refusal(() =>
        planRequest(bank, 'openid', JSON.stringify({ id_token: { neid_age_over: { value: 200 } } })),
      ).code,
    ).toBe('invalid_request');
    expect(
      refusal(() =>
        planRequest(
          bank,
          'openid',
          JSON.stringify({
            id_token: { neid_age_over: { value: 18 } },
            userinfo: { neid_age_over: { value: 21 } },
          }),
        ),
      ).code,
    ).toBe('invalid_request');
  });

  it('needs openid and at least one card field', () => {
    expect(refusal(() => planRequest(bank, 'profile', undefined)).code).toBe('invalid_scope');
    expect(refusal(() => planRequest(bank, 'openid', undefined)).code).toBe('invalid_scope');
    expect(
      refusal(() => planRequest(bank, 'openid', JSON.stringify({ id_token: { acr: { essential: true } } })))
        .code,
    ).toBe('invalid_scope');
  });

  it('ignores unknown scopes and claims', () => {
    const p = planRequest(
      bank,
      'openid profile something_else',
      JSON.stringify({ id_token: { favourite_colour: null } }),
    );
    expect(p.scopes).toEqual(['openid', 'profile']);
    expect(p.claims).toEqual([]);
  });
});

describe('neid_transaction_info', () => {
  it('accepts text and refuses control characters and overlong values', () => {
    expect(checkTransactionInfo(undefined)).toBeUndefined();
    expect(checkTransactionInfo('開戶 account opening #42')).toBe('開戶 account opening #42');
    expect(() => checkTransactionInfo('a\u0000b')).toThrow(OidcRequestError);
    expect(() => checkTransactionInfo('x'.repeat(1001))).toThrow(OidcRequestError);
  });
});
