/**
 * Issue 5: the SOAP eID-Interface end to end — a test eService calls useID
 * over mutual TLS with signed messages, serves the TC Token itself, the
 * eID-Client authenticates with a virtual card, and the eService's
 * RefreshAddress fetches the result with getResult. The result codes are in
 * soap-result-codes.test.ts, the security in soap-security.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { RESULT_MAJOR, RESULT_MINOR } from '../../src/interfaces/soap/result-codes.js';
import { ES, ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { runClient } from '../support/cli.js';

let tb: Testbed;
beforeAll(async () => {
  tb = await startTestbed();
}, 120_000);
afterAll(async () => tb?.close());

/** What the eID-Client showed the citizen (TransactionInfo), per authentication. */
const shown: { transactionInfo?: string | undefined }[] = [];

async function authenticate(
  cardFile: string,
  tcTokenUrl: string,
  ui: { pin?: string; accept?: boolean } = {},
) {
  const card = VirtualCard.fromFile(cardFile, { persist: true });
  card.reset();
  const eac = new EacClient({
    card,
    consent: async (req) => {
      shown.push({ transactionInfo: req.transactionInfo });
      return { accept: ui.accept ?? true, deselect: [], pin: ui.pin ?? '123456' };
    },
  });
  return runOnlineAuthentication(tcTokenUrl, eac);
}

describe('SOAP eID-Interface: a complete authentication', () => {
  it('useID → neid-client (process) → getResult returns the fields, over mutual TLS with signed messages', async () => {
    const { file, json } = writeTestCard(tb.ts.pkiDir);
    const { tcTokenUrl, plan } = tb.prepare({
      operations: {
        ...ops('REQUIRED', 'chineseName', 'dateOfBirth', 'householdAddress'),
        ...ops('ALLOWED', 'photo', 'sex', 'restrictedId', 'ageVerification'),
      },
      age: 18,
    });
    const run = await runClient([
      'auth',
      '--tctoken-url',
      tcTokenUrl,
      '--card',
      file,
      '--pin',
      '123456',
      '--follow',
    ]);
    const out = JSON.parse(run.stdout);
    expect(out.ok, run.stdout + run.stderr).toBe(true);
    expect(out.followed.status).toBe(200);
    expect(JSON.parse(out.followed.body).fields).toEqual([
      'chineseName',
      'dateOfBirth',
      'householdAddress',
      'photo',
      'sex',
    ]);
    expect(plan.useIdResult?.major).toBe(RESULT_MAJOR.ok);
    const r = plan.final!;
    expect(r.result).toEqual({ major: RESULT_MAJOR.ok });
    const o = r.outcome!;
    expect(o.fields.chineseName).toBe(json.fields.chineseName);
    expect(o.fields.dateOfBirth).toBe(json.fields.dateOfBirth);
    expect(o.fields.householdAddress).toMatchObject({ state: '臺北市', city: '松山區', country: 'TWN' });
    expect(o.fields.photo?.subarray(0, 3).toString('hex')).toBe('ffd8ff');
    expect(o.ageVerification).toBe(true);
    expect(o.restrictedId).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.fromEntries(o.operations)).toMatchObject({
      chineseName: 'ALLOWED',
      photo: 'ALLOWED',
      restrictedId: 'ALLOWED',
      ageVerification: 'ALLOWED',
      nationalIdNumber: 'PROHIBITED',
      placeVerification: 'PROHIBITED',
    });
    // The final answer ended the session and deleted its data: asking again is invalidSession.
    const again = await tb.client().getResult(plan.granted!.sessionId, plan.counter + 1);
    expect(again.result.minor).toBe(RESULT_MINOR.invalidSession);
    expect(again.outcome).toBeUndefined();
  });

  it('place verification, an eService-chosen PSK and a TransactionInfo; a field missing on the chip is NOTONCHIP', async () => {
    const { file } = writeTestCard(tb.ts.pkiDir, { omitFields: ['placeOfBirth'] });
    const psk = Buffer.alloc(32, 0x5a);
    const CHOSEN_PSK_ID = '5e5510a1d0c0ffee5e5510a1d0c0ffee';
    const { tcTokenUrl, plan } = tb.prepare({
      operations: {
        ...ops('REQUIRED', 'romanizedName', 'placeVerification'),
        ...ops('ALLOWED', 'placeOfBirth'),
      },
      place: '63000',
      transactionInfo: '護照申請 A-123',
      psk: { id: CHOSEN_PSK_ID, key: psk },
    });
    const outcome = await authenticate(file, tcTokenUrl);
    expect(outcome.ok).toBe(true);
    expect(plan.granted!.psk.key.equals(psk)).toBe(true);
    // TR-03130 §3.3.1: the eService's own PSK ID is the session identifier on both channels.
    expect(plan.granted!.psk.id).toBe(CHOSEN_PSK_ID);
    expect(plan.granted!.sessionId).toBe(CHOSEN_PSK_ID);
    expect(shown.at(-1)?.transactionInfo).toBe('護照申請 A-123');
    const r = await tb.client().getResult(plan.granted!.sessionId, 7);
    expect(r.result.major).toBe(RESULT_MAJOR.ok);
    expect(r.outcome!.placeVerification).toBe(true);
    expect(r.outcome!.fields.placeOfBirth).toBeUndefined();
    expect(r.outcome!.operations.get('placeOfBirth')).toBe('NOTONCHIP');
    expect(r.outcome!.operations.get('placeVerification')).toBe('ALLOWED');
  });

  it('getServerInfo: version and the rights of the eService terminal certificate', async () => {
    const info = await tb.client().getServerInfo();
    expect(info.version).toMatchObject({ major: 2, minor: 4 });
    const rights = Object.fromEntries(info.rights);
    for (const f of [
      'chineseName',
      'photo',
      'placeOfBirth',
      'restrictedId',
      'ageVerification',
      'placeVerification',
    ])
      expect(rights[f]).toBe('ALLOWED');
    for (const f of ['fatherName', 'spouseName', 'can', 'maritalStatus'])
      expect(rights[f]).toBe('PROHIBITED');
    const limited = Object.fromEntries((await tb.client(ES.limited).getServerInfo()).rights);
    expect(
      Object.entries(limited)
        .filter(([, v]) => v === 'ALLOWED')
        .map(([k]) => k)
        .sort(),
    ).toEqual(['chineseName', 'restrictedId']);
  });
});
