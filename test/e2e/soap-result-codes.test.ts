/**
 * Issue 5: every result code of the SOAP eID-Interface (TR-03130-1 §3.4.1)
 * the server emits, each on its own path, end to end with the test eService,
 * the eID-Client and virtual cards.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualCard } from '../../src/card/virtual-card.js';
import { EacClient } from '../../src/client/eac-client.js';
import { httpsCall } from '../../src/client/network.js';
import { runOnlineAuthentication } from '../../src/client/paos-client.js';
import { loadPrivateKey, publicPointOf } from '../../src/crypto/keys.js';
import { buildGetResultRequest } from '../../src/interfaces/soap/messages/get-result.js';
import { buildUseIdRequest } from '../../src/interfaces/soap/messages/use-id.js';
import { ECARD_RESULT_MINOR, RESULT_MAJOR, RESULT_MINOR } from '../../src/interfaces/soap/result-codes.js';
import { signEnvelope } from '../../src/interfaces/soap/wss/sign.js';
import { PKI_FILES } from '../../src/pki/layout.js';
import {
  signCardRevocationList,
  verifyCardRevocationList,
} from '../../src/pki/revocation/card-revocation-list.js';
import { derFromPem } from '../../src/pki/x509/pem.js';
import { ES, ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { writeTestCard } from '../support/card.js';
import { runClient } from '../support/cli.js';

const ECARD_MINOR = (code: string) => `http://www.bsi.bund.de/ecard/api/1.1/resultminor/${code}`;

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

/** A login whose getResult the test makes itself (the client is run without following the refresh). */
async function loginWith(
  cardFile: string,
  operations = ops('REQUIRED', 'chineseName'),
  ui: { pin?: string; accept?: boolean } = {},
) {
  const { tcTokenUrl, plan } = tb.prepare({ operations });
  const outcome = await authenticate(cardFile, tcTokenUrl, ui);
  return { outcome, plan, sessionId: plan.granted!.sessionId };
}

const useId = (operations: ReturnType<typeof ops>, extra: object = {}, id?: string) =>
  tb.client(id).useId({ operations, ...extra });

describe('SOAP eID-Interface: result codes (TR-03130-1 §3.4.1)', () => {
  it('useID#missingArgument: a verification selected without its parameters', async () => {
    expect((await useId(ops('REQUIRED', 'chineseName', 'ageVerification'))).result.minor).toBe(
      RESULT_MINOR.missingArgument,
    );
    expect((await useId(ops('ALLOWED', 'placeVerification'))).result.minor).toBe(
      RESULT_MINOR.missingArgument,
    );
    const r = await useId({});
    expect(r.result.minor).toBe(RESULT_MINOR.missingArgument);
    expect(r.granted).toBeUndefined();
  });

  it('useID#missingTerminalRights: a field beyond the approval opens no session', async () => {
    const r = await useId(ops('REQUIRED', 'chineseName', 'fatherName'));
    expect(r.result).toMatchObject({ major: RESULT_MAJOR.error, minor: RESULT_MINOR.missingTerminalRights });
    expect(r.granted).toBeUndefined();
    expect((await useId(ops('ALLOWED', 'ageVerification'), { age: 20 }, ES.limited)).result.minor).toBe(
      RESULT_MINOR.missingTerminalRights,
    );
  });

  it('useID#invalidPSK: a PSK ID already in use by another session', async () => {
    const id = 'c0ffee00'.repeat(4);
    const first = await useId(ops('REQUIRED', 'chineseName'), { psk: { id, key: Buffer.alloc(32, 1) } });
    expect(first.result.major).toBe(RESULT_MAJOR.ok);
    expect(first.granted!.sessionId).toBe(id);
    const again = await useId(ops('REQUIRED', 'chineseName'), {
      psk: { id: id.toUpperCase(), key: Buffer.alloc(32, 2) },
    });
    expect(again.result.minor).toBe(RESULT_MINOR.invalidPSK);
  });

  it('useID#invalidPSK: too short, odd, not hex, short ID', async () => {
    expect(
      (
        await useId(ops('REQUIRED', 'chineseName'), {
          psk: { id: '00112233445566778899aabbccddeeff', key: Buffer.alloc(15, 1) },
        })
      ).result.minor,
    ).toBe(RESULT_MINOR.invalidPSK);
    expect(
      (await useId(ops('REQUIRED', 'chineseName'), { psk: { id: 'short', key: Buffer.alloc(32, 1) } })).result
        .minor,
    ).toBe(RESULT_MINOR.invalidPSK);
    for (const key of ['0102030405060708090A0B0C0D0E0F101', '0102030405060708090A0B0C0D0E0F10XY']) {
      const body = buildUseIdRequest({
        operations: ops('REQUIRED', 'chineseName'),
        psk: { id: '00112233445566778899aabbccddeeff', key: Buffer.alloc(16) },
      }).replace(/<eid:Key>[0-9A-F]+<\/eid:Key>/, `<eid:Key>${key}</eid:Key>`);
      const res = await tb.client().call(body, '');
      expect(res.element.toString()).toContain(RESULT_MINOR.invalidPSK);
    }
  });

  it('useID#tooManyOpenSessions: the eService cap is reached', async () => {
    const first = await useId(ops('REQUIRED', 'chineseName'), {}, ES.limited);
    expect(first.result.major).toBe(RESULT_MAJOR.ok);
    // A session counts against the cap once an eID-Client has picked it up (StartPAOS, for SOAP).
    expect((await tb.ts.server.sessions.admit(first.granted!.sessionId)).outcome).toBe('admitted');
    const second = await useId(ops('REQUIRED', 'chineseName'), {}, ES.limited);
    expect(second.result.minor).toBe(RESULT_MINOR.tooManyOpenSessions);
    // Ending the first session frees the slot ('increasing' counter rule: any larger counter).
    expect((await tb.client(ES.limited).getResult(first.granted!.sessionId, 10)).result.minor).toBe(
      RESULT_MINOR.noResultYet,
    );
    expect((await tb.client(ES.limited).getResult(first.granted!.sessionId, 15)).result.minor).toBe(
      RESULT_MINOR.noResultYet,
    );
    expect((await tb.client(ES.limited).getResult(first.granted!.sessionId, 15)).result.minor).toBe(
      RESULT_MINOR.invalidCounter,
    );
    expect((await useId(ops('REQUIRED', 'chineseName'), {}, ES.limited)).result.major).toBe(RESULT_MAJOR.ok);
  });

  it('getResult#noResultYet while the authentication runs (polling does not disturb it), then the result', async () => {
    const { file, json } = writeTestCard(tb.ts.pkiDir);
    const { tcTokenUrl, plan } = tb.prepare({ operations: ops('REQUIRED', 'chineseName') });
    await httpsCall(new URL(tcTokenUrl)); // the eService calls useID when the TC Token is fetched
    const c = tb.client();
    const id = plan.granted!.sessionId;
    let counter = 100;
    expect((await c.getResult(id, counter++)).result.minor).toBe(RESULT_MINOR.noResultYet);
    expect((await c.getResult(id, counter++)).result.minor).toBe(RESULT_MINOR.noResultYet);
    const auth = authenticate(file, tcTokenUrl);
    let r = await c.getResult(id, counter++);
    while (r.result.minor === RESULT_MINOR.noResultYet) {
      await new Promise((res) => setTimeout(res, 5));
      r = await c.getResult(id, counter++);
    }
    expect((await auth).ok).toBe(true);
    expect(r.result.major).toBe(RESULT_MAJOR.ok);
    expect(r.outcome!.fields.chineseName).toBe(json.fields.chineseName);
  });

  it('getResult#invalidCounter: a repeated counter ends the session', async () => {
    const r = await useId(ops('REQUIRED', 'chineseName'));
    const c = tb.client();
    const id = r.granted!.sessionId;
    expect((await c.getResult(id, 41)).result.minor).toBe(RESULT_MINOR.noResultYet);
    expect((await c.getResult(id, 41)).result.minor).toBe(RESULT_MINOR.invalidCounter);
    expect((await c.getResult(id, 42)).result.minor).toBe(RESULT_MINOR.invalidSession);
  });

  it('getResult#invalidCounter: a skipped counter (strict rule) ends the session', async () => {
    const r = await useId(ops('REQUIRED', 'chineseName'));
    const c = tb.client();
    expect((await c.getResult(r.granted!.sessionId, 1)).result.minor).toBe(RESULT_MINOR.noResultYet);
    expect((await c.getResult(r.granted!.sessionId, 3)).result.minor).toBe(RESULT_MINOR.invalidCounter);
  });

  it('getResult#invalidCounter: a repeated counter; a replayed signed request is refused before', async () => {
    const r = await useId(ops('REQUIRED', 'chineseName'));
    const m = tb.material();
    const sign = () =>
      signEnvelope(buildGetResultRequest(r.granted!.sessionId, 1), { key: m.key, certPem: m.certPem });
    const envelope = sign();
    const c = tb.client();
    expect((await c.post(envelope)).body).toContain(RESULT_MINOR.noResultYet);
    // The very same signed message again: a replay, refused without touching the session.
    const replay = await c.post(envelope);
    expect(replay.status).toBe(200);
    expect(replay.body).toContain(RESULT_MINOR.internalError);
    expect(replay.body).toContain('replayed request');
    // A new message with the same counter: invalidCounter, and the session ends.
    const repeated = await c.post(sign());
    expect(repeated.body).toContain(RESULT_MINOR.invalidCounter);
    expect((await c.getResult(r.granted!.sessionId, 2)).result.minor).toBe(RESULT_MINOR.invalidSession);
  });

  it('getResult#invalidSession: unknown, foreign and finished sessions', async () => {
    const c = tb.client();
    expect((await c.getResult('00'.repeat(32), 1)).result.minor).toBe(RESULT_MINOR.invalidSession);
    // Another eService's session is unknown to this one, and stays alive for its owner.
    const other = await useId(ops('REQUIRED', 'chineseName'), {}, ES.limited);
    if (other.granted) {
      expect((await c.getResult(other.granted.sessionId, 1)).result.minor).toBe(RESULT_MINOR.invalidSession);
      expect((await tb.client(ES.limited).getResult(other.granted.sessionId, 100)).result.minor).toBe(
        RESULT_MINOR.noResultYet,
      );
      await tb.ts.server.sessions.discard(other.granted.sessionId);
    }
  });

  it('getResult#invalidDocument: an expired card releases no data', async () => {
    const { file } = writeTestCard(tb.ts.pkiDir, {
      fields: { renewalDueDate: '20200101', issueDate: '20100101' },
    });
    const { outcome, sessionId } = await loginWith(file, ops('REQUIRED', 'chineseName', 'renewalDueDate'));
    // The card exchange itself ends OK (TR-03130-4 C1_2_10); the eService learns the verdict.
    expect(outcome.serverResult?.major).toMatch(/#ok$/);
    const r = await tb.client().getResult(sessionId, 1);
    expect(r.result).toMatchObject({
      major: RESULT_MAJOR.error,
      minor: RESULT_MINOR.invalidDocument,
      message: 'the document is expired',
    });
    expect(r.outcome).toBeUndefined();
    expect((await tb.client().getResult(sessionId, 2)).result.minor).toBe(RESULT_MINOR.invalidSession);
  });

  it('getResult#invalidDocument: a revoked card releases no data', async () => {
    const { file, json } = writeTestCard(tb.ts.pkiDir);
    const dir = tb.ts.pkiDir;
    const listFile = join(dir, PKI_FILES.cardRevocationList);
    const csca = derFromPem(readFileSync(join(dir, PKI_FILES.cscaCert), 'utf8'));
    const list = verifyCardRevocationList(readFileSync(listFile), [csca]);
    const riPublicKey = publicPointOf(loadPrivateKey(json.keys.restrictedIdentification.privateKey));
    const now = new Date();
    writeFileSync(
      listFile,
      signCardRevocationList(
        {
          thisUpdate: now,
          nextUpdate: new Date(now.getTime() + 86_400_000),
          revoked: [...list.revoked, { riPublicKey, revocationDate: now, reason: 'stolen' }],
        },
        { cert: csca, key: loadPrivateKey(readFileSync(join(dir, PKI_FILES.cscaKey), 'utf8')) },
      ),
    );
    tb.ts.server.revocation.reload();
    const { sessionId } = await loginWith(file, ops('REQUIRED', 'chineseName', 'photo'));
    const r = await tb.client().getResult(sessionId, 1);
    expect(r.result).toMatchObject({
      minor: RESULT_MINOR.invalidDocument,
      message: 'the document is revoked',
    });
    expect(r.outcome).toBeUndefined();
  });

  it('a citizen who cancels: TR-03112 cancellationByUser, no data', async () => {
    const { file } = writeTestCard(tb.ts.pkiDir);
    const { sessionId } = await loginWith(file, ops('REQUIRED', 'chineseName'), { accept: false });
    const r = await tb.client().getResult(sessionId, 1);
    expect(r.result.minor).toBe(ECARD_RESULT_MINOR.cancellationByUser);
    expect(r.outcome).toBeUndefined();
  });

  it("what the citizen's eID-Client reported: wrong PIN, PIN blocked, no card (neid-client auth)", async () => {
    const card = writeTestCard(tb.ts.pkiDir);
    const blocked = writeTestCard(tb.ts.pkiDir);
    const j = JSON.parse(readFileSync(blocked.file, 'utf8'));
    writeFileSync(blocked.file, JSON.stringify({ ...j, retryCounters: { pin: 0, userCode: 10 } }));
    const cases = [
      [
        card.file,
        '000000',
        ECARD_MINOR('sal#securityConditionsNotSatisfied'),
        'the citizen did not enter the right PIN (or CAN)',
      ],
      [blocked.file, '123456', ECARD_MINOR('al/common#noPermission'), "the citizen's PIN is blocked"],
      [
        '/nonexistent/card.json',
        '123456',
        ECARD_MINOR('ifdl/terminal#noCard'),
        'no card, or the card was removed',
      ],
    ] as const;
    for (const [file, pin, minor, message] of cases) {
      const { tcTokenUrl, plan } = tb.prepare({ operations: ops('REQUIRED', 'chineseName') });
      const run = await runClient(['auth', '--tctoken-url', tcTokenUrl, '--card', file, '--pin', pin]);
      expect(run.code, run.stdout).toBe(1);
      const r = await tb.client().getResult(plan.granted!.sessionId, 1);
      expect(r.result).toMatchObject({ major: RESULT_MAJOR.error, minor, message });
      expect(r.outcome).toBeUndefined();
    }
  });

  it('common#schemaViolation: unknown elements, bad values, missing or misplaced parts', async () => {
    const c = tb.client();
    const bad = [
      buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') }).replace(
        '<tw:ChineseName>',
        '<tw:FavouriteColour>REQUIRED</tw:FavouriteColour><tw:ChineseName>',
      ),
      buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName') }).replace('>REQUIRED<', '>MANDATORY<'),
      buildUseIdRequest({ operations: ops('REQUIRED', 'chineseName', 'dateOfBirth') }).replace(
        /(<tw:ChineseName>.*?<\/tw:ChineseName>)(<tw:DateOfBirth>.*?<\/tw:DateOfBirth>)/,
        '$2$1',
      ),
      buildUseIdRequest({ operations: ops('REQUIRED', 'ageVerification'), age: 18 }).replace(
        '<eid:Age>18</eid:Age>',
        '<eid:Age>eighteen</eid:Age>',
      ),
      buildUseIdRequest({ operations: ops('REQUIRED', 'placeVerification'), place: '6300' }),
      '<eid:useIDRequest xmlns:eid="http://bsi.bund.de/eID/"/>',
      '<eid:fooRequest xmlns:eid="http://bsi.bund.de/eID/"/>',
      '<eid:getServerInfoRequest xmlns:eid="http://bsi.bund.de/eID/">x</eid:getServerInfoRequest>',
    ];
    for (const body of bad) {
      const res = await c.call(body, '');
      expect(res.element.toString(), body).toContain(RESULT_MINOR.schemaViolation);
    }
  });

  it('common#schemaViolation in getResult (counter not an int, or missing) ends that session', async () => {
    const c = tb.client();
    const r = await useId(ops('REQUIRED', 'chineseName'));
    const id = r.granted!.sessionId;
    const notInt = buildGetResultRequest(id, 1).replace('<eid:RequestCounter>1<', '<eid:RequestCounter>1.5<');
    expect((await c.call(notInt, '')).element.toString()).toContain(RESULT_MINOR.schemaViolation);
    expect((await c.getResult(id, 2)).result.minor).toBe(RESULT_MINOR.invalidSession);
    const r2 = await useId(ops('REQUIRED', 'chineseName'));
    const missing = buildGetResultRequest(r2.granted!.sessionId, 1).replace(
      /<eid:RequestCounter>.*<\/eid:RequestCounter>/,
      '',
    );
    expect((await c.call(missing, '')).element.toString()).toContain(RESULT_MINOR.schemaViolation);
    expect((await c.getResult(r2.granted!.sessionId, 2)).result.minor).toBe(RESULT_MINOR.invalidSession);
  });
});
