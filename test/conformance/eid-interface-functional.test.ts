/**
 * TR-03130-4 modules A1_1, A1_2 and C1_1, C1_2 (docs/conformance.md): the
 * regular and irregular online authentication, driven as the test
 * specification drives it — useID at the eID-Interface, the PAOS conversation
 * of the eID-Client with a (virtual) card, getResult — and checked on both
 * sides: the StartPAOSResponse the eID-Client gets (module C) and the
 * getResult the eService gets (module A). The German attributes are mapped to
 * the New eID operations (support/operations.ts). Every test name carries the
 * case ids it checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationAdd } from '../../src/cli/commands/revocation.js';
import type { AttributeRequest, OperationId } from '../../src/interfaces/soap/operations.js';
import { RESULT_MINOR as SOAP } from '../../src/interfaces/soap/result-codes.js';
import { RESULT_MINOR as PAOS, RESULT_MAJOR } from '../../src/paos/result.js';
import { FIELD_IDS, type FieldId } from '../../src/profile/fields.js';
import { ES, ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { type EidOptions, runEid } from './support/eid-client.js';
import { NON_AUTHENTIC } from './support/non-authentic.js';
import { AGE, companionOf, label, OPERATIONS, PLACE } from './support/operations.js';
import { revokedDocumentSigner } from './support/pki.js';

let tb: Testbed;
let card: ReturnType<typeof writeTestCard>;
let revokedDs: ReturnType<typeof revokedDocumentSigner>;
beforeAll(async () => {
  tb = await startTestbed({
    mainFields: FIELD_IDS,
    limitedFields: [],
    beforeStart: (dir) => {
      revokedDs = revokedDocumentSigner(dir);
    },
  });
  card = writeTestCard(tb.ts.pkiDir);
}, 180_000);
afterAll(async () => tb?.close());

type Level = 'REQUIRED' | 'ALLOWED';

/** useID for `operations` → eID-Client with the card → getResult (counter 1). */
async function login(
  operations: Partial<Record<OperationId, AttributeRequest>>,
  eid: EidOptions = {},
  cardFile = card.file,
  extra: { age?: number; place?: string } = {},
) {
  const { tcTokenUrl, plan } = tb.prepare({
    operations,
    ...('ageVerification' in operations ? { age: extra.age ?? AGE } : {}),
    ...('placeVerification' in operations ? { place: extra.place ?? PLACE } : {}),
  });
  const outcome = await runEid(tcTokenUrl, cardFile, eid);
  expect(plan.granted, JSON.stringify(plan.useIdResult)).toBeDefined();
  const got = await tb.client().getResult(plan.granted!.sessionId, 1);
  return {
    paos: outcome.serverResult,
    outcome,
    result: got.result,
    data: got.outcome,
    sessionId: plan.granted!.sessionId,
  };
}

const opsOf = (op: OperationId, level: Level): Partial<Record<OperationId, Level>> => ({
  [companionOf(op)]: 'REQUIRED',
  [op]: level,
});

/** The value the card holds for a field, as getResult returns it. */
function expectValue(op: OperationId, data: Awaited<ReturnType<typeof login>>['data']) {
  if (op === 'restrictedId') return expect(data!.restrictedId).toMatch(/^[0-9A-Fa-f]{64}$/);
  if (op === 'ageVerification') return expect(data!.ageVerification).toBe(true);
  if (op === 'placeVerification') return expect(data!.placeVerification).toBe(true);
  const v = (data!.fields as Record<string, unknown>)[op];
  const expected = (card.json.fields as Record<string, unknown>)[op];
  if (op === 'photo') return expect((v as Buffer).toString('base64')).toBe(expected);
  return expect(v).toEqual(expected);
}

describe('A1_1 / C1_1: regular online authentication, per operation', () => {
  for (const op of OPERATIONS) {
    for (const level of ['REQUIRED', 'ALLOWED'] as const) {
      const ids = level === 'REQUIRED' ? 'A1_1_01 + C1_1_01' : 'A1_1_02 + C1_1_02';
      it(`EIDSERVER_${ids} ${label(op)} ${level}: read and released`, async () => {
        const r = await login(opsOf(op, level));
        expect(r.paos?.major).toBe(RESULT_MAJOR.ok);
        expect(r.result.major).toBe(RESULT_MAJOR.ok);
        expect(r.data!.operations.get(op)).toBe('ALLOWED');
        expect(r.data!.operations.get(companionOf(op))).toBe('ALLOWED');
        expectValue(op, r.data);
      });
    }
    // The citizen withholds the operation: from the RequiredCHAT (a client that lets them, the
    // testbed's custom CHAT) or from the OptionalCHAT (any client's consent).
    for (const level of ['REQUIRED', 'ALLOWED'] as const) {
      const ids = level === 'REQUIRED' ? 'A1_1_03 + C1_1_03' : 'A1_1_04 + C1_1_04';
      if (op === 'restrictedId') {
        it(`EIDSERVER_${ids} ${label(op)} ${level} withheld (deviation: the server needs Restricted Identification for the revocation check)`, async () => {
          const r = await login(opsOf(op, level), { withhold: ['restrictedId'] });
          expect(r.paos?.minor).toBe(PAOS.securityConditionNotSatisfied);
          expect(r.result.minor).toBe(SOAP.internalError);
          expect(r.result.message).toMatch(/Restricted Identification/);
          expect(r.data).toBeUndefined();
        });
        continue;
      }
      it(`EIDSERVER_${ids} ${label(op)} ${level} withheld by the citizen: ok, PROHIBITED`, async () => {
        const eid: EidOptions = level === 'REQUIRED' ? { withhold: [op] } : { deselect: [op] };
        const r = await login(opsOf(op, level), eid);
        expect(r.paos?.major).toBe(RESULT_MAJOR.ok);
        expect(r.result.major).toBe(RESULT_MAJOR.ok);
        expect(r.data!.operations.get(op)).toBe('PROHIBITED');
        expect(r.data!.operations.get(companionOf(op))).toBe('ALLOWED');
        expect((r.data!.fields as Record<string, unknown>)[op]).toBeUndefined();
        if (op === 'ageVerification') expect(r.data!.ageVerification).toBeUndefined();
        if (op === 'placeVerification') expect(r.data!.placeVerification).toBeUndefined();
      });
    }
  }

  const ALL = Object.fromEntries(OPERATIONS.map((op) => [op, 'REQUIRED' as const]));

  it('EIDSERVER_A1_1_05 + C1_1_05 (EIDCARD_2): data groups not on the card are NOTONCHIP', async () => {
    // EIDCARD_2 lacks DG6, DG10, DG13, DG19, DG20: on the New eID those hold these fields.
    const missing: FieldId[] = [
      'nationalIdNumber',
      'maritalStatus',
      'spouseName',
      'fatherName',
      'motherName',
    ];
    const c = writeTestCard(tb.ts.pkiDir, { omitFields: missing });
    const r = await login(ALL, {}, c.file);
    expect(r.paos?.major).toBe(RESULT_MAJOR.ok);
    expect(r.result.major).toBe(RESULT_MAJOR.ok);
    for (const op of OPERATIONS)
      expect(r.data!.operations.get(op), op).toBe(
        (missing as string[]).includes(op) ? 'NOTONCHIP' : 'ALLOWED',
      );
    expect(r.data!.fields.spouseName).toBeUndefined();
  });

  it('EIDSERVER_A1_1_05 + C1_1_05 (EIDCARD_3): empty data groups are NOTONCHIP; an empty DG18 fails the place verification', async () => {
    // EIDCARD_3: DG13 and DG18 empty (a spouse's name of an unmarried citizen, no household area code).
    const empty: FieldId[] = ['spouseName', 'householdArea'];
    const c = writeTestCard(tb.ts.pkiDir, { emptyFields: empty });
    const r = await login(ALL, {}, c.file);
    expect(r.paos?.major).toBe(RESULT_MAJOR.ok);
    expect(r.result.major).toBe(RESULT_MAJOR.ok);
    for (const op of OPERATIONS)
      expect(r.data!.operations.get(op), op).toBe((empty as string[]).includes(op) ? 'NOTONCHIP' : 'ALLOWED');
    expect(r.data!.ageVerification).toBe(true);
    expect(r.data!.placeVerification).toBe(false);
  });

  it('EIDSERVER_A1_1_07 + C1_1_08: age and place verification with negative results', async () => {
    const set1 = ops('REQUIRED', 'romanizedName', 'restrictedId', 'ageVerification', 'placeVerification');
    const r = await login(set1, {}, card.file, { age: 99, place: '64000' });
    expect(r.result.major).toBe(RESULT_MAJOR.ok);
    expect(r.data!.ageVerification).toBe(false);
    expect(r.data!.placeVerification).toBe(false);
    expect(r.data!.operations.get('ageVerification')).toBe('ALLOWED');
  });

  const SET1 = ops('REQUIRED', 'romanizedName', 'restrictedId', 'ageVerification', 'placeVerification');

  for (const keyBits of [128, 192, 256] as const) {
    it(`EIDSERVER_C1_1_07 (EIDCARD_4): Chip Authentication id-CA-ECDH-AES-CBC-CMAC-${keyBits} (the other curves: curves.test.ts)`, async () => {
      const c = writeTestCard(tb.ts.pkiDir, { keyBits });
      const r = await login(SET1, {}, c.file);
      expect(r.paos?.major).toBe(RESULT_MAJOR.ok);
      expect(r.result.major).toBe(RESULT_MAJOR.ok);
    });
  }

  it('EIDSERVER_C1_1_09 + C1_1_10 (EIDCARD_5, EIDCARD_6): other key IDs for Restricted Identification and Chip Authentication', async () => {
    const seen = new Set<string>();
    for (const riKeyId of [2, 7]) {
      const c = writeTestCard(tb.ts.pkiDir, { riKeyId, caKeyId: riKeyId + 1 });
      const r = await login(SET1, {}, c.file);
      expect(r.result.major).toBe(RESULT_MAJOR.ok);
      seen.add(r.data!.restrictedId!);
    }
    expect(seen.size).toBe(2);
  });
});

describe('A1_2 / C1_2: irregular online authentication', () => {
  const SET1 = ops('REQUIRED', 'romanizedName', 'restrictedId', 'ageVerification', 'placeVerification');

  it('EIDSERVER_A1_2_01: an operation beyond the terminal certificate → useID#missingTerminalRights, per operation', async () => {
    for (const op of OPERATIONS.filter((o) => o !== 'restrictedId')) {
      const extra =
        op === 'ageVerification' ? { age: AGE } : op === 'placeVerification' ? { place: PLACE } : {};
      const r = await tb.client(ES.limited).useId({ operations: { [op]: 'REQUIRED' }, ...extra });
      expect(r.result.minor, op).toBe(SOAP.missingTerminalRights);
      expect(r.granted).toBeUndefined();
    }
  });

  // A1_2_02 (C1_2_01 … C1_2_04), A1_2_03 (C1_2_05, C1_2_06), A1_2_06 (C1_2_07, C1_2_08).
  const A = {
    C1_2_0: 'A1_2_02',
    C1_2_05: 'A1_2_03',
    C1_2_06: 'A1_2_03',
    C1_2_07: 'A1_2_06',
    C1_2_08: 'A1_2_06',
  };
  for (const n of NON_AUTHENTIC) {
    const a = Object.entries(A).find(([k]) => n.id.startsWith(k))![1];
    it(`EIDSERVER_${n.id} + ${a}: ${n.what} → StartPAOSResponse ${n.paos.split('/').pop()}, getResult#invalidDocument`, async () => {
      const { cardFile, eid } = n.run({ pkiDir: tb.ts.pkiDir, card, revokedDs });
      const r = await login(SET1, eid, cardFile);
      expect(r.paos?.minor).toBe(n.paos);
      expect(r.result.minor).toBe(SOAP.invalidDocument);
      expect(r.data).toBeUndefined();
    });
  }

  it('EIDSERVER_C1_2_09 + A1_2_04 + A1_4_17 (EIDCARD_8): a revoked card; the session ends with the answer', async () => {
    const c = writeTestCard(tb.ts.pkiDir);
    expect(await revocationAdd(['--card', c.file, '--pki', tb.ts.pkiDir])).toBe(0);
    tb.ts.server.revocation.reload();
    const r = await login(SET1, {}, c.file);
    expect(r.paos?.major).toBe(RESULT_MAJOR.ok); // the PAOS exchange itself ended correctly
    expect(r.result.minor).toBe(SOAP.invalidDocument);
    expect(r.result.message).toMatch(/revoked/);
    expect((await tb.client().getResult(r.sessionId, 2)).result.minor).toBe(SOAP.invalidSession);
  });

  it('EIDSERVER_C1_2_10 + A1_2_05 (EIDCARD_7): an expired card', async () => {
    const c = writeTestCard(tb.ts.pkiDir, { fields: { renewalDueDate: '20200101', issueDate: '20100101' } });
    const r = await login(SET1, {}, c.file);
    expect(r.paos?.major).toBe(RESULT_MAJOR.ok);
    expect(r.result.minor).toBe(SOAP.invalidDocument);
    expect(r.result.message).toMatch(/expired/);
  });
});
