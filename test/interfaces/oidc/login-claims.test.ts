/** Per-login claims: sealed under the grant id, expiring, deletable. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LoginClaims } from '../../../src/interfaces/oidc/login-claims.js';

const rec = { accountId: 'acct', clientId: 'c', eServiceId: 'e', claims: { name: '陳𪚥華' }, authTime: 1 };

describe('LoginClaims', () => {
  it('stores, finds and deletes a record by grant id', async () => {
    const store = LoginClaims.inMemory(randomBytes(32));
    await store.put('g1', rec, 60);
    expect(await store.get('g1')).toEqual(rec);
    expect(await store.get('g2')).toBeUndefined();
    await store.delete('g1');
    expect(await store.get('g1')).toBeUndefined();
    await store.close();
  });

  it('does not return a record under another key', async () => {
    const a = LoginClaims.inMemory(randomBytes(32));
    await a.put('g1', rec, 60);
    const b = LoginClaims.inMemory(randomBytes(32));
    expect(await b.get('g1')).toBeUndefined();
    await a.close();
    await b.close();
  });
});
