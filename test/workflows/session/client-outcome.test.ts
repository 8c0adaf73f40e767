/**
 * The ResultMinor codes an eID-Client reports, read as the end of an
 * authentication: the codes this product's client sends (src/client/errors.ts)
 * and those AusweisApp2 sends (src/global/ECardApiResult.cpp upstream).
 */
import { describe, expect, it } from 'vitest';
import { RESULT_MINOR } from '../../../src/paos/result.js';
import { clientFailure } from '../../../src/workflows/session/client-outcome.js';

const MINOR = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/';

describe('clientFailure', () => {
  it.each([
    [RESULT_MINOR.cancellationByUser, { code: 'cancelled' }],
    // The browser's TR-03124-1 §2.7.4.2 code when the PAOS channel is gone.
    ['cancellationByUser', { code: 'cancelled' }],
    [RESULT_MINOR.timeout, { code: 'timeout' }],
    [RESULT_MINOR.ifdTimeout, { code: 'timeout' }],
    [RESULT_MINOR.securityConditionsNotSatisfied, { code: 'wrong-pin' }],
    // AusweisApp2 spells it without the s.
    [`${MINOR}sal#securityConditionNotSatisfied`, { code: 'wrong-pin' }],
    [RESULT_MINOR.noPermission, { code: 'pin-blocked' }],
    [RESULT_MINOR.noCard, { code: 'card-removed' }],
    [RESULT_MINOR.internalError, { code: 'client-error' }],
    ['trustedChannelEstablishmentFailed', { code: 'client-error' }],
  ])('%s → %o', (minor, expected) => {
    const f = clientFailure(minor, 'r');
    expect(f).toMatchObject({ ...expected, reason: 'r', clientMinor: minor });
  });

  it('no code at all is a client error', () => {
    expect(clientFailure(undefined, 'r')).toEqual({ code: 'client-error', reason: 'r' });
  });
});
