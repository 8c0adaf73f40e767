/**
 * The outcome table (workflows/outcomes/table.ts): every internal outcome has
 * its code on every interface, the client-reported codes pass through where
 * the row says so, and docs/architecture.md §5 renders exactly this table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULT_MINOR as PAOS } from '../../../src/paos/result.js';
import {
  documentValidityOf,
  OUTCOMES,
  type OutcomeKey,
  paosMinorOf,
  SOAP_MINOR,
  soapMinorOf,
} from '../../../src/workflows/outcomes/table.js';
import { ROOT } from '../../support/cli.js';

const ECARD = 'http://www.bsi.bund.de/ecard/api/1.1/resultminor/';
const SERVER = 'http://www.bsi.bund.de/eid/server/2.0/resultminor/';

describe('outcome table', () => {
  it('uses the codes TR-03130-4 checks', () => {
    expect(OUTCOMES['protocol-error'].paos).toBe(`${ECARD}al/common#incorrectParameter`);
    expect(OUTCOMES['document-not-authentic'].paos).toBe(`${ECARD}sal#securityConditionNotSatisfied`);
    for (const k of ['channel-error', 'chip-authentication-failed', 'document-signer-revoked'] as const) {
      expect(OUTCOMES[k].paos).toBe(`${ECARD}al/common#internalError`);
      expect(OUTCOMES[k].soap).toBe(SOAP_MINOR.invalidDocument);
      expect(OUTCOMES[k].documentValidity).toBe('notAuthentic');
    }
    expect(paosMinorOf({ code: 'document-revoked', reason: '' })).toBeUndefined();
    expect(documentValidityOf({ code: 'document-expired', reason: '' })).toBe('expired');
    expect(documentValidityOf({ code: 'protocol-error', reason: '' })).toBeUndefined();
  });

  it("passes the eID-Client's own codes through where the row says so", () => {
    const pin = `${ECARD}ifdl/passwordError`;
    expect(paosMinorOf({ code: 'client-error', reason: '', clientMinor: pin })).toBe(pin);
    expect(paosMinorOf({ code: 'cancelled', reason: '' })).toBe(PAOS.internalError);
    expect(soapMinorOf({ code: 'client-error', clientMinor: pin })).toBe(pin);
    expect(soapMinorOf({ code: 'client-error', clientMinor: 'urn:x' })).toBe(SOAP_MINOR.internalError);
    // A withheld right is the server's refusal: never the code a client reports for a wrong PIN.
    for (const wrongPin of [PAOS.securityConditionsNotSatisfied, PAOS.securityConditionNotSatisfied])
      expect(soapMinorOf({ code: 'missing-rights' })).not.toBe(
        soapMinorOf({ code: 'client-error', clientMinor: wrongPin }),
      );
  });

  it('an unknown code (an older instance) reads as an internal error', () => {
    expect(soapMinorOf({ code: 'invalid-document' as OutcomeKey })).toBe(SOAP_MINOR.internalError);
  });

  it('docs/architecture.md §5 renders this table', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## 5. Errors'), doc.indexOf('## 6.'));
    const rows = new Map(
      [...section.matchAll(/^\| `([a-z-]+)`[^|]*\|(.*)$/gm)].map((m) => [
        m[1]!,
        m[2]!.split('|').map((c) => c.trim()),
      ]),
    );
    expect([...rows.keys()].sort()).toEqual(Object.keys(OUTCOMES).sort());
    const short = (uri: string) => uri.replace(ECARD, '').replace(SERVER, '');
    for (const [key, row] of Object.entries(OUTCOMES)) {
      const [paos, soap, saml, oidc] = rows.get(key)!;
      if (row.paos === 'client') expect(paos, key).toMatch(/client/);
      else if (row.paos === 'ok') expect(paos, key).toMatch(/^ok/);
      else if (row.paos === null) expect(paos, key).toBe('—');
      else expect(paos, key).toContain(short(row.paos));
      if (row.soap && row.soap !== 'client' && row.soap !== 'ok')
        expect(soap, key).toContain(short(row.soap));
      if (row.saml)
        expect(saml, key).toContain(
          row.saml.reason === 'documentNotAuthentic' && !saml!.includes('documentNotAuthentic')
            ? 'as document-not-authentic'
            : row.saml.reason,
        );
      expect(oidc, key).toBe(row.oidc === null ? '—' : `\`${row.oidc}\``);
    }
  });
});
