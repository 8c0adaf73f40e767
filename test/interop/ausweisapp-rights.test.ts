/**
 * Issue 15 acceptance for docs/integrations/ausweisapp2.md: what AusweisApp2
 * 1.26.2 shows on its consent screen for the New eID's rights — the German
 * right name each Taiwanese field appears under (its SDK technical names,
 * displayed as TR-03127 Annex C texts) — and what it cannot release. Every
 * field and both verifications are requested (the Chinese name required, the
 * rest optional); the citizen accepts everything AusweisApp offers, and the
 * server reports the fields AusweisApp withheld as PROHIBITED.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCardPki } from '../../src/card/personalize.js';
import { buildSimulatorCard, SIMULATOR_CVCA_CHR } from '../../src/card/simulator-files.js';
import { FIELD_IDS, type FieldId } from '../../src/profile/fields.js';
import { hasAusweisApp } from '../support/ausweisapp/app.js';
import { authenticateWithSimulator } from '../support/ausweisapp/sdk.js';
import { absent, requires } from '../support/requires.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** The right AusweisApp shows for each field (SDK technical name); undefined: it offers none. */
const AUSWEISAPP_RIGHT: Record<FieldId, string | undefined> = {
  householdArea: 'CommunityID',
  renewalDueDate: 'ValidUntil',
  chineseName: 'GivenNames',
  romanizedName: 'FamilyName',
  nationalIdNumber: 'ArtisticName',
  cardNumber: 'DoctoralDegree',
  dateOfBirth: 'DateOfBirth',
  maritalStatus: 'Nationality',
  militaryService: undefined, // DG12
  issueDate: undefined, // DG15
  householdAddress: 'Address',
  placeOfBirth: 'PlaceOfBirth',
  sex: undefined, // DG11
  spouseName: 'BirthName',
  photo: undefined, // DG14
  fatherName: 'ResidencePermitI',
  motherName: 'ResidencePermitII',
  can: undefined, // DG21
};

let ts: TestServer;

describe.runIf(requires('AusweisApp2', absent({ ausweisapp2: hasAusweisApp() })))(
  'AusweisApp2 1.26.2: the New eID rights on its consent screen',
  () => {
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'neid-aa2-rights-'));
      const registry = join(dir, 'relying-parties.yaml');
      writeFileSync(
        registry,
        `eServices:
  - id: every-field
    displayName: { zh: 全部欄位, en: Every field }
    purpose: { zh: 測試, en: Which right AusweisApp shows for which field }
    approvedFields: [${FIELD_IDS.join(', ')}]
    approvedFunctions: [ageVerification, placeVerification]
    terminal: { mnemonic: EVERYFLD }
    maxOpenSessions: 10
`,
      );
      ts = await startTestServer({ relyingParties: registry, cvcaChr: SIMULATOR_CVCA_CHR });
    }, 120_000);
    afterAll(async () => ts?.close());

    it('shows each field under its German right name and cannot release sex, military service, photo, issue date and CAN', async () => {
      const files = buildSimulatorCard({ pki: loadCardPki(ts.pkiDir) }).files;
      const out = await authenticateWithSimulator({
        files,
        attempts: 3,
        start: () =>
          ts.server.sessions.create({
            eServiceId: 'every-field',
            frontEnd: 'saml',
            required: ['chineseName'],
            optional: FIELD_IDS.filter((f) => f !== 'chineseName'),
            ageVerification: { age: 18, required: false },
            placeVerification: { areaCode: '63000', required: false },
            channel: 'psk',
            refreshAddress: `${ts.web}/done`,
          }),
      });
      for (const r of out.retried) await ts.server.sessions.consume(r.session.sessionId);
      const chat = (out.accessRights?.chat ?? {}) as { required?: string[]; optional?: string[] };
      const shown = Object.values(AUSWEISAPP_RIGHT).filter((r): r is string => !!r);
      // The required CHAT: the Chinese name and Restricted Identification (the revocation check).
      expect([...(chat.required ?? [])].sort()).toEqual(['GivenNames', 'Pseudonym']);
      expect([...(chat.optional ?? [])].sort()).toEqual(
        [...shown.filter((r) => r !== 'GivenNames'), 'AgeVerification', 'AddressVerification'].sort(),
      );
      expect(out.auth.result?.major).toMatch(/#ok$/);
      const outcome = await ts.server.sessions.consume(out.session.sessionId);
      expect(outcome?.kind).toBe('result');
      if (outcome?.kind !== 'result') return;
      for (const f of FIELD_IDS) {
        expect(outcome.result.operations[f], f).toBe(AUSWEISAPP_RIGHT[f] ? 'ALLOWED' : 'PROHIBITED');
        expect(outcome.result.fields[f] !== undefined, f).toBe(!!AUSWEISAPP_RIGHT[f]);
      }
      expect(outcome.result.ageVerification).toBe(true);
      expect(outcome.result.placeVerification).toBeDefined();
    });
  },
);
