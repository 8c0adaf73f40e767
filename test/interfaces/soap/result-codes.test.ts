/** The one mapping of internal outcomes to eID-Interface result codes (TR-03130-1 §3.4.1). */
import { describe, expect, it } from 'vitest';
import {
  ECARD_RESULT_MINOR,
  failureResult,
  RESULT_MAJOR,
  RESULT_MINOR,
  useIdErrorMinor,
} from '../../../src/interfaces/soap/result-codes.js';
import { AuthRequestError } from '../../../src/workflows/session/errors.js';

describe('result codes', () => {
  it('uses the exact URIs of TR-03130-1 table 6', () => {
    expect(RESULT_MINOR).toEqual({
      internalError: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/common#internalError',
      schemaViolation: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/common#schemaViolation',
      invalidPSK: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/useID#invalidPSK',
      tooManyOpenSessions: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/useID#tooManyOpenSessions',
      missingArgument: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/useID#missingArgument',
      missingTerminalRights: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/useID#missingTerminalRights',
      noResultYet: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/getResult#noResultYet',
      invalidSession: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/getResult#invalidSession',
      invalidCounter: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/getResult#invalidCounter',
      deniedDocument: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/getResult#deniedDocument',
      invalidDocument: 'http://www.bsi.bund.de/eid/server/2.0/resultminor/getResult#invalidDocument',
    });
    expect(RESULT_MAJOR.error).toBe('http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error');
  });

  it('maps session-creation refusals of useID', () => {
    expect(useIdErrorMinor(new AuthRequestError('not-approved', 'x'))).toBe(
      RESULT_MINOR.missingTerminalRights,
    );
    expect(useIdErrorMinor(new AuthRequestError('too-many-sessions', 'x'))).toBe(
      RESULT_MINOR.tooManyOpenSessions,
    );
    expect(useIdErrorMinor(new AuthRequestError('invalid-psk', 'x'))).toBe(RESULT_MINOR.invalidPSK);
    expect(useIdErrorMinor(new AuthRequestError('invalid-request', 'x'))).toBe(RESULT_MINOR.internalError);
    expect(useIdErrorMinor(new AuthRequestError('unknown-eservice', 'x'))).toBe(RESULT_MINOR.internalError);
  });

  it('maps ended authentications of getResult', () => {
    for (const c of [
      'document-revoked',
      'document-expired',
      'document-not-authentic',
      'document-signer-revoked',
      'chip-authentication-failed',
      // TR-03130-4 A1_2_06: a wrong MAC on the card's responses is an invalid document for the eService.
      'channel-error',
    ] as const) {
      expect(failureResult({ code: c, reason: 'r' }).minor).toBe(RESULT_MINOR.invalidDocument);
    }
    expect(failureResult({ code: 'cancelled', reason: 'r' }).minor).toBe(
      ECARD_RESULT_MINOR.cancellationByUser,
    );
    const pin = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/ifdl/passwordError';
    expect(failureResult({ code: 'client-error', reason: 'r', clientMinor: pin }).minor).toBe(pin);
    expect(failureResult({ code: 'client-error', reason: 'r', clientMinor: 'urn:other' }).minor).toBe(
      RESULT_MINOR.internalError,
    );
    expect(failureResult({ code: 'timeout', reason: 'r' }).minor).toBe(ECARD_RESULT_MINOR.timeout);
    // Withheld Restricted Identification is the server's refusal, never the client's wrong-PIN code.
    const withheld = failureResult({ code: 'missing-rights', reason: 'r' });
    expect(withheld.minor).toBe(RESULT_MINOR.internalError);
    expect(withheld.message).toMatch(/Restricted Identification/);
    for (const c of ['protocol-error', 'certificate-path', 'internal-error'] as const) {
      const r = failureResult({ code: c, reason: 'secret technical detail' });
      expect(r.minor).toBe(RESULT_MINOR.internalError);
      expect(r.message).not.toContain('secret');
    }
  });
});
